import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Webhook } from 'standardwebhooks';
import { signSlackRequest } from '../../shared/domain/slack-signature';
import { startRuntime, type Runtime } from '../../local/runtime';
import { call, slackCommandForm, startReceiver, tempDataDir, waitForFinal, QUICK_SIM_ENV } from './helpers';

const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const WEBHOOK_SECRET = `whsec_${Buffer.from('a-local-webhook-secret-of-32-bytes!').toString('base64')}`;

let runtime: Runtime;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let receiverUrl: string;
/** What Switchyard posted to the stand-in response_url, bodies parsed. */
const received = () => receiver.received.map((r) => ({ path: r.path, body: JSON.parse(r.body) }));

beforeAll(async () => {
  receiver = await startReceiver();
  receiverUrl = receiver.url;
  runtime = await startRuntime({
    dataDir: tempDataDir('switchyard-triggers-'),
    port: 0,
    env: {
      ...QUICK_SIM_ENV,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      WEBHOOK_SECRET,
      SLACK_RESPONSE_URL_PREFIXES: `${receiverUrl}/`,
      SWITCHYARD_SIM_ACCOUNT_QUOTA: '30',
      ACCOUNT_QUOTA: '30',
    },
  });
});

afterAll(async () => {
  await runtime.close();
  await receiver.close();
});

