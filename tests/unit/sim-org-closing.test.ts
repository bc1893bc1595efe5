import {
  CloseAccountCommand,
  CreateAccountCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListRootsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  API_CALL,
  CLOSE_QUOTA_RULE,
  CLOSE_QUOTA_WINDOW_MS,
  CLOSED_ACCOUNT_KEPT_MS,
  DEFAULT_MAX_CONCURRENT_CLOSES,
  SERVICE_EVENT,
  SimulatedOrganization,
  type SimulatedOrganizationOptions,
  type TrailCursor,
} from '../../shared/adapters/local/sim-org';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';
import { main } from '../../local/sim-cli';
import { captureIo, removeTempDirs, tempDir } from '../fixtures/sim-cli';

afterAll(removeTempDirs);

class FakeClock {
  t = Date.parse('2026-11-28T09:00:00.000Z');
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

function setup(options: SimulatedOrganizationOptions = {}) {
  const clock = new FakeClock();
  const sim = new SimulatedOrganization({ clock, accountQuota: 30, ...options });
  // One attempt: the SDK must not hide a refusal behind its own retries.
  const client = simOrganizationsClient(sim, { maxAttempts: 1 });
  return { clock, sim, client };
}

/** `count` member accounts, made one after another (createSeconds 0: each is done by the next call). */
async function members(client: OrganizationsClient, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const { CreateAccountStatus } = await client.send(new CreateAccountCommand({ AccountName: `Member ${i}`, Email: `member${i}@example.com` }));
    const done = await client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus!.Id }));
    ids.push(done.CreateAccountStatus!.AccountId!);
  }
  return ids;
}

async function describedAccount(client: OrganizationsClient, id: string) {
  return (await client.send(new DescribeAccountCommand({ AccountId: id }))).Account!;
}

async function close(client: OrganizationsClient, id: string) {
  return client.send(new CloseAccountCommand({ AccountId: id }));
}

async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string; Reason?: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as { name: string; message: string; Reason?: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to be refused');
}

function managementId(sim: SimulatedOrganization): string {
  return sim.DescribeOrganization({}).Organization!.MasterAccountId!;
}

/** The trail's records after `cursor`, and the cursor after them. */
function trailAfter(sim: SimulatedOrganization, cursor: TrailCursor) {
  const { records, gap, cursor: next } = sim.cloudTrailSince(cursor);
  expect(gap).toBe(false);
  return { records, cursor: next };
}

