/**
 * Closing over HTTP through the local runtime: DELETE /environments/{id} runs DecommissionEnvironment
 * against the simulated organization; the account ends SUSPENDED in CLOSED_OU and leaves the
 * switch-role files, while the environment stays listed as CLOSED.
 */
import { signSlackRequest } from '../../shared/domain/slack-signature';
import { call, runtimeForFile, slackCommandForm, waitForFinal } from './helpers';

const SLACK_SECRET = 'closing-test-signing-secret';

const local = runtimeForFile({ SWITCHYARD_SIM_CLOSE_SECONDS: '1', SWITCHYARD_LIFECYCLE_INTERVAL: 'off', SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_RESPONSE_URL_PREFIXES: 'https://hooks.slack.com/' });
let base: string;
beforeAll(() => {
  base = local.url;
});

async function until(id: string, status: string, deadlineMs = 30_000): Promise<any> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const env = (await call(base, 'GET', `/environments/${id}`)).body;
    if (env.status === status) return env;
    if (Date.now() > end) throw new Error(`${id} is ${env.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('closes a READY environment: CLOSING at once, then CLOSED with its account SUSPENDED in Suspended, out of the switch-role files', async () => {
  const asked = await call(base, 'POST', '/environments', { name: 'Throwaway', ou: 'Sandbox/Playground' });
  const ready = await waitForFinal(base, asked.body.id);
  expect(ready.status).toBe('READY');
  expect((await call(base, 'GET', '/switch-roles?format=aws-config')).body).toContain('[profile throwaway]');

  const closing = await call(base, 'DELETE', `/environments/${ready.id}`, undefined, { 'x-switchyard-principal': 'ana' });
  expect(closing.status).toBe(202);
  expect(closing.body).toMatchObject({ status: 'CLOSING', closing: { reason: 'api', requestedBy: 'local:ana' } });
  const again = await call(base, 'DELETE', `/environments/${ready.id}`);
  expect(again.status).toBe(202);
  expect(again.body.closing.attempt).toBe(1);

  const closed = await until(ready.id, 'CLOSED');
  expect(closed.closing.closedAt).toEqual(expect.any(String));
  expect(local.runtime.sim!.accountsView().find((a) => a.id === ready.accountId)).toMatchObject({ status: 'SUSPENDED', ou: 'Suspended' });
  expect((await call(base, 'GET', '/switch-roles?format=aws-config')).body).not.toContain('[profile throwaway]');
  const file = await call(base, 'GET', `/environments/${ready.id}/switch-role`);
  expect(file.status).toBe(409);
  const listed = await call(base, 'GET', '/environments?status=CLOSED');
  expect(listed.body.items.map((e: { id: string }) => e.id)).toContain(ready.id);
  expect(listed.body.items.every((e: { status: string }) => e.status === 'CLOSED')).toBe(true);
}, 60_000);

it('refuses to close what is not READY, and answers a status filter that is not a status with 400', async () => {
  const gone = await call(base, 'DELETE', '/environments/nothing-00000000');
  expect(gone.status).toBe(404);
  const bad = await call(base, 'GET', '/environments?status=DELETED');
  expect(bad.status).toBe(400);
  expect(bad.body.error.fields).toEqual([{ field: 'status', message: expect.any(String) }]);
});

/** `/env TEXT`, signed as Slack signs it; the reply is the ephemeral answer. */
async function slash(text: string) {
  const body = slackCommandForm(text, 'https://hooks.slack.com/commands/T1/1/x');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(SLACK_SECRET, timestamp, body) };
  const first = await call(base, 'POST', '/slack/commands', body, headers);
  // The same signed request again, as Slack retries a slow answer: it must change nothing more.
  const copy = await call(base, 'POST', '/slack/commands', body, headers);
  return { first, copy };
}

it('extends a lease once per signed /env extend, and closes with /env close', async () => {
  const asked = await call(base, 'POST', '/environments', { name: 'Slack Leased', ou: 'Sandbox/Playground', ttl: 'P2D' });
  const ready = await waitForFinal(base, asked.body.id);
  const end = Date.parse(ready.lease.expiresAt);

  const extended = await slash('extend "Slack Leased" P3D');
  expect(extended.first.status).toBe(200);
  const after = (await call(base, 'GET', `/environments/${ready.id}`)).body;
  // Three days more, once, although Slack's copy of the request came too.
  expect(Date.parse(after.lease.expiresAt)).toBe(end + 3 * 86_400_000);
  expect(after.lease.extended).toHaveLength(1);
  expect(after.lease.extended[0].by).toBe('U2CERLKJA');

  const closing = await slash('close "Slack Leased"');
  expect(closing.first.status).toBe(200);
  expect(JSON.stringify(closing.first.body)).toContain('CLOSING');
  const closed = await until(ready.id, 'CLOSED');
  expect(closed.closing).toMatchObject({ reason: 'slack', requestedBy: 'U2CERLKJA', attempt: 1 });
}, 60_000);