const accounts = (name: string) => runtime.sim!.accountsView().filter((a) => a.name === name);
const environmentCount = async () => (await call(runtime.url, 'GET', '/environments?limit=100')).body.items.length;
const eventFiles = () => readdirSync(join(runtime.dataDir, 'events')).filter((f) => f.endsWith('.json') && !f.includes('.failed-'));
const eventsOfType = (type: string) => eventFiles().map((f) => JSON.parse(readFileSync(join(runtime.dataDir, 'events', f), 'utf8'))).filter((e) => e['detail-type'] === type);

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, polls = 300): Promise<T> {
  for (let i = 0; i < polls; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

function slackForm(text: string, responsePath: string) {
  return slackCommandForm(text, `${receiverUrl}${responsePath}`);
}

function slackPost(body: string, opts: { secret?: string; timestamp?: number; tamper?: boolean; retry?: string } = {}) {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = signSlackRequest(opts.secret ?? SLACK_SECRET, timestamp, body);
  return call(runtime.url, 'POST', '/slack/commands', opts.tamper ? body.replace('Workloads', 'Sandbox') : body, {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signature,
    ...(opts.retry ? { 'x-slack-retry-num': opts.retry, 'x-slack-retry-reason': 'http_timeout' } : {}),
  });
}

describe('Slack slash command', () => {
  it('acknowledges a signed /env create, provisions once, and posts the switch-role link to response_url', async () => {
    const body = slackForm('create Staging ou=Workloads/Staging', '/slack/staging');
    const ack = await slackPost(body);
    expect(ack.status).toBe(200);
    expect(ack.body.response_type).toBe('ephemeral');
    expect(ack.body.text).toContain('Staging');
    const id = /staging-[0-9a-f]{8}/.exec(JSON.stringify(ack.body))![0];

    const retried = await slackPost(body, { retry: '1' });
    expect(retried.status).toBe(200);

    const ready = await until(async () => {
      const { body: env } = await call(runtime.url, 'GET', `/environments/${id}`);
      return env.status === 'READY' ? env : undefined;
    });
    const final = await until(() => received().find((r) => r.path === '/slack/staging' && JSON.stringify(r.body).includes(ready.switchRole.consoleUrl)));
    const button = JSON.stringify(final.body.blocks);
    expect(button).toContain(`"url":"${ready.switchRole.consoleUrl}"`);
    expect(button).toContain('role_arn');
    await runtime.bus.idle();
    await runtime.workflow.idle();
    expect(accounts('Staging')).toHaveLength(1);
    expect(ready.requestedBy).toBe('slack:roadrunner');
  }, 30_000);

  it('hands five copies of one signed /env create arriving at once over once: one event, one acknowledgement on response_url', async () => {
    const body = slackForm('create Fivefold ou=Workloads/Staging', '/slack/fivefold');
    const timestamp = Math.floor(Date.now() / 1000);
    const replies = await Promise.all(Array.from({ length: 5 }, () => slackPost(body, { timestamp })));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(expect.objectContaining({ response_type: 'ephemeral', text: expect.stringContaining('Fivefold') }));
    }
    const id = /fivefold-[0-9a-f]{8}/.exec(JSON.stringify(replies[0]!.body))![0];

    expect((await waitForFinal(runtime.url, id)).status).toBe('READY');
    await runtime.bus.idle();
    await runtime.workflow.idle();
    expect(eventsOfType('Environment Requested').filter((e) => e.detail.name === 'Fivefold')).toHaveLength(1);
    const posts = received().filter((r) => r.path === '/slack/fivefold');
    // The acknowledgement, then the switch-role details once the account is ready.
    const isReady = (r: { body: unknown }) => JSON.stringify(r.body).includes('"action_id":"switch-role"');
    expect(posts.filter((r) => !isReady(r))).toHaveLength(1);
    expect(posts.filter(isReady)).toHaveLength(1);
    expect(accounts('Fivefold')).toHaveLength(1);
  }, 30_000);

  it.each([
    ['a tampered body', { tamper: true }],
    ['a wrong signing secret', { secret: 'not-the-secret' }],
    ['a 10-minute-old timestamp', { timestamp: Math.floor(Date.now() / 1000) - 600 }],
  ])('refuses %s with 401 and starts nothing', async (_label, opts) => {
    const before = await environmentCount();
    const requested = eventsOfType('Environment Requested').length;
    const reply = await slackPost(slackForm('create Forged ou=Workloads/Staging', '/slack/forged'), opts);
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('UNAUTHORIZED');
    await runtime.bus.idle();
    expect(await environmentCount()).toBe(before);
    expect(eventsOfType('Environment Requested')).toHaveLength(requested);
    expect(accounts('Forged')).toHaveLength(0);
  });

  it('answers help, unknown text, status and list with messages, not error pages', async () => {
    const help = await slackPost(slackForm('help', '/slack/help'));
    expect(help.status).toBe(200);
    expect(help.body.text).toContain('create');
    const unknown = await slackPost(slackForm('frobnicate everything', '/slack/unknown'));
    expect(unknown.status).toBe(200);
    expect(JSON.stringify(unknown.body)).toContain('create');
    const status = await slackPost(slackForm('status Staging', '/slack/status'));
    expect(JSON.stringify(status.body)).toMatch(/READY|CREATING|PLACING|NOTIFYING|REQUESTED/);
    const list = await slackPost(slackForm('list', '/slack/list'));
    expect(JSON.stringify(list.body)).toContain('Staging');
    const invalid = await slackPost(slackForm('create "" ou=Workloads/Staging', '/slack/invalid'));
    expect(invalid.status).toBe(200);
  });
});

describe('signed webhook', () => {
  const sign = (id: string, body: string, at = new Date()) => ({
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(WEBHOOK_SECRET).sign(id, at, body),
  });

  it('provisions once; a redelivery of the same webhook-id returns the same environment', async () => {
    const body = JSON.stringify({ name: 'Webhook Env', ou: 'Sandbox/Playground' });
    const first = await call(runtime.url, 'POST', '/webhooks/provision', body, sign('msg_1', body));
    expect(first.status).toBe(202);
    const again = await call(runtime.url, 'POST', '/webhooks/provision', body, sign('msg_1', body));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect((await waitForFinal(runtime.url, first.body.id)).status).toBe('READY');
    expect(accounts('Webhook Env')).toHaveLength(1);
  });

  it.each([
    ['a bad signature', (body: string) => ({ ...sign('msg_2', body), 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })],
    ['a tampered body', (body: string) => sign('msg_3', body.replace('Forged', 'Other'))],
    ['a stale timestamp', (body: string) => sign('msg_4', body, new Date(Date.now() - 10 * 60 * 1000))],
    ['missing headers', () => ({ 'content-type': 'application/json' })],
  ])('refuses %s with 401', async (_label, headers) => {
    const body = JSON.stringify({ name: 'Forged Hook', ou: 'Sandbox/Playground' });
    const before = await environmentCount();
    const reply = await call(runtime.url, 'POST', '/webhooks/provision', body, headers(body) as Record<string, string>);
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('UNAUTHORIZED');
    expect(await environmentCount()).toBe(before);
  });
});

describe('EventBridge trigger through the local PutEvents endpoint', () => {
  const client = () =>
    new EventBridgeClient({ region: 'us-east-1', endpoint: `${runtime.url}/_aws/events`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

  it('provisions an environment from an Environment Requested event and publishes Environment Ready', async () => {
    const out = await client().send(
      new PutEventsCommand({
        Entries: [{ Source: 'switchyard.requests', DetailType: 'Environment Requested', Detail: JSON.stringify({ name: 'Event Env', ou: 'Workloads/Staging' }) }],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await runtime.bus.idle();
    const env = await until(async () => {
      const { body } = await call(runtime.url, 'GET', '/environments?limit=100');
      return body.items.find((e: { name: string }) => e.name === 'Event Env');
    });
    expect((await waitForFinal(runtime.url, env.id)).status).toBe('READY');
    await runtime.workflow.idle();
    expect(eventsOfType('Environment Ready').map((e) => e.detail.name)).toContain('Event Env');
  });

  it('records an invalid request as rejected, emits Environment Request Rejected, and provisions nothing', async () => {
    const before = await environmentCount();
    const out = await client().send(
      new PutEventsCommand({
        Entries: [{ Source: 'switchyard.requests', DetailType: 'Environment Requested', Detail: JSON.stringify({ name: 'Bad Event', ou: 'Workloads//x', color: 'purple' }) }],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await runtime.bus.idle();
    expect(await environmentCount()).toBe(before);
    const rejections = (await call(runtime.url, 'GET', '/rejections')).body.items;
    expect(rejections[0]).toMatchObject({ id: out.Entries![0]!.EventId, code: 'INVALID_INPUT', name: 'Bad Event' });
    expect(rejections[0].fields.map((f: { field: string }) => f.field).sort()).toEqual(['color', 'ou']);
    const rejected = eventsOfType('Environment Request Rejected').find((e) => e.detail.eventId === out.Entries![0]!.EventId);
    expect(rejected.detail).toMatchObject({ code: 'INVALID_INPUT', name: 'Bad Event' });
  });

  it('fails an entry whose Detail is not JSON, like EventBridge, and accepts the rest', async () => {
    const out = await client().send(
      new PutEventsCommand({
        Entries: [
          { Source: 'elsewhere', DetailType: 'Unrelated', Detail: '{"x":1}' },
          { Source: 'switchyard.requests', DetailType: 'Environment Requested', Detail: 'not json' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries![1]!.ErrorCode).toBe('MalformedDetail');
  });
});
