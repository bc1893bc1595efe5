/**
 * Approvals over HTTP through the local runtime: who may decide is told by X-Switchyard-Principal
 * there (the IAM identity on AWS). A request in a protected OU waits, and is decided once.
 */
import { startRuntime } from '../../local/runtime';
import { call, QUICK_SIM_ENV, runtimeForFile, tempDataDir, waitForFinal } from './helpers';

const local = runtimeForFile({ APPROVAL_OUS: 'Workloads/Production', APPROVERS: 'local:ana,local:bob', APPROVAL_TIMEOUT: 'PT1H', SWITCHYARD_LIFECYCLE_INTERVAL: 'off', SWITCHYARD_SIM_CLOSE_SECONDS: '1' });
let base: string;
beforeAll(() => {
  base = local.url;
});

const as = (name: string) => ({ 'x-switchyard-principal': name });

it('holds a production request until an approver says yes, then provisions it; the requester and outsiders may not decide', async () => {
  const asked = await call(base, 'POST', '/environments', { name: 'Ledger Prod', ou: 'Workloads/Production' }, as('carol'));
  expect(asked.status).toBe(202);
  expect(asked.body).toMatchObject({ status: 'PENDING_APPROVAL', environment: { approval: { requester: 'local:carol', approvers: ['local:ana', 'local:bob'] } } });
  const id = asked.body.id as string;

  const outsider = await call(base, 'POST', `/environments/${id}/approve`, {}, as('mallory'));
  expect(outsider.status).toBe(403);
  expect(outsider.body.error.code).toBe('NOT_AN_APPROVER');
  const anonymous = await call(base, 'POST', `/environments/${id}/approve`);
  expect(anonymous.status).toBe(403);

  const approved = await call(base, 'POST', `/environments/${id}/approve`, { comment: 'go live Monday' }, as('ana'));
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ id, approval: { decision: 'APPROVED', decidedBy: 'local:ana', comment: 'go live Monday' } });

  const second = await call(base, 'POST', `/environments/${id}/reject`, {}, as('bob'));
  expect(second.status).toBe(409);
  expect(second.body.error).toMatchObject({ code: 'ALREADY_DECIDED', decision: { decision: 'APPROVED', decidedBy: 'local:ana', via: 'api' } });

  const ready = await waitForFinal(base, id);
  expect(ready.status).toBe('READY');
  expect(local.runtime.sim!.accountsView().filter((a) => a.name === 'Ledger Prod')).toHaveLength(1);
});

it('closes a production account only once an approver other than whoever asked says yes (DELETE, then approve)', async () => {
  const asked = await call(base, 'POST', '/environments', { name: 'Retire Prod', ou: 'Workloads/Production' }, as('carol'));
  const id = asked.body.id as string;
  expect((await call(base, 'POST', `/environments/${id}/approve`, {}, as('bob'))).status).toBe(200);
  expect((await waitForFinal(base, id)).status).toBe('READY');

  const close = await call(base, 'DELETE', `/environments/${id}`, undefined, as('ana'));
  expect(close.status).toBe(202);
  expect(close.body).toMatchObject({ id, status: 'READY', approval: { action: 'close', requester: 'local:ana' } });
  // Still usable while it waits: its switch-role details are served.
  expect((await call(base, 'GET', `/environments/${id}/switch-role`)).status).toBe(200);
  const own = await call(base, 'POST', `/environments/${id}/approve`, {}, as('ana'));
  expect(own.status).toBe(403);
  expect(own.body.error.code).toBe('SELF_APPROVAL');

  const approved = await call(base, 'POST', `/environments/${id}/approve`, { comment: 'migrated' }, as('bob'));
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ id, status: 'CLOSING', approval: { action: 'close', decision: 'APPROVED', decidedBy: 'local:bob' } });
  let env = approved.body;
  for (let i = 0; i < 200 && env.status !== 'CLOSED'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    env = (await call(base, 'GET', `/environments/${id}`)).body;
  }
  expect(env.status).toBe('CLOSED');
  expect(local.runtime.sim!.accountsView().find((a) => a.name === 'Retire Prod')!.status).toBe('SUSPENDED');
});

