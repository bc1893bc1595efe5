import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { call, exited, runtimeForFile, startRuntimeProcess, tempDataDir, waitForFinal, QUICK_SIM_ENV } from './helpers';

const local = runtimeForFile();
let base: string;
beforeAll(() => {
  base = local.url;
});

const accountsNamed = (name: string) => local.runtime.sim!.accountsView().filter((a) => a.name === name);

describe('POST /environments through the local runtime', () => {
  it('provisions an environment to READY with a switch-role link, and the same request again makes no second account', async () => {
    const body = { name: 'Staging', ou: 'Workloads/Staging' };
    const first = await call(base, 'POST', '/environments', body);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id: expect.stringMatching(/^staging-[0-9a-f]{8}$/), status: 'REQUESTED' });
    expect(first.headers.get('location')).toBe(`/environments/${first.body.id}`);

    const again = await call(base, 'POST', '/environments', body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const ready = await waitForFinal(base, first.body.id);
    expect(ready.status).toBe('READY');
    expect(ready.accountId).toMatch(/^\d{12}$/);
    expect(ready.ouPath).toBe('Workloads/Staging');
    expect(ready.switchRole.consoleUrl).toBe(
      `https://signin.aws.amazon.com/switchrole?account=${ready.accountId}&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95`,
    );
    expect(ready.switchRole.awsConfigProfile).toContain(`role_arn = arn:aws:iam::${ready.accountId}:role/OrganizationAccountAccessRole`);
    expect([...new Set(ready.timeline.map((t: { status: string }) => t.status))]).toEqual(['REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'READY']);
    expect(ready.alias).toBe('staging');

    const afterReady = await call(base, 'POST', '/environments', body);
    expect(afterReady.status).toBe(200);
    expect(afterReady.body.status).toBe('READY');
    await local.runtime.workflow.idle();
    expect(accountsNamed('Staging')).toEqual([expect.objectContaining({ id: ready.accountId, ou: 'Workloads/Staging', status: 'ACTIVE' })]);
    // Every channel leaves its own file; with nothing configured the Slack, webhook and SNS ones are outbox-only.
    expect(readdirSync(join(local.runtime.dataDir, 'outbox'))).toEqual(
      expect.arrayContaining([`${ready.id}.ready.email.json`, `${ready.id}.ready.slack.json`, `${ready.id}.ready.webhook.json`, `${ready.id}.ready.sns.json`]),
    );
  });

  it('honours Idempotency-Key: the same key returns the same environment, reuse with another body is refused', async () => {
    const headers = { 'idempotency-key': 'ticket-4711' };
    const first = await call(base, 'POST', '/environments', { name: 'Playground Ana', ou: 'Sandbox/Playground' }, headers);
    expect(first.status).toBe(202);
    const again = await call(base, 'POST', '/environments', { name: 'Playground Ana', ou: 'Sandbox/Playground' }, headers);
    expect(again.body.id).toBe(first.body.id);
    const reused = await call(base, 'POST', '/environments', { name: 'Playground Bob', ou: 'Sandbox/Playground' }, headers);
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', fields: [{ field: 'Idempotency-Key' }] });
    expect((await waitForFinal(base, first.body.id)).status).toBe('READY');
  });

  it('lets a refused request be corrected and sent again under the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'ticket-4712' };
    const refused = await call(base, 'POST', '/environments', { name: 'Typo Env', ou: 'Workloads/Stagign' }, headers);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('OU_NOT_FOUND');
    const corrected = await call(base, 'POST', '/environments', { name: 'Typo Env', ou: 'Workloads/Staging' }, headers);
    expect(corrected.status).toBe(202);
    const other = await call(base, 'POST', '/environments', { name: 'Other Env', ou: 'Workloads/Staging' }, headers);
    expect(other.status).toBe(409);
    expect((await waitForFinal(base, corrected.body.id)).status).toBe('READY');
  });

  it('refuses a different request for a name that is taken, and an email that is taken', async () => {
    const first = await call(base, 'POST', '/environments', { name: 'Data', ou: 'Workloads/Staging', email: 'data-team@example.com' });
    expect(first.status).toBe(202);
    const otherOu = await call(base, 'POST', '/environments', { name: 'data', ou: 'Workloads/Production' });
    expect(otherOu.status).toBe(409);
    expect(otherOu.body.error).toMatchObject({ code: 'NAME_TAKEN', fields: [{ field: 'name' }] });
    const sameEmail = await call(base, 'POST', '/environments', { name: 'Data Two', ou: 'Workloads/Staging', email: 'DATA-TEAM@example.com' });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.error.code).toBe('EMAIL_TAKEN');
    await waitForFinal(base, first.body.id);
  }, 20_000);

  const bad: Array<[string, unknown, number, string]> = [
    ['malformed JSON', '{"name": "x",', 400, '(body)'],
    ['a JSON array', [], 400, '(body)'],
    ['a missing name', { ou: 'Workloads/Staging' }, 400, 'name'],
    ['a blank name', { name: '   ', ou: 'Workloads/Staging' }, 400, 'name'],
    ['a name over 50 characters', { name: 'x'.repeat(51), ou: 'Workloads/Staging' }, 400, 'name'],
    ['a non-ASCII name', { name: 'Prüfung', ou: 'Workloads/Staging' }, 400, 'name'],
    ['a bad email', { name: 'Bad Mail', ou: 'Workloads/Staging', email: 'not-an-email' }, 400, 'email'],
    ['an email with a forbidden character', { name: 'Bad Mail', ou: 'Workloads/Staging', email: 'a,b@example.com' }, 400, 'email'],
    ['a bad OU path', { name: 'Bad Ou', ou: 'Workloads//Staging' }, 400, 'ou'],
    ['an OU that does not exist', { name: 'No Ou', ou: 'Workloads/Nowhere' }, 422, 'ou'],
    ['a colour outside the palette', { name: 'Bad Colour', ou: 'Workloads/Staging', color: 'purple' }, 400, 'color'],
    ['an unknown field', { name: 'Extra', ou: 'Workloads/Staging', admin: true }, 400, '(body)'],
    ['a wrong type', { name: 42, ou: 'Workloads/Staging' }, 400, 'name'],
  ];

  it.each(bad)('answers %s with a JSON 4xx naming the field and records nothing', async (_label, body, status, field) => {
    const before = (await call(base, 'GET', '/environments?limit=100')).body.items.length;
    const reply = await call(base, 'POST', '/environments', body, { 'content-type': 'application/json' });
    expect(reply.status).toBe(status);
    expect(reply.headers.get('content-type')).toContain('application/json');
    expect(reply.body.error.code).toEqual(expect.any(String));
    expect(reply.body.error.message).toEqual(expect.any(String));
    expect(reply.body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
    const after = (await call(base, 'GET', '/environments?limit=100')).body.items.length;
    expect(after).toBe(before);
  });

  it('refuses a body over 64 KB with 413, a non-JSON content type with 415', async () => {
    const huge = await call(base, 'POST', '/environments', JSON.stringify({ name: 'Huge', ou: 'x'.repeat(70_000) }), { 'content-type': 'application/json' });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const form = await call(base, 'POST', '/environments', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
  });

  it('answers unknown routes with 404 and wrong methods with 405, in the JSON error shape', async () => {
    const missing = await call(base, 'GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const wrong = await call(base, 'DELETE', '/environments');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('GET');
    const unknownId = await call(base, 'GET', '/environments/staging-00000000');
    expect(unknownId.status).toBe(404);
    const traversal = await call(base, 'GET', '/environments/..%2F..%2Fetc%2Fpasswd');
    expect(traversal.status).toBe(400);
    expect(traversal.body.error.fields[0].field).toBe('id');
  });

  it('lists environments newest first, a page at a time', async () => {
    const page1 = await call(base, 'GET', '/environments?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.cursor).toEqual(expect.any(String));
    const page2 = await call(base, 'GET', `/environments?limit=2&cursor=${encodeURIComponent(page1.body.cursor)}`);
    const all = [...page1.body.items, ...page2.body.items];
    const created = all.map((e: { createdAt: string }) => e.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    expect(new Set(all.map((e: { id: string }) => e.id)).size).toBe(all.length);
    const badCursor = await call(base, 'GET', '/environments?cursor=garbage');
    expect(badCursor.status).toBe(400);
    const badLimit = await call(base, 'GET', '/environments?limit=0');
    expect(badLimit.status).toBe(400);
  });
});

describe('page cursors across a restart', () => {
  it('a cursor handed out before the runtime restarts still opens the next page after it', async () => {
    const dataDir = tempDataDir('switchyard-cursor-');
    const first = await startRuntimeProcess(dataDir, [], QUICK_SIM_ENV);
    let cursor: string;
    try {
      for (const name of ['Cursor One', 'Cursor Two', 'Cursor Three']) {
        expect((await call(first.url, 'POST', '/environments', { name, ou: 'Sandbox/Playground' })).status).toBe(202);
      }
      const page1 = await call(first.url, 'GET', '/environments?limit=2');
      expect(page1.body.items).toHaveLength(2);
      cursor = page1.body.cursor;
    } finally {
      first.child.kill('SIGTERM');
      await exited(first.child);
    }
    const second = await startRuntimeProcess(dataDir, [], QUICK_SIM_ENV);
    try {
      const page2 = await call(second.url, 'GET', `/environments?limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(page2.status).toBe(200);
      expect(page2.body.items.map((e: { name: string }) => e.name)).toEqual(['Cursor One']);
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  }, 60_000);
});
