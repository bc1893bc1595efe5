/**
 * Approvals in Slack through the local runtime, as Slack drives them: the approvers' message with
 * its buttons, signed clicks on POST /slack/interactions (by an outsider, forged, replayed, by an
 * approver, twice) and the updates Switchyard posts back on each click's response_url, which a
 * loopback receiver stands in for.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signSlackRequest } from '../../shared/domain/slack-signature';
import { startRuntime, type Runtime } from '../../local/runtime';
import { call, slackCommandForm, startReceiver, tempDataDir, waitForFinal, QUICK_SIM_ENV } from './helpers';

const SLACK_SECRET = '1c5e0a7f3b9d42e8a6f0c1d2e3f4a5b6';
const APPROVER = 'U0APPROVER1';

let runtime: Runtime;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  runtime = await startRuntime({
    dataDir: tempDataDir('switchyard-slack-approvals-'),
    port: 0,
    env: {
      ...QUICK_SIM_ENV,
      APPROVAL_OUS: 'Workloads/Production',
      APPROVERS: `${APPROVER},local:ana`,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_RESPONSE_URL_PREFIXES: `${receiver.url}/`,
      SWITCHYARD_LIFECYCLE_INTERVAL: 'off',
    },
  });
});

afterAll(async () => {
  await runtime?.close();
  await receiver?.close();
});

/** What Switchyard posted to the stand-in response_url at `path`, bodies parsed. */
const postsTo = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body));
const eventsOfType = (type: string) =>
  readdirSync(join(runtime.dataDir, 'events'))
    .filter((f) => f.endsWith('.json') && !f.includes('.failed-'))
    .map((f) => JSON.parse(readFileSync(join(runtime.dataDir, 'events', f), 'utf8')))
    .filter((e) => e['detail-type'] === type);
