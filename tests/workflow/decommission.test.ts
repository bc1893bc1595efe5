/**
 * DecommissionEnvironment: the real ASL over the simulated organization (which closes accounts as
 * AWS does: PENDING_CLOSURE, then SUSPENDED; a rolling quota; a limit on closings at once).
 */
import { CLOSED_AT_TAG, requestClose, sweepClosings } from '../../shared/use-cases/close-steps';
import { ENVIRONMENT_TAG } from '../../shared/use-cases/provision-steps';
import { checkDrift } from '../../shared/use-cases/drift-check';
import { faulty, harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const tagsOf = (target: Harness, accountId: string) => target.deps.organization.listTags(accountId);
async function closed(target: Harness, id: string) {
  await (target.deps.decommission as unknown as { idle(): Promise<void> }).idle();
  return (await target.deps.environments.get(id))!;
}

describe('closing an environment', () => {
  it('tags, moves into CLOSED_OU, closes, waits for SUSPENDED, records CLOSED and tells everyone once', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Playground Ana', ou: 'Sandbox/Playground' });
    expect(env.status).toBe('READY');
    const asked = await requestClose(h.deps, { id: env.id, reason: 'api', requestedBy: 'local:ana' });
    expect(asked).toMatchObject({ status: 'CLOSING', closing: { reason: 'api', requestedBy: 'local:ana', attempt: 1 } });
    const done = await closed(h, env.id);
    expect(done).toMatchObject({ status: 'CLOSED', closing: { closedAt: expect.any(String) } });
    const account = h.sim.accountsView().find((a) => a.id === env.accountId)!;
    expect(account).toMatchObject({ status: 'SUSPENDED', ou: 'Suspended' });
    expect(await tagsOf(h, env.accountId!)).toMatchObject({ [CLOSED_AT_TAG]: expect.any(String), [ENVIRONMENT_TAG]: env.id });
    expect(h.events.published.filter((e) => e.detailType === 'Environment Closed')).toHaveLength(1);
    expect(h.notifier.sent.filter((n) => n.kind === 'closed')).toHaveLength(1);
    // Asking again changes nothing and starts nothing.
    expect(await requestClose(h.deps, { id: env.id, reason: 'api' })).toMatchObject({ status: 'CLOSED' });
    expect(h.notifier.sent.filter((n) => n.kind === 'closed')).toHaveLength(1);
  });

  it('refuses an environment that is not READY, and an account that does not carry its tag', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    await h.deps.organization.tagAccount(env.accountId!, { [ENVIRONMENT_TAG]: 'someone-else-00000000' });
    await requestClose(h.deps, { id: env.id, reason: 'api' });
    const failed = await closed(h, env.id);
    expect(failed).toMatchObject({ status: 'FAILED', failure: { code: 'NotClosableError', state: 'DecommissionEnvironment' } });
    expect(h.sim.accountsView().find((a) => a.id === env.accountId)!.status).toBe('ACTIVE');
    await expect(requestClose(h.deps, { id: 'nothing-00000000', reason: 'api' })).rejects.toMatchObject({ status: 404 });
  });

  it('finishes when the account was already closed by hand: CLOSED, no error', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Hand Closed', ou: 'Sandbox/Playground' });
    h.sim.closeAccount(env.accountId!);
    await requestClose(h.deps, { id: env.id, reason: 'api' });
    expect((await closed(h, env.id)).status).toBe('CLOSED');
  });

  it('closes once when the step dies right after AWS accepted CloseAccount', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Crashy', ou: 'Sandbox/Playground' });
    let calls = 0;
    h.deps.organization = faulty(h.deps.organization, {
      closeAccount: async (real, accountId) => {
        const outcome = await real(accountId);
        if (calls++ === 0) throw Object.assign(new Error('Task timed out after 60.00 seconds'), { name: 'Sandbox.Timedout' });
        return outcome;
      },
    });
    await requestClose(h.deps, { id: env.id, reason: 'api' });
    expect((await closed(h, env.id)).status).toBe('CLOSED');
    expect(calls).toBe(2);
    expect(h.sim.accountsView().find((a) => a.id === env.accountId)!.status).toBe('SUSPENDED');
  });
});

describe("AWS's closing quota", () => {
  it('queues closings beyond the quota (CLOSE_QUEUED with notBefore), never fails them, and closes them once the window has room', async () => {
    h = await harness({ createSeconds: 0, accountQuota: 40, env: { ACCOUNT_QUOTA: '40', CLOSE_QUOTA: '10' } });
    await checkDrift(h.deps, { trigger: 'test' });
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) ids.push((await h.provision({ name: `Play ${i}`, ou: 'Sandbox/Playground' })).id);
    for (const id of ids) await requestClose(h.deps, { id, reason: 'lease' });
    await (h.deps.decommission as unknown as { idle(): Promise<void> }).idle();
    const envs = await Promise.all(ids.map((id) => h!.deps.environments.get(id)));
    const statuses = envs.map((e) => e!.status);
    expect(statuses.filter((s) => s === 'CLOSED')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'CLOSE_QUEUED')).toHaveLength(2);
    expect(statuses.filter((s) => s === 'FAILED')).toHaveLength(0);
    const queued = envs.filter((e) => e!.status === 'CLOSE_QUEUED');
    for (const e of queued) expect(Date.parse(e!.closing!.notBefore!)).toBeGreaterThan(h.clock.now().getTime() + 29 * 24 * 3600 * 1000);

    // Nothing happens before the window has room…
    expect((await sweepClosings(h.deps)).resumed).toEqual([]);
    // …and 30 days on, the next attempts close them.
    h.clock.advance(30 * 24 * 3600 + 60);
    expect((await sweepClosings(h.deps)).resumed.sort()).toEqual(queued.map((e) => e!.id).sort());
    await (h.deps.decommission as unknown as { idle(): Promise<void> }).idle();
    for (const e of queued) expect((await h.deps.environments.get(e!.id))!.status).toBe('CLOSED');
  });
});
