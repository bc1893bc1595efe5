import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { signSlackRequest } from '../../shared/domain/slack-signature';
import { logger } from '../../shared/lambda/logger';
import { buildFunctions } from '../../local/functions';
import { startRuntime, type Runtime } from '../../local/runtime';
import { call, slackCommandForm, tempDataDir, waitForFinal, QUICK_SIM_ENV } from './helpers';

/**
 * Log hygiene over one full local run with every channel configured: whatever Switchyard writes
 * (Powertools logger at DEBUG, console, the runtime's own lines) must never contain a secret, a
 * bearer URL, or an environment's email address. Masked forms (`ad***@ex***.com`) are fine.
 */

const SLACK_SECRET = 'e3b0c44298fc1c149afbf4c8996fb924-slack-signing';
const WEBHOOK_KEY_B64 = Buffer.from('inbound-webhook-secret-of-32-byte').toString('base64');
const WEBHOOK_SECRET = `whsec_${WEBHOOK_KEY_B64}`;
const NOTIFY_KEY_B64 = Buffer.from('outbound-notify-secret-of-32-byte').toString('base64');
const NOTIFY_SECRET = `whsec_${NOTIFY_KEY_B64}`;
const ADMIN_EMAIL = 'platform-admins@corp.example.org';
const SENDER_EMAIL = 'switchyard-noreply@corp.example.org';

const captured: string[] = [];
const restore: Array<() => void> = [];
const posted: Array<{ path: string; body: string }> = [];
let receiver: Server;
let receiverUrl: string;
let runtime: Runtime;
let slackWebhookUrl: string;
const responseUrls: string[] = [];

/** Everything any writer produced, as one text. */
const logText = () => captured.join('\n');

function capture(): void {
  const toText = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    // Recorded, not shown: the run's expected warnings would only clutter the test output.
    stream.write = function (chunk: unknown, ...rest: unknown[]) {
      captured.push(toText(chunk));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    } as typeof stream.write;
    restore.push(() => (stream.write = original));
  }
  // Jest's console does not go through process.stdout; record it and keep the test output quiet.
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    restore.push(() => spy.mockRestore());
  }
}

/** Stands in for Slack and the webhook consumer. Paths under /slack/expired/ answer 404 like a used-up response_url. */
async function startReceiver(): Promise<void> {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      posted.push({ path: req.url ?? '', body });
      if ((req.url ?? '').startsWith('/slack/expired/')) res.writeHead(404).end('expired_url');
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}

function slackForm(text: string, responseUrl: string): string {
  responseUrls.push(responseUrl);
  return slackCommandForm(text, responseUrl);
}

function slackPost(body: string, secret = SLACK_SECRET) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return call(runtime.url, 'POST', '/slack/commands', body, {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signSlackRequest(secret, timestamp, body),
  });
}

