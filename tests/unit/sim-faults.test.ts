import { AwsOrganization } from '../../shared/adapters/aws/organizations';
import { parseFaults } from '../../shared/adapters/local/sim-faults';
import { SimulatedOrganization } from '../../shared/adapters/local/sim-org';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';
import { main } from '../../local/sim-cli';
import { captureIo, removeTempDirs, tempDir } from '../fixtures/sim-cli';

afterAll(removeTempDirs);

describe('SWITCHYARD_SIM_FAULTS', () => {
  it('parses every kind, names matched without regard to case', () => {
    expect(parseFaults('throttle=0.3, conflict=0.1,crash-after-create=0.2,fail:EMAIL_ALREADY_EXISTS=Staging,stuck=Play Ground')).toEqual({
      throttle: 0.3,
      conflict: 0.1,
      crashAfterCreate: 0.2,
      fail: { staging: 'EMAIL_ALREADY_EXISTS' },
      stuck: ['play ground'],
    });
    expect(parseFaults(undefined)).toMatchObject({ throttle: 0, fail: {}, stuck: [] });
    expect(parseFaults('')).toMatchObject({ throttle: 0 });
  });

  it.each(['throttle=1.5', 'throttle=', 'throttle=abc', 'conflict=-0.1', 'explode=1', 'fail:lower=Name', 'fail:EMAIL_ALREADY_EXISTS=', 'stuck', '=0.3'])(
    'refuses %j with a message naming the entry',
    (spec) => {
      expect(() => parseFaults(spec)).toThrow(/SWITCHYARD_SIM_FAULTS/);
    },
  );
});

function org(faults: string, random = () => 0) {
  const sim = new SimulatedOrganization({ createSeconds: 0, faults: parseFaults(faults), random });
  return { sim, adapter: new AwsOrganization(simOrganizationsClient(sim, { maxAttempts: 1 })) };
}

describe('faults in the simulated organization', () => {
  it('throttle: calls fail with TooManyRequestsException (retryable), and are counted', async () => {
    const { sim, adapter } = org('throttle=1');
    await expect(adapter.listAccountsForParent(sim.findOuByPath('')!)).rejects.toMatchObject({ name: 'RetryableAwsError' });
    expect(sim.stats().faultsInjected).toEqual({ throttle: 1 });
  });

  it('conflict: only calls that change something fail with ConcurrentModificationException', async () => {
    const { sim, adapter } = org('conflict=1');
    await expect(adapter.listAccountsForParent(sim.findOuByPath('')!)).resolves.toHaveLength(1);
    await expect(adapter.createAccount({ name: 'Staging', email: 'a+staging@example.com', roleName: 'OrganizationAccountAccessRole', tags: {} })).rejects.toMatchObject({
      name: 'RetryableAwsError',
    });
    expect(sim.stats().faultsInjected).toEqual({ conflict: 1 });
    expect(sim.accountsView()).toHaveLength(1);
  });

  it('crash-after-create: the organization accepted the creation, the caller fails as a timed-out Lambda', async () => {
    const { sim, adapter } = org('crash-after-create=1');
    await expect(adapter.createAccount({ name: 'Staging', email: 'a+staging@example.com', roleName: 'OrganizationAccountAccessRole', tags: {} })).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
    });
    expect(sim.stats().callsByOperation.CreateAccount).toBe(1);
    expect((await adapter.listCreateAccountStatus(['IN_PROGRESS', 'SUCCEEDED'])).map((s) => s.accountName)).toEqual(['Staging']);
  });

  it('fail:REASON=NAME and stuck=NAME shape only the named creations', async () => {
    const { sim, adapter } = org('fail:INVALID_ADDRESS=Broken,stuck=Limbo');
    const input = (name: string) => ({ name, email: `a+${name.toLowerCase()}@example.com`, roleName: 'OrganizationAccountAccessRole', tags: {} });
    const broken = await adapter.createAccount(input('Broken'));
    const limbo = await adapter.createAccount(input('Limbo'));
    const fine = await adapter.createAccount(input('Fine'));
    expect(await adapter.describeCreateAccountStatus(broken.id)).toMatchObject({ state: 'FAILED', failureReason: 'INVALID_ADDRESS' });
    expect(await adapter.describeCreateAccountStatus(limbo.id)).toMatchObject({ state: 'IN_PROGRESS' });
    expect(await adapter.describeCreateAccountStatus(fine.id)).toMatchObject({ state: 'SUCCEEDED' });
    expect(sim.stats().faultsInjected).toEqual({ fail: 1, stuck: 1 });
  });

  it('npm run sim -- stats --json reports calls, faults injected and maxConcurrentCreates, as written by another process', async () => {
    const dataDir = tempDir();
    const sim = new SimulatedOrganization({ dataDir, createSeconds: 60, faults: parseFaults('throttle=0.5'), random: (() => { let i = 0; return () => (i++ % 2 ? 0.9 : 0.1); })() });
    const adapter = new AwsOrganization(simOrganizationsClient(sim, { maxAttempts: 1 }));
    await expect(adapter.listAccountsForParent(sim.findOuByPath('')!)).rejects.toBeDefined();
    await adapter.createAccount({ name: 'One', email: 'a+one@example.com', roleName: 'OrganizationAccountAccessRole', tags: {} });
    sim.flushStats();
    const io = captureIo(dataDir);
    expect(main(['stats', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ callsByOperation: { ListAccountsForParent: 1, CreateAccount: 1 }, faultsInjected: { throttle: 1 }, maxConcurrentCreates: 1 });
    const text = captureIo(dataDir);
    main(['stats'], text);
    expect(text.out).toContain('Faults injected: throttle 1');
  });
});