it('refuses the requester deciding on their own request', async () => {
  const asked = await call(base, 'POST', '/environments', { name: 'Own Prod', ou: 'Workloads/Production' }, as('ana'));
  const own = await call(base, 'POST', `/environments/${asked.body.id}/approve`, undefined, as('ana'));
  expect(own.status).toBe(403);
  expect(own.body.error.code).toBe('SELF_APPROVAL');
  const rejected = await call(base, 'POST', `/environments/${asked.body.id}/reject`, { comment: 'not this quarter' }, as('bob'));
  expect(rejected.status).toBe(200);
  expect(rejected.body).toMatchObject({ status: 'REJECTED', approval: { reason: 'REJECTED', decidedBy: 'local:bob' } });
  expect(local.runtime.sim!.accountsView().filter((a) => a.name === 'Own Prod')).toHaveLength(0);
});

it.each([
  ['a body that is not an object', '[1]', 'application/json', 400, '(body)'],
  ['an unknown field', '{"comment":"x","approve":true}', 'application/json', 400, 'approve'],
  ['a comment that is not a string', '{"comment":42}', 'application/json', 400, 'comment'],
  ['a comment with a line break', '{"comment":"a\\nb"}', 'application/json', 400, 'comment'],
  ['a comment over 500 characters', JSON.stringify({ comment: 'x'.repeat(501) }), 'application/json', 400, 'comment'],
])('answers %s with a 4xx naming the field, deciding nothing', async (_what, body, type, status, field) => {
  const asked = await call(base, 'POST', '/environments', { name: `Bad Body ${field.replace(/\W/g, '')}`, ou: 'Workloads/Production' }, as('carol'));
  const res = await fetch(`${base}/environments/${asked.body.id}/approve`, { method: 'POST', headers: { 'content-type': type, ...as('ana') }, body });
  expect(res.status).toBe(status);
  const json = (await res.json()) as { error: { fields: Array<{ field: string }> } };
  expect(json.error.fields.map((f) => f.field)).toContain(field);
  expect((await call(base, 'GET', `/environments/${asked.body.id}`)).body.status).toBe('PENDING_APPROVAL');
});

it('answers an X-Switchyard-Principal that is not a name with 400 naming the header', async () => {
  const res = await call(base, 'POST', '/environments/none-00000000/approve', {}, { 'x-switchyard-principal': 'ana smith<script>' });
  expect(res.status).toBe(400);
  expect(res.body.error.fields).toEqual([{ field: 'X-Switchyard-Principal', message: expect.any(String) }]);
});

it('keeps a waiting request waiting across a restart (no execution), and expires it at the timeout through the lifecycle check', async () => {
  let now = Date.parse('2026-11-30T09:00:00Z');
  const clock = { now: () => new Date(now) };
  const dataDir = tempDataDir();
  const env = { ...QUICK_SIM_ENV, APPROVAL_OUS: 'Workloads/Production', APPROVERS: 'local:ana', APPROVAL_TIMEOUT: 'PT10M', SWITCHYARD_LIFECYCLE_INTERVAL: 'off' };
  let rt = await startRuntime({ dataDir, port: 0, env, clock });
  const asked = await call(rt.url, 'POST', '/environments', { name: 'Waits Prod', ou: 'Workloads/Production' }, as('carol'));
  expect(asked.body.status).toBe('PENDING_APPROVAL');
  await rt.close();

  rt = await startRuntime({ dataDir, port: 0, env, clock });
  try {
    expect(rt.resumed).toEqual([]);
    expect((await rt.checkLifecycle()).expired).toEqual([]);
    now += 10 * 60 * 1000;
    expect((await rt.checkLifecycle()).expired).toEqual([asked.body.id]);
    const expired = await call(rt.url, 'GET', `/environments/${asked.body.id}`);
    expect(expired.body).toMatchObject({ status: 'REJECTED', approval: { reason: 'APPROVAL_EXPIRED', via: 'timeout' } });
    const late = await call(rt.url, 'POST', `/environments/${asked.body.id}/approve`, {}, as('ana'));
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'ALREADY_DECIDED', decision: { reason: 'APPROVAL_EXPIRED' } });
    expect(rt.sim!.accountsView().filter((a) => a.name === 'Waits Prod')).toHaveLength(0);
  } finally {
    await rt.close();
  }
});
