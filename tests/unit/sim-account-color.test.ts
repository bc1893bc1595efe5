/**
 * Each account's console colour in the simulated organization: set from inside the account (through
 * its organization access role), checked as UXC checks `accountColor`, kept in the organization's
 * file across a restart, and shown by `npm run sim -- accounts`.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { main } from '../../local/sim-cli';
import { SimulatedAccess } from '../../shared/adapters/local/sim-access';
import { organizationFilePath, SimulatedOrganization } from '../../shared/adapters/local/sim-org';
import { captureIo, removeTempDirs, tempDir } from '../fixtures/sim-cli';

afterAll(removeTempDirs);

class FakeClock {
  t = Date.parse('2026-11-28T09:00:00Z');
  now = () => new Date(this.t);
}

function withAccount(options: { dataDir?: string; roleDelaySeconds?: number; clock?: FakeClock } = {}): { sim: SimulatedOrganization; accountId: string } {
  const sim = new SimulatedOrganization({ ...options });
  const { CreateAccountStatus } = sim.CreateAccount({ AccountName: 'Staging', Email: 'admin+staging@example.com' });
  const accountId = sim.DescribeCreateAccountStatus({ CreateAccountRequestId: CreateAccountStatus!.Id }).CreateAccountStatus!.AccountId!;
  return { sim, accountId };
}

const colourOf = (sim: SimulatedOrganization, id: string) => sim.accountsView().find((a) => a.id === id)!.accountColor;

describe('the simulated account colour', () => {
  it('is none until set, then what was set; the same colour again changes nothing; none takes it away', () => {
    const dataDir = tempDir();
    const { sim, accountId } = withAccount({ dataDir });
    expect(sim.getAccountColor(accountId)).toBe('none');
    expect(colourOf(sim, accountId)).toBeUndefined();
    sim.setAccountColor(accountId, 'teal');
    // The file is replaced whole on every write: the same inode means it was not written again.
    const written = statSync(organizationFilePath(dataDir)).ino;
    sim.setAccountColor(accountId, 'teal');
    expect(statSync(organizationFilePath(dataDir)).ino).toBe(written);
    expect(sim.getAccountColor(accountId)).toBe('teal');
    expect(colourOf(sim, accountId)).toBe('teal');
    sim.setAccountColor(accountId, 'none');
    expect(sim.getAccountColor(accountId)).toBe('none');
    expect(colourOf(sim, accountId)).toBeUndefined();
  });

  it("refuses a value outside UXC's list as UXC does, and an account that does not exist", () => {
    const { sim, accountId } = withAccount();
    expect(() => sim.setAccountColor(accountId, 'blue')).toThrow(expect.objectContaining({ name: 'ValidationException', message: expect.stringContaining("Value \"blue\" at 'accountColor'") }));
    expect(() => sim.setAccountColor('999999999999', 'red')).toThrow(expect.objectContaining({ name: 'AccountNotFoundException' }));
    expect(sim.getAccountColor(accountId)).toBe('none');
  });

  it('survives a restart with the rest of the organization, and a file written before colours loads as it is', () => {
    const dataDir = tempDir();
    const { sim, accountId } = withAccount({ dataDir });
    sim.setAccountColor(accountId, 'lightBlue');
    expect(colourOf(new SimulatedOrganization({ dataDir }), accountId)).toBe('lightBlue');

    const file = organizationFilePath(dataDir);
    const older = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete older.uxc;
    writeFileSync(file, JSON.stringify(older));
    const reloaded = new SimulatedOrganization({ dataDir });
    expect(reloaded.getAccountColor(accountId)).toBe('none');
    reloaded.setAccountColor(accountId, 'orange');
    expect(colourOf(new SimulatedOrganization({ dataDir }), accountId)).toBe('orange');
  });

  it('npm run sim -- accounts shows it: accountColor in --json, a COLOR column in the table', () => {
    const dataDir = tempDir();
    const { sim, accountId } = withAccount({ dataDir });
    sim.setAccountColor(accountId, 'red');
    const json = captureIo(dataDir);
    expect(main(['accounts', '--json'], json)).toBe(0);
    const accounts = JSON.parse(json.out) as Array<Record<string, unknown>>;
    expect(accounts.find((a) => a.id === accountId)).toMatchObject({ name: 'Staging', accountColor: 'red' });
    // The management account was never coloured.
    expect(accounts.find((a) => a.name === 'Management')).not.toHaveProperty('accountColor');

    const text = captureIo(dataDir);
    expect(main(['accounts'], text)).toBe(0);
    const [head, , row] = text.out.trimEnd().split('\n') as [string, string, string];
    expect(head).toMatch(/\bCOLOR$/);
    expect(row.indexOf('red')).toBe(head.indexOf('COLOR'));
  });
});

describe('SimulatedAccess.setAccountColor (the local AccountSetup)', () => {
  it('is refused as not ready while the role cannot be assumed yet, then sets the colour', async () => {
    const clock = new FakeClock();
    const { sim, accountId } = withAccount({ roleDelaySeconds: 5, clock });
    const access = new SimulatedAccess(sim);
    await expect(access.setAccountColor(accountId, 'OrganizationAccountAccessRole', 'green')).rejects.toMatchObject({ name: 'RoleNotReadyError' });
    clock.t += 5_000;
    await access.setAccountColor(accountId, 'OrganizationAccountAccessRole', 'green');
    expect(sim.getAccountColor(accountId)).toBe('green');
  });

  it("words UXC's refusal as the deployed adapter does", async () => {
    const { sim, accountId } = withAccount();
    const error = (await new SimulatedAccess(sim).setAccountColor(accountId, 'OrganizationAccountAccessRole', 'magenta' as never).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'AwsRequestRejectedError', awsError: 'ValidationException' });
    expect(error.message).toMatch(/^UXC ValidationException — .*Fix: this is a defect/);
  });
});
