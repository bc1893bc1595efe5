import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookNotifier } from '../../shared/adapters/http/webhook-notifier';
import type { DeliveryStore, EnvironmentStore } from '../../shared/ports';
import { named } from '../../shared/use-cases/channels';
import { harness, type Harness } from './harness';

/**
 * Each notification goes out at most once per environment, kind and channel, however often the step
 * that sends it runs: a Lambda retry, a state machine retry, a restart that resumes the workflow.
 */

const SECRET = `whsec_${Buffer.from('at-most-once-webhook-secret-32by').toString('base64')}`;
const HOOK_URL = 'https://receiver.example.com/switchyard';
const context = {};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The process stops at the first registry write after a message went out, as a crash (or a Lambda timeout) would. */
function crashAfterSending(h: Harness): { crashed: () => boolean } {
  let sent = false;
  let crashed = false;
  const channels = h.deps.channels;
  h.deps.channels = channels.map((c) => ({
    name: c.name,
    send: async (n) => {
      await c.send(n);
      sent = true;
    },
  }));
  // Whatever the step writes once the message is out: the delivery record, or the environment's summary of it.
  const crashing = <T extends object>(store: T, write: keyof T): T =>
    new Proxy(store, {
      get(target, prop) {
        const real = (target[prop as keyof T] as (...a: unknown[]) => unknown).bind(target);
        if (prop !== write) return real;
        return (...args: unknown[]) => {
          if (sent && !crashed) {
            crashed = true;
            throw Object.assign(new Error('the process stopped here'), { name: 'Lambda.Unknown' });
          }
          return real(...args);
        };
      },
    });
  h.deps.environments = crashing<EnvironmentStore>(h.deps.environments, 'update');
  h.deps.deliveries = crashing<DeliveryStore>(h.deps.deliveries, 'markDelivered');
  return { crashed: () => crashed };
}

describe('a notification step that runs more than once', () => {
  it('sends the ready notification once when the step runs again after a crash right after sending, and says so in the timeline', async () => {
    h = await harness({ createSeconds: 10 });
    const crash = crashAfterSending(h);

    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(crash.crashed()).toBe(true);
    expect(h.notifier.sent).toHaveLength(1);

    // The task runs again, as a Lambda retry or a restarted runtime would run it.
    await h.functions.notifyAdmin!({ id: env.id }, context);
    await h.functions.notifyAdmin!({ id: env.id }, context);
    expect(h.notifier.sent).toHaveLength(1);
    const timeline = (await h.deps.environments.get(env.id))!.timeline.map((t) => t.note ?? '');
    expect(timeline.filter((note) => note.includes('the ready notification on email may not have gone out'))).toHaveLength(1);
  });

  it('never posts twice to a receiver that took the message but whose answer was lost (a timeout), however often the step is retried', async () => {
    const posts: string[] = [];
    // Takes the message, then never answers: the sender cannot know it arrived.
    const silent = (async (_url: unknown, init?: RequestInit) => {
      posts.push(String(init?.body));
      return new Promise<Response>((_ok, fail) => init?.signal?.addEventListener('abort', () => fail(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
    }) as unknown as typeof fetch;
    h = await harness({
      createSeconds: 10,
      channels: [named('webhook', new WebhookNotifier({ url: HOOK_URL, secret: async () => SECRET, fetch: silent, timeoutMs: 20, retries: 0, sleep: async () => undefined }))],
    });

    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    await h.functions.notifyAdmin!({ id: env.id }, context);

    expect(env.status).toBe('READY');
    expect(posts).toHaveLength(1);
    expect(h.notifier.sent).toHaveLength(1);
    const notes = (await h.deps.environments.get(env.id))!.timeline.map((t) => t.note ?? '');
    expect(notes).toContain('the ready notification on webhook may not have gone out (RetryableAwsError); it is not sent again, so that it is never sent twice');
  });

  it('sends again, once, a message the receiver refused with an answer (nothing was delivered)', async () => {
    const posts: number[] = [];
    let status = 503;
    const answering = (async () => {
      posts.push(status);
      return new Response(status < 300 ? 'ok' : 'unavailable', { status });
    }) as unknown as typeof fetch;
    h = await harness({
      createSeconds: 10,
      channels: [named('webhook', new WebhookNotifier({ url: HOOK_URL, secret: async () => SECRET, fetch: answering, retries: 0, sleep: async () => undefined }))],
    });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    const refused = posts.length;
    expect(refused).toBeGreaterThan(1);

    status = 200;
    await expect(h.functions.notifyAdmin!({ id: env.id }, context)).resolves.toEqual({ sent: ['ready:webhook'] });
    await expect(h.functions.notifyAdmin!({ id: env.id }, context)).resolves.toEqual({ sent: [] });
    expect(posts.filter((s) => s === 200)).toHaveLength(1);
    expect(h.notifier.sent).toHaveLength(1);
  });
});

describe('the Slack reply to an EventBridge request', () => {
  let server: Server;
  let url: string;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('posts the progress reply once when EventBridge delivers the same event twice', async () => {
    h = await harness({ createSeconds: 10, env: { SLACK_RESPONSE_URL_PREFIXES: url } });
    const event = {
      id: 'evt-redelivered-0001',
      source: 'switchyard.requests',
      'detail-type': 'Environment Requested',
      detail: { name: 'Replied', ou: 'Workloads/Staging', replyTo: { slackResponseUrl: `${url}commands/T1/1/abc`, slackUserId: 'U1' } },
    };
    await expect(h.functions.requestFromEvent!(event, context)).resolves.toMatchObject({ accepted: true });
    await expect(h.functions.requestFromEvent!(event, context)).resolves.toMatchObject({ accepted: true });
    await h.workflow.idle();
    const progress = received.filter((body) => JSON.parse(body).text?.includes('Replied') && !JSON.parse(body).text?.includes('is ready'));
    expect(progress).toHaveLength(1);
  });
});