describe('CloseAccount through the real OrganizationsClient', () => {
  it('answers {} and shows the account PENDING_CLOSURE, then SUSPENDED once closeSeconds have passed', async () => {
    const { clock, client } = setup({ closeSeconds: 60 });
    const [id] = await members(client, 1);

    const answer = await close(client, id!);
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(Object.keys(answer).filter((k) => k !== '$metadata')).toEqual([]);
    expect(await describedAccount(client, id!)).toMatchObject({ Id: id, Status: 'PENDING_CLOSURE', State: 'PENDING_CLOSURE' });
    const listed = (await client.send(new ListAccountsCommand({}))).Accounts!.find((a) => a.Id === id);
    expect(listed).toMatchObject({ Status: 'PENDING_CLOSURE', State: 'PENDING_CLOSURE' });

    clock.advance(60 * SECOND - 1);
    expect((await describedAccount(client, id!)).Status).toBe('PENDING_CLOSURE');
    clock.advance(1);
    expect(await describedAccount(client, id!)).toMatchObject({ Status: 'SUSPENDED', State: 'SUSPENDED' });
    const root = (await client.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const inRoot = (await client.send(new ListAccountsForParentCommand({ ParentId: root }))).Accounts!.find((a) => a.Id === id);
    expect(inRoot).toMatchObject({ Status: 'SUSPENDED', State: 'SUSPENDED' });
  });

  it('with closeSeconds 0 (the default) the account is SUSPENDED by the next call', async () => {
    const { client } = setup();
    const [id] = await members(client, 1);
    await close(client, id!);
    expect((await describedAccount(client, id!)).Status).toBe('SUSPENDED');
  });

  it('refuses an unknown account, an account already closed (pending or suspended) and the management account, with AWS names', async () => {
    const { clock, sim, client } = setup({ closeSeconds: 60 });
    const [id] = await members(client, 1);

    const unknown = await refusal(close(client, '000000000000'));
    expect(unknown).toMatchObject({ name: 'AccountNotFoundException', message: "We can't find an account with the ID 000000000000." });
    expect(unknown.$metadata.httpStatusCode).toBe(400);

    await close(client, id!);
    expect(await refusal(close(client, id!))).toMatchObject({
      name: 'AccountAlreadyClosedException',
      message: `You attempted to close an account that is already closed: ${id} is PENDING_CLOSURE.`,
    });
    clock.advance(60 * SECOND);
    expect(await refusal(close(client, id!))).toMatchObject({
      name: 'AccountAlreadyClosedException',
      message: `You attempted to close an account that is already closed: ${id} is SUSPENDED.`,
    });

    const management = managementId(sim);
    expect(await refusal(close(client, management))).toMatchObject({ name: 'ConstraintViolationException', Reason: 'CANNOT_CLOSE_MANAGEMENT_ACCOUNT' });
    expect((await describedAccount(client, management)).Status).toBe('ACTIVE');
    expect(await refusal(client.send(new CloseAccountCommand({} as never)))).toMatchObject({ name: 'InvalidInputException', Reason: 'INPUT_REQUIRED' });
  });

  it("refuses the 11th closing of an organization of 20 accounts (AWS's rule: 10% of 19 members, at least 10) until 30 days have passed", async () => {
    const { clock, sim, client } = setup({ accountQuota: 20 });
    const ids = await members(client, 19);
    const organizationSize = (await client.send(new ListAccountsCommand({}))).Accounts!.length;
    expect(organizationSize).toBe(20);
    const quota = Math.min(CLOSE_QUOTA_RULE.max, Math.max(CLOSE_QUOTA_RULE.min, Math.floor((organizationSize - 1) * CLOSE_QUOTA_RULE.share)));
    expect(quota).toBe(10);

    const firstClosing = clock.t;
    for (const id of ids.slice(0, quota)) {
      await close(client, id);
      clock.advance(SECOND); // each closing (closeSeconds 0) ends before the next, so only the quota can refuse
    }
    const next = ids[quota]!;
    const refused = await refusal(close(client, next));
    expect(refused).toMatchObject({ name: 'ConstraintViolationException', Reason: 'CLOSE_ACCOUNT_QUOTA_EXCEEDED' });
    const freesAt = new Date(firstClosing + CLOSE_QUOTA_WINDOW_MS).toISOString();
    expect(refused.message).toBe(`You have exceeded close account quota for the past 30 days: ${quota} accounts closed, of at most ${quota}. The next closing is possible from ${freesAt}.`);
    expect((await describedAccount(client, next)).Status).toBe('ACTIVE');

    // A by-hand close in the console is the same request and meets the same quota.
    expect(() => sim.closeAccount(next)).toThrow(expect.objectContaining({ name: 'ConstraintViolationException', fields: { Reason: 'CLOSE_ACCOUNT_QUOTA_EXCEEDED' } }));

    clock.t = firstClosing + CLOSE_QUOTA_WINDOW_MS - 1;
    expect((await refusal(close(client, next))).Reason).toBe('CLOSE_ACCOUNT_QUOTA_EXCEEDED');
    clock.t = firstClosing + CLOSE_QUOTA_WINDOW_MS;
    await close(client, next);
    expect((await describedAccount(client, next)).Status).toBe('SUSPENDED');
    // Only the first closing left the window: the one after is refused again.
    expect((await refusal(close(client, ids[quota + 1]!))).Reason).toBe('CLOSE_ACCOUNT_QUOTA_EXCEEDED');
  });

  it('takes the quota from the closeQuota setting when one is given', async () => {
    const { client } = setup({ closeQuota: 2 });
    const ids = await members(client, 3);
    await close(client, ids[0]!);
    await close(client, ids[1]!);
    expect((await refusal(close(client, ids[2]!))).Reason).toBe('CLOSE_ACCOUNT_QUOTA_EXCEEDED');
  });

  it(`refuses more than maxConcurrentCloses (default ${DEFAULT_MAX_CONCURRENT_CLOSES}) closings PENDING_CLOSURE at once`, async () => {
    const { clock, client } = setup({ closeSeconds: 60 });
    const ids = await members(client, DEFAULT_MAX_CONCURRENT_CLOSES + 1);
    for (const id of ids.slice(0, DEFAULT_MAX_CONCURRENT_CLOSES)) await close(client, id);
    const last = ids[DEFAULT_MAX_CONCURRENT_CLOSES]!;
    const refused = await refusal(close(client, last));
    expect(refused).toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED',
      message: `You attempted to exceed the number of accounts that you can close at a time: ${DEFAULT_MAX_CONCURRENT_CLOSES} closings are in progress, of at most ${DEFAULT_MAX_CONCURRENT_CLOSES}. Try again when one has finished.`,
    });
    clock.advance(60 * SECOND);
    await close(client, last);
    expect((await describedAccount(client, last)).Status).toBe('PENDING_CLOSURE');
  });

  it('takes the concurrent limit from maxConcurrentCloses', async () => {
    const { client } = setup({ closeSeconds: 60, maxConcurrentCloses: 1 });
    const ids = await members(client, 2);
    await close(client, ids[0]!);
    expect((await refusal(close(client, ids[1]!))).Reason).toBe('CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED');
  });

  it('keeps closed accounts in the account quota until they leave for good, 90 days after closing', async () => {
    const accountQuota = 3;
    const { clock, sim, client } = setup({ accountQuota, closeSeconds: 60 });
    const ids = await members(client, accountQuota - 1);
    await close(client, ids[0]!);
    clock.advance(60 * SECOND);
    expect((await describedAccount(client, ids[0]!)).Status).toBe('SUSPENDED');

    const { CreateAccountStatus } = await client.send(new CreateAccountCommand({ AccountName: 'One Too Many', Email: 'toomany@example.com' }));
    const failed = (await client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus!.Id }))).CreateAccountStatus!;
    expect(failed).toMatchObject({ State: 'FAILED', FailureReason: 'ACCOUNT_LIMIT_EXCEEDED' });

    const closedAt = Date.parse(sim.accountsView().find((a) => a.id === ids[0])!.closedAt!);
    clock.t = closedAt + CLOSED_ACCOUNT_KEPT_MS - 1;
    expect((await describedAccount(client, ids[0]!)).Status).toBe('SUSPENDED');
    clock.t = closedAt + CLOSED_ACCOUNT_KEPT_MS;
    expect((await refusal(describedAccount(client, ids[0]!))).name).toBe('AccountNotFoundException');
    expect((await client.send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id)).not.toContain(ids[0]);

    const { CreateAccountStatus: again } = await client.send(new CreateAccountCommand({ AccountName: 'Room Again', Email: 'room@example.com' }));
    expect((await client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: again!.Id }))).CreateAccountStatus!.State).toBe('SUCCEEDED');
  });
});