function webhookHeaders(id: string, body: string, secret = WEBHOOK_SECRET) {
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

async function until<T>(probe: () => Promise<T | undefined>, polls = 400): Promise<T> {
  for (let i = 0; i < polls; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

const byName = async (name: string) => (await call(runtime.url, 'GET', '/environments?limit=100')).body.items.find((e: { name: string }) => e.name === name);
const finalByName = async (name: string) => waitForFinal(runtime.url, (await until(() => byName(name))).id);

beforeAll(async () => {
  await startReceiver();
  slackWebhookUrl = `${receiverUrl}/services/T0SECRET/B0SECRET/xoxb9incomingwebhooktoken`;
  // The logger is built when its module loads (tests/setup made it SILENT): turn it on for this run.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  logger.setLogLevel('DEBUG');
  capture();
  runtime = await startRuntime({
    dataDir: tempDataDir('switchyard-log-hygiene-'),
    port: 0,
    print: (line) => captured.push(line),
    env: {
      ...QUICK_SIM_ENV,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      WEBHOOK_SECRET,
      SLACK_RESPONSE_URL_PREFIXES: `${receiverUrl}/slack/`,
      SLACK_WEBHOOK_URL: slackWebhookUrl,
      NOTIFY_WEBHOOK_URL: `${receiverUrl}/hooks/switchyard`,
      NOTIFY_WEBHOOK_SECRET: NOTIFY_SECRET,
      ADMIN_EMAIL,
      SENDER_EMAIL,
      SWITCHYARD_SIM_ACCOUNT_QUOTA: '30',
      ACCOUNT_QUOTA: '30',
      SWITCHYARD_SIM_FAULTS: 'fail:EMAIL_ALREADY_EXISTS=Rejected Mail',
    },
  });
});

afterAll(async () => {
  await runtime?.close();
  await new Promise<void>((ok) => receiver.close(() => ok()));
  for (const undo of restore.reverse()) undo();
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  logger.setLogLevel('SILENT');
});

describe('log hygiene over a full run', () => {
  it('masks emails and never writes a secret or a bearer URL to any log', async () => {
    const emails: string[] = [];

    // 1. The API: one environment to READY (derived plus-address), one with an explicit address.
    const staging = await call(runtime.url, 'POST', '/environments', { name: 'Staging', ou: 'Workloads/Staging' });
    expect(staging.status).toBe(202);
    const custom = await call(runtime.url, 'POST', '/environments', { name: 'Custom Mail', ou: 'Sandbox/Playground', email: 'jane.doe+custom@corp.example.org' });
    expect(custom.status).toBe(202);

    // 2. A request the pre-flight refuses (an account already holds the address), and one the
    // organization accepts and then fails with EMAIL_ALREADY_EXISTS (SWITCHYARD_SIM_FAULTS).
    runtime.sim!.createAccountByHand('Someone Else', 'admin+taken@example.com', 'Sandbox/Playground');
    // The pre-flight knows it once CloudTrail's record of it has reached the organization index.
    await runtime.organizationEventsDelivered();
    const preflight = await call(runtime.url, 'POST', '/environments', { name: 'Taken', ou: 'Sandbox/Playground' });
    expect(preflight.status).toBe(409);
    const taken = await call(runtime.url, 'POST', '/environments', { name: 'Rejected Mail', ou: 'Sandbox/Playground' });
    expect(taken.status).toBe(202);

    // 3. Slack: a signed /env create whose result goes to the response_url, and one whose response_url
    // has expired (Slack answers 404), so the notification step fails and logs why.
    const slackOk = await slackPost(slackForm('create "Slack Env" ou=Workloads/Staging email=slack.user+env@corp.example.org', `${receiverUrl}/slack/commands/T1/1234567890/respTokenAbCdEf`));
    expect(slackOk.status).toBe(200);
    expect(JSON.stringify(slackOk.body)).toContain('slack-env-');
    const slackExpired = await slackPost(slackForm('create "Slack Expired" ou=Sandbox/Playground', `${receiverUrl}/slack/expired/T1/999/respTokenExpired`));
    expect(slackExpired.status).toBe(200);
    expect(JSON.stringify(slackExpired.body)).toContain('slack-expired-');

    // 4. A signed provisioning webhook.
    const hookBody = JSON.stringify({ name: 'Webhook Env', ou: 'Sandbox/Playground', email: 'ops.owner+hook@corp.example.org' });
    const hook = await call(runtime.url, 'POST', '/webhooks/provision', hookBody, webhookHeaders('msg_log_1', hookBody));
    expect(hook.status).toBe(202);

    // 5. The refusals: forged Slack and webhook requests, a response_url outside the allow-list, hostile input.
    const forgedSlack = await slackPost(slackForm('create Forged ou=Workloads/Staging', `${receiverUrl}/slack/forged/respTokenForged`), 'not-the-secret');
    expect(forgedSlack.status).toBe(401);
    const forgedHookBody = JSON.stringify({ name: 'Forged Hook', ou: 'Sandbox/Playground', email: 'forged+hook@corp.example.org' });
    const forgedHook = await call(runtime.url, 'POST', '/webhooks/provision', forgedHookBody, webhookHeaders('msg_log_2', forgedHookBody, `whsec_${Buffer.from('some-other-secret-of-32-bytes!!!').toString('base64')}`));
    expect(forgedHook.status).toBe(401);
    const ssrf = await slackPost(slackForm('create Metadata ou=Workloads/Staging', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'));
    expect(ssrf.status).toBe(400);
    const hostileBody = '{"name":"Bad","ou":"Workloads/Staging","email":"bad+hostile@corp.example.org\\u0000","__proto__":{"admin":true}}';
    const hostile = await call(runtime.url, 'POST', '/environments', hostileBody, { 'content-type': 'application/json' });
    expect(hostile.status).toBe(400);

    // Every environment reaches its end.
    const ready = await waitForFinal(runtime.url, staging.body.id);
    expect(ready.status).toBe('READY');
    expect((await waitForFinal(runtime.url, custom.body.id)).status).toBe('READY');
    const failed = await waitForFinal(runtime.url, taken.body.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.failure.code).toBe('EMAIL_ALREADY_EXISTS');
    expect((await finalByName('Slack Env')).status).toBe('READY');
    expect((await finalByName('Slack Expired')).status).toBe('READY');
    expect((await waitForFinal(runtime.url, hook.body.id)).status).toBe('READY');

    // 6. A scheduled drift check through its handler (it logs a summary line).
    await runtime.bus.idle();
    await runtime.workflow.idle();
    const checkDrift = buildFunctions(() => runtime.deps).checkDriftOnSchedule!;
    await checkDrift({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, { functionName: 'checkDriftOnSchedule', awsRequestId: 'log-hygiene' });
    await runtime.workflow.idle();

    // The run did reach every channel (so the assertions below looked at a run that used the secrets).
    expect(posted.some((p) => p.path.startsWith('/services/'))).toBe(true);
    expect(posted.some((p) => p.path === '/hooks/switchyard')).toBe(true);
    expect(posted.some((p) => p.path.startsWith('/slack/commands/'))).toBe(true);
    expect(posted.some((p) => p.path.startsWith('/slack/expired/'))).toBe(true);

    for (const item of (await call(runtime.url, 'GET', '/environments?limit=100')).body.items) {
      const env = (await call(runtime.url, 'GET', `/environments/${item.id}`)).body;
      if (env.email) emails.push(env.email);
    }
    emails.push('admin+taken@example.com', 'forged+hook@corp.example.org', ADMIN_EMAIL, SENDER_EMAIL);
    expect(emails).toEqual(expect.arrayContaining(['admin+staging@example.com', 'jane.doe+custom@corp.example.org', 'ops.owner+hook@corp.example.org', 'slack.user+env@corp.example.org']));

    const text = logText();
    // Logging was on: the Powertools logger wrote JSON lines (the drift summary, the failed Slack
    // notification's warning) and the runtime printed its workflow lines.
    expect(text).toContain('"message":"Drift check done"');
    expect(text).toMatch(/"level":"WARN","message":"NotifyAdmin failed"/);
    expect(text).toContain("Slack refused the message posted to the command's response_url: HTTP 404 expired_url");
    expect(text).toContain('[workflow]');
    expect(text).toContain('[outbox:email]');

    const forbidden: Array<[string, string]> = [
      ['the Slack signing secret', SLACK_SECRET],
      ['the webhook secret', WEBHOOK_SECRET],
      ["the webhook secret's key", WEBHOOK_KEY_B64],
      ['the notify webhook secret', NOTIFY_SECRET],
      ["the notify webhook secret's key", NOTIFY_KEY_B64],
      ['the Slack incoming webhook URL', slackWebhookUrl],
      ["the Slack incoming webhook URL's path", '/services/T0SECRET/B0SECRET/xoxb9incomingwebhooktoken'],
      ...responseUrls.map((url): [string, string] => ['a Slack response_url', url]),
      ...responseUrls.filter((u) => u.startsWith(receiverUrl)).map((url): [string, string] => ["a Slack response_url's path", url.slice(receiverUrl.length)]),
      ...emails.map((email): [string, string] => ['an email address', email]),
    ];
    const leaks = forbidden.filter(([, value]) => text.toLowerCase().includes(value.toLowerCase())).map(([what, value]) => `${what}: ${value}`);
    expect(leaks).toEqual([]);
    // Any address that does show up is masked.
    expect(text.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? []).toEqual([]);
  }, 60_000);
});
