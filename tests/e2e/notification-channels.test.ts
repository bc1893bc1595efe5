import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startRuntime, type Runtime } from '../../local/runtime';
import { call, startReceiver, tempDataDir, waitForFinal, type Received, QUICK_SIM_ENV } from './helpers';

const NOTIFY_SECRET = `whsec_${Buffer.from('local-notify-webhook-secret-32by').toString('base64')}`;

let runtime: Runtime;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let receiverUrl: string;
let received: Received[];

beforeAll(async () => {
  receiver = await startReceiver();
  receiverUrl = receiver.url;
  received = receiver.received;
  runtime = await startRuntime({
    dataDir: tempDataDir('switchyard-channels-'),
    port: 0,
    env: {
      ...QUICK_SIM_ENV,
      NOTIFY_WEBHOOK_URL: `${receiverUrl}/hooks/switchyard`,
      NOTIFY_WEBHOOK_SECRET: NOTIFY_SECRET,
      // A loopback stand-in for Slack: the local runtime allows the configured URL's own origin.
      SLACK_WEBHOOK_URL: `${receiverUrl}/services/T000/B000/XXXX`,
    },
  });
});

afterAll(async () => {
  await runtime.close();
  await receiver.close();
});

const outbox = () => readdirSync(join(runtime.dataDir, 'outbox'));

describe('notification channels in the local runtime', () => {
  it('posts a verifiable signed environment.ready to NOTIFY_WEBHOOK_URL, posts to Slack, and keeps every channel in the outbox', async () => {
    const created = await call(runtime.url, 'POST', '/environments', { name: 'Hooked', ou: 'Sandbox/Playground' });
    expect(created.status).toBe(202);
    const ready = await waitForFinal(runtime.url, created.body.id);
    expect(ready.status).toBe('READY');

    const hooks = received.filter((r) => r.path === '/hooks/switchyard');
    expect(hooks).toHaveLength(1);
    const { headers, body } = hooks[0]!;
    expect(headers['webhook-id']).toBe(`${ready.id}.ready`);
    const event = new Webhook(NOTIFY_SECRET).verify(body, {
      'webhook-id': String(headers['webhook-id']),
      'webhook-timestamp': String(headers['webhook-timestamp']),
      'webhook-signature': String(headers['webhook-signature']),
    });
    expect(event).toMatchObject({
      type: 'environment.ready',
      data: {
        id: ready.id,
        name: 'Hooked',
        accountId: ready.accountId,
        ou: 'Sandbox/Playground',
        consoleUrl: ready.switchRole.consoleUrl,
        displayName: 'Hooked',
        awsConfigProfile: ready.switchRole.awsConfigProfile,
        extensionEntry: ready.switchRole.extensionEntry,
        checkCommand: ready.switchRole.checkCommand,
      },
    });

    const slack = received.filter((r) => r.path === '/services/T000/B000/XXXX');
    expect(slack).toHaveLength(1);
    expect(JSON.parse(slack[0]!.body)).toMatchObject({ text: expect.stringContaining('Hooked is ready'), blocks: expect.any(Array) });

    expect(outbox()).toEqual(
      expect.arrayContaining([`${ready.id}.ready.email.json`, `${ready.id}.ready.slack.json`, `${ready.id}.ready.webhook.json`, `${ready.id}.ready.sns.json`]),
    );
    const file = JSON.parse(readFileSync(join(runtime.dataDir, 'outbox', `${ready.id}.ready.webhook.json`), 'utf8'));
    expect(file).toMatchObject({ channel: 'webhook', webhookId: `${ready.id}.ready`, payload: JSON.parse(body) });
  });
});