describe('CloudTrail records of closings', () => {
  it('records CloseAccount when called and CloseAccountResult when the account is SUSPENDED (settled by the trail read itself)', async () => {
    const { clock, sim, client } = setup({ closeSeconds: 60 });
    const [id] = await members(client, 1);
    let cursor = sim.cloudTrailSince(undefined).cursor;
    const requestedAt = clock.now().toISOString();
    await close(client, id!);

    const called = trailAfter(sim, cursor);
    cursor = called.cursor;
    expect(called.records).toHaveLength(1);
    expect(called.records[0]!.detailType).toBe(API_CALL);
    expect(called.records[0]!.detail).toMatchObject({
      eventSource: 'organizations.amazonaws.com',
      eventName: 'CloseAccount',
      eventType: 'AwsApiCall',
      eventTime: requestedAt.replace(/\.\d{3}Z$/, 'Z'),
      requestParameters: { accountId: id },
      responseElements: null,
    });

    clock.advance(30 * SECOND);
    expect(trailAfter(sim, cursor).records).toEqual([]);
    clock.advance(30 * SECOND);
    const completedAt = clock.now().toISOString();
    const result = trailAfter(sim, cursor);
    expect(result.records).toHaveLength(1);
    expect(result.records[0]!.detailType).toBe(SERVICE_EVENT);
    expect(result.records[0]!.detail).toMatchObject({
      eventSource: 'organizations.amazonaws.com',
      eventName: 'CloseAccountResult',
      eventType: 'AwsServiceEvent',
      userIdentity: { invokedBy: 'organizations.amazonaws.com' },
      serviceEventDetails: { closeAccountStatus: { accountId: id, state: 'SUCCEEDED', requestedTimestamp: requestedAt, completedTimestamp: completedAt } },
    });
    expect((await describedAccount(client, id!)).Status).toBe('SUSPENDED');
  });

  it('records a refused CloseAccount nowhere', async () => {
    const { sim, client } = setup();
    const cursor = sim.cloudTrailSince(undefined).cursor;
    await refusal(close(client, managementId(sim)));
    expect(trailAfter(sim, cursor).records).toEqual([]);
  });

  it('records AccountDepartedOrganization (CLEANED) when a closed account leaves after 90 days', async () => {
    const { clock, sim, client } = setup();
    const [id] = await members(client, 1);
    await close(client, id!);
    const cursor = trailAfter(sim, sim.cloudTrailSince(undefined).cursor).cursor;
    clock.advance(CLOSED_ACCOUNT_KEPT_MS);
    const departed = trailAfter(sim, cursor).records;
    expect(departed.map((r) => [r.detailType, r.detail.eventName])).toEqual([[SERVICE_EVENT, 'AccountDepartedOrganization']]);
    expect(departed[0]!.detail.serviceEventDetails).toEqual({ accountId: id, departureMethod: 'CLEANED', departureTime: clock.now().toISOString() });
  });
});

