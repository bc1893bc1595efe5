/**
 * A task waits briefly inside itself for a creation slot or a new account's role, and the clock it is
 * given decides when that wait is over: here a clock that has moved on by ten seconds each time it is
 * read, so the one-second waits end after a single try, without a second of real time going by.
 */
import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { RoleNotReadyError } from '../../shared/domain/errors';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { loadConfig } from '../../shared/lambda/config';
import type { AccountSetup, Clock, CreationSlotStore, CreationWakeStore, EnvironmentStore, Organization, OrganizationIndex } from '../../shared/ports';
import { configureAccountStep } from '../../shared/use-cases/handoff-steps';
import { createAccountStep } from '../../shared/use-cases/provision-steps';

const config = loadConfig({ CREATE_SLOT_WAIT_SECONDS: '1', ROLE_WAIT_SECONDS: '1', CREATE_SLOT_POLL_SECONDS: '7' });

function racingClock(): Clock {
  let t = Date.parse('2026-11-28T09:00:00Z');
  return { now: () => new Date((t += 10_000)) };
}

/** One environment in memory, with `update` as the port promises it. */
function oneEnvironment(env: Environment): EnvironmentStore {
  let current = env;
  return {
    get: async (id) => (id === current.id ? current : undefined),
    update: async (_id, change) => (current = { ...(change(current) ?? current), version: current.version + 1 }),
  } as Partial<EnvironmentStore> as EnvironmentStore;
}

const request = parseEnvironmentRequest({ name: 'Staging', ou: 'Workloads/Staging' }, { emailTemplate: 'admin+{slug}@example.com' });

it('CreateAccount stops waiting for a slot when the clock says the wait is over', async () => {
  let asked = 0;
  const creationSlots = { acquire: async () => (asked++, { acquired: false, inUse: 5 }) } as Partial<CreationSlotStore> as CreationSlotStore;
  const env = newEnvironment(request, { now: new Date('2026-11-28T09:00:00Z'), source: 'test' });
  const progress = await createAccountStep(
    { config, clock: racingClock(), environments: oneEnvironment(env), creationSlots, creationWakes: {} as CreationWakeStore, organization: {} as Organization, organizationIndex: {} as OrganizationIndex },
    { id: env.id },
  );
  expect(progress).toMatchObject({ state: 'QUEUED', waitSeconds: 7 });
  expect(asked).toBe(1);
});

it('ConfigureAccount stops waiting for the new role when the clock says the wait is over', async () => {
  let asked = 0;
  const accountSetup: AccountSetup = {
    setAlias: async () => {
      asked++;
      throw new RoleNotReadyError('not yet');
    },
    setAccountColor: async () => {
      throw new Error('ConfigureAccount got past the alias while the role was not ready');
    },
  };
  const placed = advance(newEnvironment(request, { now: new Date('2026-11-28T09:00:00Z'), source: 'test' }), 'PLACING', new Date('2026-11-28T09:05:00Z'), undefined, {
    accountId: '123456789012',
    ouId: 'ou-ab12-staging1',
  });
  const organization = { tagAccount: async () => undefined } as Partial<Organization> as Organization;
  await expect(configureAccountStep({ config, clock: racingClock(), environments: oneEnvironment(placed), organization, accountSetup }, { id: placed.id })).rejects.toBeInstanceOf(
    RoleNotReadyError,
  );
  expect(asked).toBe(1);
});
