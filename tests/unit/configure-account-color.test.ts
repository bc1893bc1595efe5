/**
 * ConfigureAccount's account colour, with the ports in memory: which colour each environment colour
 * becomes, what reaches the timeline when AWS refuses it, and that a role not yet assumable waits and
 * then goes to the state machine exactly as for the alias. Hex values are the switch-role palette AWS
 * re:Post listed in August 2024 (and the earlier orange, yellow and blue still recorded on old
 * environments); account colours are UXC's `accountColor` values.
 */
import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { AwsRequestRejectedError, RetryableAwsError, RoleNotReadyError } from '../../shared/domain/errors';
import type { AccountColor } from '../../shared/domain/colors';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { loadConfig } from '../../shared/lambda/config';
import type { AccountSetup, Clock, EnvironmentStore, Organization } from '../../shared/ports';
import { configureAccountStep } from '../../shared/use-cases/handoff-steps';

const ACCOUNT = '123456789012';

function store(env: Environment): EnvironmentStore & { current(): Environment } {
  let current = env;
  return {
    current: () => current,
    get: async (id: string) => (id === current.id ? current : undefined),
    update: async (_id: string, change: (e: Environment) => Environment | undefined) => (current = { ...(change(current) ?? current), version: current.version + 1 }),
  } as Partial<EnvironmentStore> as EnvironmentStore & { current(): Environment };
}

function placed(color: string, alias?: string): Environment {
  const request = parseEnvironmentRequest({ name: 'Staging', ou: 'Workloads/Staging' }, { emailTemplate: 'admin+{slug}@example.com' });
  const env = { ...newEnvironment(request, { now: new Date('2026-11-28T09:00:00Z'), source: 'test' }), color };
  return advance(env, 'PLACING', new Date('2026-11-28T09:05:00Z'), undefined, { accountId: ACCOUNT, ouId: 'ou-ab12-staging1', ...(alias ? { alias } : {}) });
}

/** An account whose alias is set at once and whose colour does what `paint` says. */
function setup(paint: (color: AccountColor) => Promise<void>): AccountSetup & { painted: AccountColor[]; colorCalls: number } {
  const s = {
    painted: [] as AccountColor[],
    colorCalls: 0,
    setAlias: async () => 'set' as const,
    setAccountColor: async (_accountId: string, _roleName: string, color: AccountColor) => {
      s.colorCalls++;
      await paint(color);
      s.painted.push(color);
    },
  };
  return s;
}

const organization = { tagAccount: async () => undefined } as Partial<Organization> as Organization;
const stillClock: Clock = { now: () => new Date('2026-11-28T09:06:00Z') };

async function configure(env: Environment, accountSetup: AccountSetup, opts: { roleWaitSeconds?: number; clock?: Clock } = {}) {
  const environments = store(env);
  const config = loadConfig({ ROLE_WAIT_SECONDS: String(opts.roleWaitSeconds ?? 0) });
  const result = await configureAccountStep({ config, clock: opts.clock ?? stillClock, environments, organization, accountSetup }, { id: env.id });
  return { result, env: environments.current(), notes: environments.current().timeline.map((t) => t.note) };
}

describe('the colour each environment colour paints its account', () => {
  it.each([
    ['F2B0A9', 'red'],
    ['FBC8AA', 'orange'],
    ['EFDA95', 'yellow'],
    ['B7CA9D', 'green'],
    ['83D4E8', 'lightBlue'],
    // Recorded before the console changed its palette: still the same colours.
    ['FBBF93', 'orange'],
    ['FAD791', 'yellow'],
    ['99BCE3', 'lightBlue'],
  ])('%s → %s', async (hex, accountColor) => {
    const s = setup(async () => undefined);
    const { result, notes } = await configure(placed(hex), s);
    expect(s.painted).toEqual([accountColor]);
    expect(result).toMatchObject({ accountColor });
    expect(notes).toContain(`account colour ${accountColor}`);
  });

  it('leaves an account whose recorded colour is outside the palette uncoloured, and says so', async () => {
    const s = setup(async () => undefined);
    const { result, notes } = await configure(placed('123ABC'), s);
    expect(s.colorCalls).toBe(0);
    expect(result.accountColor).toBeUndefined();
    expect(notes).toContain('switch-role colour 123ABC has no console account colour; the account is left uncoloured');
  });
});

describe('when the colour cannot be set', () => {
  it.each([
    ['refused', new AwsRequestRejectedError('UXC AccessDeniedException — denied by an SCP. Fix: set it by hand', 'AccessDeniedException')],
    ['still throttled after the retries', new RetryableAwsError('UXC ThrottlingException — Rate exceeded. Fix: nothing to change', 'ThrottlingException')],
  ])('%s: the alias and tags stand, the step succeeds, and the timeline says why', async (_label, error) => {
    const s = setup(async () => {
      throw error;
    });
    const { result, env, notes } = await configure(placed('EFDA95'), s);
    expect(result).toEqual({ alias: 'staging', tags: expect.any(Number) });
    expect(env.alias).toBe('staging');
    expect(notes).toContain('account alias staging; tagged');
    expect(notes).toContain(`account colour yellow not set: ${error.message}`);
  });

  it('a defect (not an answer from AWS) is not hidden in a note', async () => {
    const s = setup(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'AccessKeyId')");
    });
    await expect(configure(placed('EFDA95'), s)).rejects.toBeInstanceOf(TypeError);
  });

  it('waits for a role that is not assumable yet, then sets the colour', async () => {
    let refusals = 1;
    const s = setup(async () => {
      if (refusals-- > 0) throw new RoleNotReadyError('not yet');
    });
    // The alias was set by an earlier run: the colour is the first use of the role here.
    const { notes } = await configure(placed('B7CA9D', 'staging'), s, { roleWaitSeconds: 5 });
    expect(s.colorCalls).toBe(2);
    expect(s.painted).toEqual(['green']);
    expect(notes).toContain('account colour green');
  });

  it('hands a role that stays unassumable to the state machine, as for the alias', async () => {
    let t = Date.parse('2026-11-28T09:06:00Z');
    const racing: Clock = { now: () => new Date((t += 10_000)) };
    const s = setup(async () => {
      throw new RoleNotReadyError('not yet');
    });
    await expect(configure(placed('B7CA9D', 'staging'), s, { roleWaitSeconds: 1, clock: racing })).rejects.toBeInstanceOf(RoleNotReadyError);
  });
});

it('running the step twice sets the same colour again and keeps one note', async () => {
  const s = setup(async () => undefined);
  const first = await configure(placed('83D4E8'), s);
  const environments = store(first.env);
  await configureAccountStep({ config: loadConfig({ ROLE_WAIT_SECONDS: '0' }), clock: stillClock, environments, organization, accountSetup: s }, { id: first.env.id });
  expect(s.painted).toEqual(['lightBlue', 'lightBlue']);
  expect(environments.current().timeline.filter((t) => t.note === 'account colour lightBlue')).toHaveLength(1);
});
