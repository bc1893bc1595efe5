/**
 * The organization index: what the pre-flight and crash recovery read instead of walking every
 * account. Counts of Organizations calls (not times) at 10 and 10,000 accounts, and the index kept
 * current by the organization's own CloudTrail records and by drift walks.
 */
import { checkDrift } from '../../shared/use-cases/drift-check';
import { applyOrganizationEvent } from '../../shared/use-cases/organization-index';
import { requestEnvironment } from '../../shared/use-cases/request-environment';
import type { Organization } from '../../shared/ports';
import { faulty, harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Organizations requests sent while `run` ran, every page and retry included. */
async function callsDuring<T>(org: Organization, run: () => Promise<T>): Promise<{ calls: number; result: T }> {
  const before = org.apiCalls();
  const result = await run();
  return { calls: org.apiCalls() - before, result };
}

/** An organization of `accounts` accounts (besides the management account) whose index a drift walk built. */
async function organizationOf(accounts: number, env: Record<string, string> = {}): Promise<Harness> {
  const quota = String(accounts + 100);
  const made = await harness({ createSeconds: 30, accountQuota: accounts + 100, env: { ACCOUNT_QUOTA: quota, ...env } });
  if (accounts) made.sim.seed({ accounts, ous: 20 });
  await checkDrift(made.deps, { trigger: 'test' });
  return made;
}

/** Applies every CloudTrail record of the simulated organization since `cursor` to the index, as indexOrganization does on AWS. */
async function deliverTrail(target: Harness, cursor?: Parameters<Harness['sim']['cloudTrailSince']>[0]) {
  const { records, cursor: next } = target.sim.cloudTrailSince(cursor);
  const changes = [];
  for (const r of records) changes.push(await applyOrganizationEvent(target.deps, { source: 'aws.organizations', 'detail-type': r.detailType, detail: r.detail }));
  return { changes, cursor: next };
}

describe('a request costs the same at 10 accounts and at 10,000', () => {
  const measured: Record<number, { request: number; provisioning: number; listAccounts: number }> = {};

  it.each([10, 10_000])('at %i accounts the request path makes at most 3 Organizations calls, and none to list accounts', async (accounts) => {
    h = await organizationOf(accounts);
    const org = h.deps.organization;
    h.sim.resetStats();
    const { calls: request, result } = await callsDuring(org, () => requestEnvironment(h!.deps, { body: { name: 'Data Platform', ou: 'Workloads/Staging' }, source: 'test' }));
    expect(result.created).toBe(true);
    expect(request).toBeLessThanOrEqual(3);
    const { calls: provisioning } = await callsDuring(org, async () => {
      await h!.workflow.idle();
    });
    const env = await h.deps.environments.get(result.environment.id);
    expect(env?.status).toBe('READY');
    measured[accounts] = { request, provisioning, listAccounts: h.sim.stats().callsByOperation.ListAccounts ?? 0 };
    expect(measured[accounts]!.listAccounts).toBe(0);
  }, 120_000);

  it('provisioning one environment at 10,000 accounts makes at most twice the calls it makes at 10', () => {
    expect(measured[10]).toBeDefined();
    expect(measured[10_000]).toBeDefined();
    expect(measured[10_000]!.provisioning).toBeLessThanOrEqual(2 * measured[10]!.provisioning);
    expect(measured[10_000]!.request).toBeLessThanOrEqual(measured[10]!.request);
  });
});

describe('the index follows the organization', () => {
  it('refuses a name and an email once the record of an account made by hand arrives, and frees them once it leaves', async () => {
    h = await organizationOf(0);
    const { cursor } = await deliverTrail(h);
    const made = h.sim.createAccountByHand('Analytics', 'analytics@example.com', 'Sandbox/Playground');
    const delivered = await deliverTrail(h, cursor);
    expect(delivered.changes.map((c) => `${c.eventName}:${c.change}`)).toEqual(['CreateAccountResult:recorded', 'MoveAccount:recorded']);
    expect(await h.deps.organizationIndex.accountWithEmail('ANALYTICS@example.com')).toMatchObject({ id: made.id, name: 'Analytics', parentId: h.sim.findOuByPath('Sandbox/Playground') });

    const request = (body: Record<string, unknown>) => requestEnvironment(h!.deps, { body, source: 'test' });
    await expect(request({ name: 'analytics', ou: 'Workloads/Staging' })).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    await expect(request({ name: 'Other', ou: 'Workloads/Staging', email: 'Analytics@Example.com' })).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });

    h.sim.removeAccount(made.id);
    expect((await deliverTrail(h, delivered.cursor)).changes.map((c) => c.change)).toEqual(['forgotten']);
    await expect(request({ name: 'Analytics', ou: 'Workloads/Staging', email: 'analytics@example.com' })).resolves.toMatchObject({ created: true });
  });

  it('counts accounts for the quota from the index, so a full organization is refused without listing it', async () => {
    h = await organizationOf(40, { ACCOUNT_QUOTA: '42' });
    // 40 seeded + the management account = 41; one more fits, and is being created.
    const first = await requestEnvironment(h.deps, { body: { name: 'One More', ou: 'Workloads/Staging' }, source: 'test' });
    expect(first.created).toBe(true);
    await expect(requestEnvironment(h.deps, { body: { name: 'Too Many', ou: 'Workloads/Staging' }, source: 'test' })).rejects.toMatchObject({ name: 'AccountQuotaExceededError' });
    expect(h.sim.stats().callsByOperation.ListAccounts ?? 0).toBe(0);
  });

  it('forgets OU paths when an OU is renamed, and finds the new path live on the next request', async () => {
    h = await organizationOf(0);
    const { cursor } = await deliverTrail(h);
    const staging = h.sim.findOuByPath('Workloads/Staging');
    expect(await h.deps.organizationIndex.ouIdAt('Workloads/Staging')).toBe(staging);
    h.sim.renameOu('Workloads/Staging', 'Stage');
    expect((await deliverTrail(h, cursor)).changes.map((c) => c.change)).toEqual(['ou-forgotten']);
    expect(await h.deps.organizationIndex.ouIdAt('Workloads/Staging')).toBeUndefined();
    await expect(requestEnvironment(h.deps, { body: { name: 'Old Path', ou: 'Workloads/Staging' }, source: 'test' })).rejects.toMatchObject({ code: 'OU_NOT_FOUND' });
    const moved = await requestEnvironment(h.deps, { body: { name: 'New Path', ou: 'Workloads/Stage' }, source: 'test' });
    expect(moved.created).toBe(true);
    expect(await h.deps.organizationIndex.ouIdAt('Workloads/Stage')).toBe(staging);
  });

  it('is rebuilt whole by a drift walk: an account that left without a record disappears from it', async () => {
    h = await organizationOf(5);
    const seeded = h.sim.accountsView().find((a) => a.name !== 'Management')!;
    expect(await h.deps.organizationIndex.accountWithEmail(seeded.email)).toBeDefined();
    h.sim.removeAccount(seeded.id);
    expect(await h.deps.organizationIndex.accountWithEmail(seeded.email)).toBeDefined();
    await checkDrift(h.deps, { trigger: 'test' });
    expect(await h.deps.organizationIndex.accountWithEmail(seeded.email)).toBeUndefined();
    expect((await h.deps.organizationIndex.summary()).accounts).toBe(h.sim.accountsView().length);
  });

  it('accepts a request before any walk built the index, says so, and AWS still refuses a taken email: FAILED, one account', async () => {
    h = await harness({ createSeconds: 30 });
    h.sim.createAccountByHand('Someone Else', 'admin+taken@example.com', 'Sandbox/Playground');
    const { environment } = await requestEnvironment(h.deps, { body: { name: 'Taken', ou: 'Sandbox/Playground' }, source: 'test' });
    expect(environment.timeline.map((t) => t.note)).toContainEqual(expect.stringContaining('organization index has not been built'));
    await h.workflow.idle();
    const ended = await h.deps.environments.get(environment.id);
    expect(ended).toMatchObject({ status: 'FAILED', failure: { code: 'EMAIL_ALREADY_EXISTS' } });
    expect(h.sim.accountsView().filter((a) => a.email === 'admin+taken@example.com')).toHaveLength(1);
  });
});

describe('crash recovery is bounded by recent creations, not by the organization', () => {
  it('adopts the account a crashed CreateAccount started, at 10,000 accounts, without listing them', async () => {
    h = await organizationOf(10_000);
    let creates = 0;
    const real = h.deps.organization;
    h.deps.organization = faulty(real, {
      createAccount: async (create, input) => {
        creates++;
        const status = await create(input);
        if (creates === 1) throw Object.assign(new Error('Task timed out after 30.00 seconds'), { name: 'Sandbox.Timedout' });
        return status;
      },
    });
    h.sim.resetStats();
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(creates).toBe(1);
    expect(h.sim.accountsView().filter((a) => a.name === 'Staging')).toHaveLength(1);
    expect(h.sim.stats().callsByOperation.ListAccounts ?? 0).toBe(0);
  }, 120_000);
});