describe('closing by hand (npm run sim -- close)', () => {
  it('goes through the same lifecycle and records CloseAccount, then CloseAccountResult', async () => {
    const { clock, sim, client } = setup({ closeSeconds: 60 });
    const [id] = await members(client, 1);
    const cursor = sim.cloudTrailSince(undefined).cursor;
    const closedAt = clock.now().toISOString();
    const suspendsAt = new Date(clock.t + 60 * SECOND).toISOString();

    expect(sim.closeAccount(id!)).toMatchObject({ id, status: 'PENDING_CLOSURE', closedAt, suspendsAt });
    expect((await describedAccount(client, id!)).Status).toBe('PENDING_CLOSURE');
    clock.advance(60 * SECOND);
    const view = sim.accountsView().find((a) => a.id === id)!;
    expect(view).toMatchObject({ status: 'SUSPENDED', closedAt });
    expect(view.suspendsAt).toBeUndefined();
    expect(trailAfter(sim, cursor).records.map((r) => r.detail.eventName)).toEqual(['CloseAccount', 'CloseAccountResult']);
  });

  it('with closeSeconds 0 shows the account SUSPENDED at once', () => {
    const { sim } = setup();
    const { id } = sim.createAccountByHand('Shadow', 'shadow@example.com', '');
    expect(sim.closeAccount(id)).toMatchObject({ status: 'SUSPENDED' });
  });
});

describe('an organization kept in a file', () => {
  it('settles a closing that came due on a read without the lock, and another process sees it', async () => {
    const dataDir = tempDir();
    const { clock, client } = setup({ dataDir, closeSeconds: 60 });
    const [id] = await members(client, 1);
    await close(client, id!);
    expect((await describedAccount(client, id!)).Status).toBe('PENDING_CLOSURE');
    clock.advance(60 * SECOND);
    expect((await describedAccount(client, id!)).Status).toBe('SUSPENDED');
    const other = new SimulatedOrganization({ dataDir, clock });
    expect(other.accountsView().find((a) => a.id === id)?.status).toBe('SUSPENDED');
  });

  function cli(dataDir: string, ...argv: string[]) {
    const io = captureIo(dataDir);
    const code = main(argv, io);
    return { code, out: io.out, err: io.err };
  }

  it('npm run sim -- close leaves the account PENDING_CLOSURE for closeSeconds, and accounts --json shows status and closedAt', () => {
    const dataDir = tempDir();
    const org = new SimulatedOrganization({ dataDir, closeSeconds: 3600 });
    const { id } = org.createAccountByHand('Staging', 'staging@example.com', '');

    const closed = cli(dataDir, 'close', id);
    expect(closed.code).toBe(0);
    const view = org.accountsView().find((a) => a.id === id)!;
    expect(view.status).toBe('PENDING_CLOSURE');
    expect(Date.parse(view.suspendsAt!) - Date.parse(view.closedAt!)).toBe(3600 * SECOND);
    expect(closed.out).toBe(`Closed ${id} (Staging); it is PENDING_CLOSURE now, SUSPENDED from ${view.suspendsAt}.\n`);

    const listed = JSON.parse(cli(dataDir, 'accounts', '--json').out) as Array<Record<string, unknown>>;
    expect(listed.find((a) => a.id === id)).toEqual({ id, name: 'Staging', email: 'staging@example.com', status: 'PENDING_CLOSURE', ou: '', closedAt: view.closedAt });
    expect(listed.find((a) => a.id !== id)).not.toHaveProperty('closedAt');
  });
});

describe('closing settings', () => {
  it.each([
    [{ closeSeconds: -1 }, /closeSeconds/],
    [{ closeQuota: 1.5 }, /closeQuota/],
    [{ closeQuota: -1 }, /closeQuota/],
    [{ closeQuota: Number.NaN }, /closeQuota/],
    [{ maxConcurrentCloses: 0 }, /maxConcurrentCloses/],
  ] as [SimulatedOrganizationOptions, RegExp][])('refuses %p', (options, message) => {
    expect(() => new SimulatedOrganization(options)).toThrow(message);
  });
});
