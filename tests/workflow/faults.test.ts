import { harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const names = (n: number, prefix = 'Env') => Array.from({ length: n }, (_, i) => `${prefix} ${String(i + 1).padStart(2, '0')}`);

describe('at most five account creations at once', () => {
  it('queues the sixth and later requests and provisions all of them, one account each', async () => {
    h = await harness({ createSeconds: 30, accountQuota: 20, env: { ACCOUNT_QUOTA: '20' } });
    const envs = await Promise.all(names(12).map((name) => h!.provision({ name, ou: 'Sandbox/Playground' })));
    expect(envs.map((e) => e.status)).toEqual(Array(12).fill('READY'));
    expect(h.sim.stats().maxConcurrentCreates).toBeLessThanOrEqual(5);
    expect(h.sim.stats().callsByOperation.CreateAccount).toBe(12);
    expect(h.sim.accountsView()).toHaveLength(13);
    // Some waited their turn, and said so; none was refused by Organizations for going over.
    expect(envs.some((e) => e.timeline.some((t) => t.note?.startsWith('waiting for a creation slot')))).toBe(true);
    expect(h.states.size).toBe(12);
    // Every slot is back.
    expect((await h.deps.creationSlots.acquire('probe', { limit: 5, now: h.clock.now(), staleAfterSeconds: 3600 })).inUse).toBe(1);
  });

  it('honours a lower MAX_CONCURRENT_CREATES', async () => {
    h = await harness({ createSeconds: 30, accountQuota: 20, env: { ACCOUNT_QUOTA: '20', MAX_CONCURRENT_CREATES: '2' } });
    const envs = await Promise.all(names(6).map((name) => h!.provision({ name, ou: 'Sandbox/Playground' })));
    expect(envs.every((e) => e.status === 'READY')).toBe(true);
    expect(h.sim.stats().maxConcurrentCreates).toBeLessThanOrEqual(2);
  });

  it('takes back a slot whose holder died, once it is older than the creation cap', async () => {
    h = await harness({ createSeconds: 10, env: { MAX_CONCURRENT_CREATES: '1', ACCOUNT_CREATION_CAP_SECONDS: '60' } });
    await h.deps.creationSlots.acquire('ghost-00000000', { limit: 1, now: h.clock.now(), staleAfterSeconds: 360 });
    h.clock.advance(361);
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
  });
});

describe('faults the simulated organization injects', () => {
  it('crash-after-create: the retried step finds the accepted creation instead of creating again', async () => {
    h = await harness({ createSeconds: 20, faults: 'crash-after-create=1' });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(h.sim.stats().callsByOperation.CreateAccount).toBe(1);
    expect(h.sim.stats().faultsInjected).toMatchObject({ 'crash-after-create': 1 });
    expect(h.sim.accountsView().filter((a) => a.name === 'Staging')).toHaveLength(1);
  });

  it('throttle and conflict: every environment still ends READY with one account each', async () => {
    h = await harness({ createSeconds: 20, accountQuota: 20, env: { ACCOUNT_QUOTA: '20' }, faults: 'throttle=0.3,conflict=0.3', orgMaxAttempts: 5, seed: 7 });
    const envs = await Promise.all(names(8).map((name) => h!.provision({ name, ou: 'Sandbox/Playground' })));
    expect(envs.map((e) => e.status)).toEqual(Array(8).fill('READY'));
    const stats = h.sim.stats();
    expect(stats.faultsInjected!.throttle).toBeGreaterThan(0);
    expect(stats.faultsInjected!.conflict).toBeGreaterThan(0);
    expect(h.sim.accountsView()).toHaveLength(9);
  });

  it('fail:EMAIL_ALREADY_EXISTS=NAME ends FAILED with the plus-addressing fix', async () => {
    h = await harness({ createSeconds: 20, faults: 'fail:EMAIL_ALREADY_EXISTS=Staging' });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('FAILED');
    expect(env.failure).toMatchObject({ code: 'EMAIL_ALREADY_EXISTS', state: 'CheckAccountStatus' });
    expect(env.failure!.fix).toMatch(/plus/i);
    expect(h.sim.stats().faultsInjected).toMatchObject({ fail: 1 });
  });

  it('stuck=NAME ends FAILED with the timeout explanation once the cap passes, and frees its slot', async () => {
    h = await harness({ createSeconds: 20, faults: 'stuck=Limbo', env: { ACCOUNT_CREATION_CAP_SECONDS: '120', MAX_CONCURRENT_CREATES: '1' } });
    const env = await h.provision({ name: 'Limbo', ou: 'Sandbox/Playground' });
    expect(env.status).toBe('FAILED');
    expect(env.failure).toMatchObject({ code: 'AccountCreationTimedOutError' });
    expect(env.failure!.message).toMatch(/still creating the account .* the cap is 120 s/);
    expect(env.failure!.fix.length).toBeGreaterThan(10);
    expect((await h.deps.environments.get(env.id))!.status).toBe('FAILED');
    const next = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(next.status).toBe('READY');
  });
});