const accounts = (name: string) => runtime.sim!.accountsView().filter((a) => a.name === name);
const getEnvironment = async (id: string) => (await call(runtime.url, 'GET', `/environments/${id}`)).body;

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, polls = 300): Promise<T> {
  for (let i = 0; i < polls; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

/** A click on one of the approval message's buttons, as Slack posts it: a form with one field, payload (JSON). */
function clickForm(id: string, user: string, action: 'approve' | 'reject', responsePath: string): string {
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    team: { id: 'T1', domain: 'example' },
    container: { type: 'message', message_ts: '1.2', channel_id: 'C1' },
    channel: { id: 'C1', name: 'approvals' },
    trigger_id: '1.2.3',
    response_url: `${receiver.url}${responsePath}`,
    actions: [{ type: 'button', block_id: 'approval', action_id: action, value: id, text: { type: 'plain_text', text: action }, action_ts: '1.3' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function slackPost(path: string, body: string, opts: { secret?: string; timestamp?: number } = {}) {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  return call(runtime.url, 'POST', path, body, {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signSlackRequest(opts.secret ?? SLACK_SECRET, timestamp, body),
  });
}

describe('approving a production request from Slack', () => {
  let id: string;
  let message: { text: string; blocks: any[] };

  it('a request to Workloads/Production waits (202 PENDING_APPROVAL) and the approvers get a message with Approve and Reject', async () => {
    const asked = await call(runtime.url, 'POST', '/environments', { name: 'Vault Prod', ou: 'Workloads/Production' }, { 'x-switchyard-principal': 'carol' });
    expect(asked.status).toBe(202);
    expect(asked.body.status).toBe('PENDING_APPROVAL');
    id = asked.body.id;

    const file = join(runtime.dataDir, 'outbox', `${id}.approval.slack.json`);
    const written = await until(() => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined));
    message = written.payload;
    const text = JSON.stringify(message);
    expect(text).toContain('Vault Prod');
    expect(text).toContain('Workloads/Production');
    expect(text).toContain(`<@${APPROVER}>`);
    expect(text).toContain('`local:ana`');
    const buttons = message.blocks.find((b) => b.type === 'actions').elements;
    expect(buttons.map((b: any) => [b.action_id, b.value, b.style])).toEqual([
      ['approve', id, 'primary'],
      ['reject', id, 'danger'],
    ]);
    expect(accounts('Vault Prod')).toHaveLength(0);
  });

  it('a click by someone who is not an approver is answered only to them and changes nothing', async () => {
    const reply = await slackPost('/slack/interactions', clickForm(id, 'U1MALLORY', 'approve', '/click/mallory'));
    expect(reply.status).toBe(200);
    const [answer] = postsTo('/click/mallory');
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(answer.text).toContain('not one of the approvers');
    const env = await getEnvironment(id);
    expect(env.status).toBe('PENDING_APPROVAL');
    expect(env.approval.decision).toBeUndefined();
    expect(eventsOfType('Environment Approved').filter((e) => e.detail.id === id)).toHaveLength(0);
  });

  it.each([
    ['a forged signature', { secret: 'not-the-signing-secret' }, '/click/forged'],
    ['a replay of a click signed 10 minutes ago', { timestamp: Math.floor(Date.now() / 1000) - 600 }, '/click/replayed'],
  ])('%s is refused with 401 and decides nothing', async (_label, opts, path) => {
    const reply = await slackPost('/slack/interactions', clickForm(id, APPROVER, 'approve', path), opts);
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('UNAUTHORIZED');
    expect(postsTo(path)).toEqual([]);
    expect((await getEnvironment(id)).status).toBe('PENDING_APPROVAL');
  });

  it('a signed Approve click by an approver decides, updates the message with who approved, and the account is provisioned', async () => {
    const reply = await slackPost('/slack/interactions', clickForm(id, APPROVER, 'approve', '/click/approve'));
    expect(reply.status).toBe(200);
    expect(reply.body).toBeUndefined();

    const [update] = postsTo('/click/approve');
    expect(update).toMatchObject({ replace_original: true });
    const shown = JSON.stringify(update);
    expect(shown).toContain(`approved by <@${APPROVER}>`);
    expect(shown).toContain('Provisioning started');
    expect(shown).not.toContain('"action_id":"approve"');

    const ready = await waitForFinal(runtime.url, id);
    expect(ready.status).toBe('READY');
    expect(ready.approval).toMatchObject({ decision: 'APPROVED', decidedBy: APPROVER, via: 'slack' });
    expect(accounts('Vault Prod')).toHaveLength(1);
  }, 30_000);

  it('the same click again decides nothing more and shows the first decision', async () => {
    const before = await getEnvironment(id);
    const reply = await slackPost('/slack/interactions', clickForm(id, APPROVER, 'approve', '/click/again'));
    expect(reply.status).toBe(200);
    const [update] = postsTo('/click/again');
    expect(update).toMatchObject({ replace_original: true });
    expect(JSON.stringify(update)).toContain(`approved by <@${APPROVER}>`);

    const after = await getEnvironment(id);
    expect(after.approval).toEqual(before.approval);
    expect(after.timeline).toHaveLength(before.timeline.length);
    await runtime.bus.idle();
    expect(eventsOfType('Environment Approved').filter((e) => e.detail.id === id)).toHaveLength(1);
    expect(accounts('Vault Prod')).toHaveLength(1);
  });
});

describe('rejecting from Slack, and /env for a protected environment', () => {
  it('/env create answers that the request waits for approval and names the approvers; a Reject click ends it with no account', async () => {
    const body = slackCommandForm('create "Ledger Prod" ou=Workloads/Production', `${receiver.url}/command/ledger`);
    const ack = await slackPost('/slack/commands', body);
    expect(ack.status).toBe(200);
    const id = /ledger-prod-[0-9a-f]{8}/.exec(JSON.stringify(ack.body))![0];

    const waiting = await until(() => postsTo('/command/ledger').find((m) => m.text.includes('waits for approval')));
    expect(waiting.text).toContain('Ledger Prod');
    expect(waiting.text).toContain(`<@${APPROVER}>`);
    expect(waiting.text).toContain('`local:ana`');

    const status = await slackPost('/slack/commands', slackCommandForm(`status ${id}`, `${receiver.url}/command/status`));
    expect(JSON.stringify(status.body)).toContain('PENDING_APPROVAL');

    const reply = await slackPost('/slack/interactions', clickForm(id, APPROVER, 'reject', '/click/reject'));
    expect(reply.status).toBe(200);
    const [update] = postsTo('/click/reject');
    expect(JSON.stringify(update)).toContain(`rejected by <@${APPROVER}>`);
    expect(JSON.stringify(update)).toContain('No account was created');
    expect((await getEnvironment(id)).status).toBe('REJECTED');

    const after = await slackPost('/slack/commands', slackCommandForm(`status ${id}`, `${receiver.url}/command/status`));
    expect(JSON.stringify(after.body)).toContain('REJECTED');
    await runtime.bus.idle();
    await runtime.workflow.idle();
    expect(accounts('Ledger Prod')).toHaveLength(0);
  }, 30_000);

  it('a malformed click is a 400 naming the field, never a decision', async () => {
    const reply = await slackPost('/slack/interactions', new URLSearchParams({ payload: '{"type":"block_actions"' }).toString());
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields[0].field).toBe('payload');
  });
});
