import { Webhook } from 'standardwebhooks';
import { SLACK_WEBHOOK_PREFIX, SlackWebhookNotifier } from '../../shared/adapters/http/slack-webhook';
import { WebhookNotifier } from '../../shared/adapters/http/webhook-notifier';
import { named } from '../../shared/use-cases/channels';
import { harness, type Harness } from './harness';

const SECRET = `whsec_${Buffer.from('workflow-webhook-secret-32-bytes').toString('base64')}`;
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';
const HOOK_URL = 'https://receiver.example.com/switchyard';

interface Receiver {
  /** Every POST that reached the receiver, answered or not. */
  posts: Array<{ headers: Record<string, string>; body: string }>;
  /** Bodies the receiver accepted (2xx). */
  accepted: () => string[];
  status: number;
  fetch: typeof fetch;
}

/** A stand-in HTTP receiver whose answer a test changes between runs. */
function receiver(status = 200): Receiver {
  const answered: number[] = [];
  const r: Receiver = {
    posts: [],
    status,
    accepted: () => r.posts.filter((_p, i) => answered[i]! < 300).map((p) => p.body),
    fetch: (async (_url: unknown, init?: RequestInit) => {
      r.posts.push({ headers: { ...(init?.headers as Record<string, string>) }, body: String(init?.body) });
      answered.push(r.status);
      return new Response(r.status < 300 ? 'ok' : 'unavailable', { status: r.status });
    }) as unknown as typeof fetch,
  };
  return r;
}

const noWait = async () => undefined;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function withChannels(slack: Receiver, hook: Receiver, createSeconds = 10) {
  return harness({
    createSeconds,
    channels: [
      named('slack', new SlackWebhookNotifier({ allowedPrefixes: [SLACK_WEBHOOK_PREFIX], webhookUrl: async () => SLACK_URL, fetch: slack.fetch, sleep: noWait })),
      named('webhook', new WebhookNotifier({ url: HOOK_URL, secret: async () => SECRET, fetch: hook.fetch, sleep: noWait })),
    ],
  });
}

describe('notification channels in the provisioning workflow', () => {
  it.each([
    ['keeps failing (503)', 503, 'RetryableAwsError'],
    ['refuses the message (404)', 404, 'AwsRequestRejectedError'],
  ])('ends READY when the webhook receiver %s; every other channel gets exactly one message, and a re-run sends nothing twice', async (_label, status, errorName) => {
    const slack = receiver(200);
    const hook = receiver(status);
    h = await withChannels(slack, hook);

    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });

    expect(env.status).toBe('READY');
    expect(env.timeline.at(-1)!.note).toContain(`the notification could not be sent (${errorName})`);
    expect(h.notifier.sent.map((n) => n.kind)).toEqual(['ready']);
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]!.body).toContain(env.accountId!);
    expect(hook.accepted()).toEqual([]);
    expect(env.notified).toEqual(expect.arrayContaining(['ready:email', 'ready:slack']));
    expect(env.notified).not.toContain('ready:webhook');

    // Re-running while the receiver is still down tries only the webhook again.
    const hookPostsBefore = hook.posts.length;
    await expect(h.functions.notifyAdmin!({ id: env.id }, {})).rejects.toMatchObject({ name: errorName });
    expect(hook.posts.length).toBeGreaterThan(hookPostsBefore);
    expect(slack.posts).toHaveLength(1);
    expect(h.notifier.sent).toHaveLength(1);

    // Once it is back, a re-run delivers to it alone, once, signed.
    hook.status = 200;
    await expect(h.functions.notifyAdmin!({ id: env.id }, {})).resolves.toEqual({ sent: ['ready:webhook'] });
    expect(hook.accepted()).toHaveLength(1);
    const delivered = hook.posts.at(-1)!;
    expect(delivered.headers['webhook-id']).toBe(`${env.id}.ready`);
    expect(new Webhook(SECRET).verify(delivered.body, delivered.headers)).toMatchObject({
      type: 'environment.ready',
      data: { id: env.id, accountId: env.accountId, ou: 'Workloads/Staging', consoleUrl: expect.stringContaining(env.accountId!) },
    });

    // And after that nothing goes anywhere again.
    const postsBefore = hook.posts.length;
    await expect(h.functions.notifyAdmin!({ id: env.id }, {})).resolves.toEqual({ sent: [] });
    expect(hook.posts).toHaveLength(postsBefore);
    expect(slack.posts).toHaveLength(1);
    expect(h.notifier.sent).toHaveLength(1);
    expect((await h.deps.environments.get(env.id))!.status).toBe('READY');
  });

  it('tells every channel once why provisioning failed, with the fix', async () => {
    const slack = receiver(200);
    const hook = receiver(200);
    h = await withChannels(slack, hook, 30);
    h.sim.CreateAccount({ AccountName: 'Someone Else', Email: 'admin+staging@example.com' });
    h.clock.advance(31);

    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });

    expect(env.status).toBe('FAILED');
    expect(h.notifier.sent.map((n) => n.kind)).toEqual(['failed']);
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]!.body).toContain('EMAIL_ALREADY_EXISTS');
    expect(hook.posts).toHaveLength(1);
    expect(new Webhook(SECRET).verify(hook.posts[0]!.body, hook.posts[0]!.headers)).toMatchObject({
      type: 'environment.failed',
      data: { id: env.id, reason: 'EMAIL_ALREADY_EXISTS', message: env.failure!.message, fix: env.failure!.fix },
    });

    await expect(h.functions.notifyFailure!({ id: env.id }, {})).resolves.toEqual({ sent: [] });
    expect(slack.posts).toHaveLength(1);
    expect(hook.posts).toHaveLength(1);
  });
});
