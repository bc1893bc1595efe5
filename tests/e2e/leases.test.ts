/**
 * A lease from request to closing, over HTTP through the local runtime as a user drives it: a
 * request with a ttl, READY with the end in every view, a reminder in the outbox, an extension, and
 * the closing when the lease ends (the account SUSPENDED). The runtime's clock is real time plus an
 * offset the test moves forward; the lifecycle check runs when the test asks (runtime.checkLifecycle).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, runtimeForFile, waitForFinal, waitForStatus } from './helpers';

let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
const as = (name: string) => ({ 'x-switchyard-principal': name });
const local = runtimeForFile({ SWITCHYARD_MIN_LEASE_SECONDS: '1', LEASE_REMINDERS: 'PT30M', LEASE_MAX: 'P1D', SWITCHYARD_LIFECYCLE_INTERVAL: 'off' }, { clock });

interface LifecycleSweep {
  leaseReminders: string[];
  leasesExpired: string[];
}
const lifecycle = async () => (await local.runtime.checkLifecycle()) as unknown as LifecycleSweep;
const outbox = (file: string) => join(local.runtime.dataDir, 'outbox', file);
const readOutbox = (file: string) => JSON.parse(readFileSync(outbox(file), 'utf8'));

it('runs a lease: READY with its end everywhere, a reminder, an extension, then the closing', async () => {
  const asked = await call(local.url, 'POST', '/environments', { name: 'Lease Trial', ou: 'Sandbox/Playground', ttl: 'PT2H' }, as('ana'));
  expect(asked.status).toBe(202);
  expect(asked.body.environment.lease).toEqual({ seconds: 7200, from: 'ttl' });
  const id = asked.body.id as string;
  // The same body again is the same environment.
  const again = await call(local.url, 'POST', '/environments', { name: 'Lease Trial', ou: 'Sandbox/Playground', ttl: 'PT120M' }, as('ana'));
  expect(again).toMatchObject({ status: 200, body: { id } });

  const ready = await waitForFinal(local.url, id);
  expect(ready.status).toBe('READY');
  const handedOver = Date.parse(ready.timeline.find((t: { status: string }) => t.status === 'NOTIFYING').at);
  const end = Date.parse(ready.lease.expiresAt);
  expect(end).toBe(handedOver + 2 * 3600 * 1000);
  expect(end - Date.parse(ready.timeline.find((t: { status: string }) => t.status === 'READY').at)).toBeLessThanOrEqual(2 * 3600 * 1000);
  const switchRole = await call(local.url, 'GET', `/environments/${id}/switch-role`);
  expect(switchRole.body.expiresAt).toBe(ready.lease.expiresAt);
  expect(ready.switchRole.expiresAt).toBe(ready.lease.expiresAt);
  const readySlack = readOutbox(`${id}.ready.slack.json`);
  expect(JSON.stringify(readySlack.payload.blocks)).toContain('*Lease ends* <!date^');
  expect(readOutbox(`${id}.ready.email.json`).text).toMatch(new RegExp(`Lease ends: +${ready.lease.expiresAt}`));

  // Not yet: the reminder is due half an hour before the end.
  expect((await lifecycle()).leaseReminders).toEqual([]);
  offsetMs += end - 30 * 60 * 1000 - Date.now() - offsetMs + 1000;
  expect((await lifecycle()).leaseReminders).toEqual([id]);
  expect((await lifecycle()).leaseReminders).toEqual([]);
  const reminder = readOutbox(`${id}.lease-reminder-PT30M.email.json`);
  expect(reminder).toMatchObject({ kind: 'lease-reminder', environmentId: id, subject: expect.stringContaining('lease ends in 30 minutes') });
  expect(reminder.text).toContain(`POST /environments/${id}/extend`);
  const slack = readOutbox(`${id}.lease-reminder-PT30M.slack.json`);
  expect(slack.payload.blocks).toContainEqual(expect.objectContaining({ type: 'actions', elements: [expect.objectContaining({ action_id: 'extend', value: id })] }));
  expect(readOutbox(`${id}.lease-reminder-PT30M.webhook.json`).payload).toMatchObject({ type: 'environment.lease_reminder', data: { id, expiresAt: ready.lease.expiresAt, remindBefore: 'PT30M' } });
  expect(existsSync(outbox(`${id}.lease-reminder-PT30M.sns.json`))).toBe(true);

  // Extended by an hour from the current end; the reminder is armed again for the new end.
  const extended = await call(local.url, 'POST', `/environments/${id}/extend`, { ttl: 'PT1H' }, as('bob'));
  expect(extended.status).toBe(200);
  const newEnd = end + 3600 * 1000;
  expect(extended.body.lease).toMatchObject({ expiresAt: new Date(newEnd).toISOString(), reminded: [], extended: [{ by: 'local:bob', expiresAt: new Date(newEnd).toISOString() }] });
  expect(extended.body.switchRole.expiresAt).toBe(new Date(newEnd).toISOString());

  // The old end passes: nothing closes. Half an hour before the new end, the reminder comes again.
  offsetMs += 31 * 60 * 1000;
  expect(await lifecycle()).toMatchObject({ leaseReminders: [], leasesExpired: [] });
  offsetMs += 30 * 60 * 1000;
  expect((await lifecycle()).leaseReminders).toEqual([id]);
  expect(readOutbox(`${id}.lease-reminder-PT30M.email.json`).lease.expiresAt).toBe(new Date(newEnd).toISOString());

  // The end: the lifecycle check starts the closing, and the account ends SUSPENDED.
  offsetMs += newEnd - Date.now() - offsetMs + 1000;
  expect((await lifecycle()).leasesExpired).toEqual([id]);
  const closed = await waitForStatus(local.url, id, 'CLOSED');
  expect(closed.closing).toMatchObject({ reason: 'lease' });
  expect(local.runtime.sim!.accountsView().find((a) => a.id === ready.accountId)).toMatchObject({ status: 'SUSPENDED' });
  // RecordClosed writes CLOSED before it tells the channels: the closed message follows within moments.
  for (let i = 0; i < 100 && !existsSync(outbox(`${id}.closed.email.json`)); i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(outbox(`${id}.closed.email.json`))).toBe(true);
  const late = await call(local.url, 'POST', `/environments/${id}/extend`, { ttl: 'PT1H' }, as('bob'));
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('NOT_READY');
});

it('answers a bad extension with a 4xx naming the problem, and changes nothing', async () => {
  const asked = await call(local.url, 'POST', '/environments', { name: 'Lease Bad Calls', ou: 'Sandbox/Playground', ttl: 'PT6H' });
  const ready = await waitForFinal(local.url, asked.body.id);
  const id = ready.id as string;
  const cases: Array<[unknown, number, string]> = [
    [{ ttl: 'P2D' }, 400, 'ttl'],
    [{ ttl: 'P1Y' }, 400, 'ttl'],
    [{ ttl: 'soon' }, 400, 'ttl'],
    [{ ttl: 3600 }, 400, 'ttl'],
    [{}, 400, 'ttl'],
    [{ ttl: 'PT1H', by: 'me' }, 400, 'by'],
    [[1], 400, '(body)'],
  ];
  for (const [body, status, field] of cases) {
    const res = await call(local.url, 'POST', `/environments/${id}/extend`, body);
    expect({ body, status: res.status }).toEqual({ body, status });
    expect(res.body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
  }
  const notJson = await fetch(`${local.url}/environments/${id}/extend`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'PT1H' });
  expect(notJson.status).toBe(415);
  expect((await call(local.url, 'GET', `/environments/${id}`)).body.lease).toEqual(ready.lease);

  const forever = await waitForFinal(local.url, (await call(local.url, 'POST', '/environments', { name: 'Lease None', ou: 'Workloads/Staging' })).body.id);
  expect(forever.lease).toBeUndefined();
  const unleased = await call(local.url, 'POST', `/environments/${forever.id}/extend`, { ttl: 'PT1H' });
  expect(unleased.status).toBe(409);
  expect(unleased.body.error.code).toBe('NOT_LEASED');
  expect((await call(local.url, 'POST', '/environments/nothing-00000000/extend', { ttl: 'PT1H' })).status).toBe(404);
  const refused = await call(local.url, 'POST', '/environments', { name: 'Lease Too Long', ou: 'Sandbox/Playground', ttl: 'P2D' });
  expect(refused.status).toBe(400);
  expect(refused.body.error.fields).toEqual([{ field: 'ttl', message: expect.stringContaining('LEASE_MAX') }]);
});
