import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DeleteOrganizationCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
  UntagResourceCommand,
  paginateListAccounts,
  paginateListTagsForResource,
} from '@aws-sdk/client-organizations';
import { SimulatedOrganization, type SimulatedOrganizationOptions } from '../../shared/adapters/local/sim-org';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';

class FakeClock {
  t = Date.parse('2026-11-28T09:00:00.123Z');
  now = () => new Date(this.t);
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}

function setup(options: SimulatedOrganizationOptions = {}) {
  const clock = new FakeClock();
  const sim = new SimulatedOrganization({ clock, ...options });
  // One attempt: the SDK must not hide a throttling answer behind its own retries.
  const client = simOrganizationsClient(sim, { maxAttempts: 1 });
  return { clock, sim, client };
}

async function rootId(client: OrganizationsClient): Promise<string> {
  const { Roots } = await client.send(new ListRootsCommand({}));
  return Roots![0]!.Id!;
}

async function create(client: OrganizationsClient, name: string, email = `${name.toLowerCase().replace(/\W/g, '')}@example.com`) {
  const { CreateAccountStatus } = await client.send(new CreateAccountCommand({ AccountName: name, Email: email }));
  return CreateAccountStatus!;
}

async function status(client: OrganizationsClient, id: string) {
  return (await client.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }))).CreateAccountStatus!;
}

/** Creates accounts one after another with createSeconds 0 (each finishes by the next call). */
async function createMany(client: OrganizationsClient, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await create(client, `Member ${i}`, `member${i}@example.com`);
  await client.send(new ListRootsCommand({}));
}

describe('the simulated organization through the real SDK client', () => {
  it('starts with a management account in the root and describes itself', async () => {
    const { client } = setup();
    const root = await rootId(client);
    expect(root).toMatch(/^r-[a-z0-9]{4}$/);
    const { Accounts } = await client.send(new ListAccountsCommand({}));
    expect(Accounts).toEqual([expect.objectContaining({ Name: 'Management', Email: 'management@example.com', Status: 'ACTIVE' })]);
    expect(Accounts![0]!.Id).toMatch(/^\d{12}$/);
    const { Organization } = await client.send(new DescribeOrganizationCommand({}));
    expect(Organization).toMatchObject({ MasterAccountId: Accounts![0]!.Id, MasterAccountEmail: 'management@example.com', FeatureSet: 'ALL' });
    const { Parents } = await client.send(new ListParentsCommand({ ChildId: Accounts![0]!.Id }));
    expect(Parents).toEqual([{ Id: root, Type: 'ROOT' }]);
  });

  it('keeps a creation IN_PROGRESS until createSeconds have passed, then the account is in the root with its tags', async () => {
    const { client, clock } = setup({ createSeconds: 60 });
    const requestedAt = clock.now();
    const { CreateAccountStatus: created } = await client.send(
      new CreateAccountCommand({ AccountName: 'Staging', Email: 'admin+staging@example.com', Tags: [{ Key: 'switchyard:environment', Value: 'staging' }] }),
    );
    expect(created!.Id).toMatch(/^car-[a-z0-9]{8,32}$/);
    expect(created).toMatchObject({ State: 'IN_PROGRESS', AccountName: 'Staging' });
    // Timestamps cross the wire as epoch seconds and come back as the same Date.
    expect(created!.RequestedTimestamp).toEqual(requestedAt);

    clock.advance(59);
    expect(await status(client, created!.Id!)).toMatchObject({ State: 'IN_PROGRESS' });
    expect((await client.send(new ListAccountsCommand({}))).Accounts).toHaveLength(1);

    clock.advance(1);
    const done = await status(client, created!.Id!);
    expect(done).toMatchObject({ State: 'SUCCEEDED', AccountId: expect.stringMatching(/^\d{12}$/) });
    expect(done.CompletedTimestamp).toEqual(new Date(requestedAt.getTime() + 60_000));
    expect(done.FailureReason).toBeUndefined();

    const { Account } = await client.send(new DescribeAccountCommand({ AccountId: done.AccountId }));
    expect(Account).toMatchObject({ Name: 'Staging', Email: 'admin+staging@example.com', Status: 'ACTIVE', JoinedTimestamp: done.CompletedTimestamp });
    const { Parents } = await client.send(new ListParentsCommand({ ChildId: done.AccountId }));
    expect(Parents).toEqual([{ Id: await rootId(client), Type: 'ROOT' }]);
    const { Tags } = await client.send(new ListTagsForResourceCommand({ ResourceId: done.AccountId }));
    expect(Tags).toEqual([{ Key: 'switchyard:environment', Value: 'staging' }]);
  });

  it('finishes a createSeconds 0 creation by the next call', async () => {
    const { client } = setup();
    const created = await create(client, 'Quick');
    expect(created.State).toBe('IN_PROGRESS');
    expect(await status(client, created.Id!)).toMatchObject({ State: 'SUCCEEDED' });
  });

  it('fails a creation with EMAIL_ALREADY_EXISTS when an account already has the address, whatever its case', async () => {
    const { client, clock } = setup({ createSeconds: 30 });
    const first = await create(client, 'Staging', 'admin+staging@example.com');
    const second = await create(client, 'Staging again', 'Admin+Staging@Example.com');
    clock.advance(30);
    expect(await status(client, first.Id!)).toMatchObject({ State: 'SUCCEEDED' });
    const failed = await status(client, second.Id!);
    expect(failed).toMatchObject({ State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' });
    expect(failed.AccountId).toBeUndefined();

    const clash = await create(client, 'Impostor', 'management@example.com');
    clock.advance(30);
    expect(await status(client, clash.Id!)).toMatchObject({ State: 'FAILED', FailureReason: 'EMAIL_ALREADY_EXISTS' });
    expect((await client.send(new ListAccountsCommand({}))).Accounts).toHaveLength(2);
  });

  it('fails a creation with ACCOUNT_LIMIT_EXCEEDED once the organization holds accountQuota accounts, the management account included', async () => {
    const { client } = setup({ accountQuota: 3 });
    const a = await create(client, 'One');
    const b = await create(client, 'Two');
    const c = await create(client, 'Three');
    expect(await status(client, a.Id!)).toMatchObject({ State: 'SUCCEEDED' });
    expect(await status(client, b.Id!)).toMatchObject({ State: 'SUCCEEDED' });
    expect(await status(client, c.Id!)).toMatchObject({ State: 'FAILED', FailureReason: 'ACCOUNT_LIMIT_EXCEEDED' });
    expect((await client.send(new ListAccountsCommand({}))).Accounts).toHaveLength(3);
  });

  it('refuses a sixth concurrent creation with TooManyRequestsException and accepts one again after a creation finishes', async () => {
    const { client, clock, sim } = setup({ createSeconds: 60, accountQuota: 20 });
    for (let i = 1; i <= 5; i++) await create(client, `Parallel ${i}`);
    await expect(create(client, 'Parallel 6')).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      message: expect.stringMatching(/too many account creations in progress/i),
    });
    const { CreateAccountStatuses } = await client.send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'] }));
    expect(CreateAccountStatuses).toHaveLength(5);

    clock.advance(60);
    expect((await create(client, 'Parallel 6')).State).toBe('IN_PROGRESS');
    expect(sim.stats()).toEqual({ callsByOperation: expect.objectContaining({ CreateAccount: 7, ListCreateAccountStatus: 1 }), maxConcurrentCreates: 5, faultsInjected: {} });
  });

  it('honours maxConcurrentCreates', async () => {
    const { client } = setup({ createSeconds: 60, maxConcurrentCreates: 1 });
    await create(client, 'Only');
    await expect(create(client, 'Second')).rejects.toMatchObject({ name: 'TooManyRequestsException' });
  });

  it('filters ListCreateAccountStatus by state', async () => {
    const { client, clock } = setup({ createSeconds: 10 });
    const ok = await create(client, 'Fine', 'fine@example.com');
    clock.advance(10);
    const dup = await create(client, 'Dup', 'fine@example.com');
    clock.advance(10);
    const running = await create(client, 'Running');
    const ids = async (States?: ('IN_PROGRESS' | 'SUCCEEDED' | 'FAILED')[]) =>
      (await client.send(new ListCreateAccountStatusCommand({ States }))).CreateAccountStatuses!.map((s) => s.Id);
    expect(await ids(['SUCCEEDED'])).toEqual([ok.Id]);
    expect(await ids(['FAILED'])).toEqual([dup.Id]);
    expect(await ids(['IN_PROGRESS'])).toEqual([running.Id]);
    expect(await ids(['SUCCEEDED', 'FAILED'])).toEqual([ok.Id, dup.Id]);
    expect(await ids()).toEqual([ok.Id, dup.Id, running.Id]);
  });

  it('pages 45 accounts 20/20/5 and paginateListAccounts sees every one', async () => {
    const { client } = setup({ accountQuota: 100 });
    await createMany(client, 44);

    const sizes: number[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListAccountsCommand({ NextToken }));
      sizes.push(page.Accounts!.length);
      NextToken = page.NextToken;
    } while (NextToken);
    expect(sizes).toEqual([20, 20, 5]);

    const seen: string[] = [];
    for await (const page of paginateListAccounts({ client }, {})) seen.push(...page.Accounts!.map((a) => a.Id!));
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);

    const small = await client.send(new ListAccountsCommand({ MaxResults: 7 }));
    expect(small.Accounts).toHaveLength(7);
    expect(small.NextToken).toBeDefined();

    const root = await rootId(client);
    const first = await client.send(new ListAccountsForParentCommand({ ParentId: root }));
    expect(first.Accounts).toHaveLength(20);
    const rest = await client.send(new ListAccountsForParentCommand({ ParentId: root, NextToken: first.NextToken }));
    expect(rest.Accounts).toHaveLength(20);
    expect(rest.Accounts!.map((a) => a.Id)).not.toContain(first.Accounts![0]!.Id);
  });

  it('gives no NextToken when the last page is exactly full', async () => {
    const { client } = setup({ accountQuota: 100 });
    await createMany(client, 19);
    const page = await client.send(new ListAccountsCommand({}));
    expect(page.Accounts).toHaveLength(20);
    expect(page.NextToken).toBeUndefined();
  });

  it('rejects MaxResults outside 1–20 and tokens that are made up or belong to another query', async () => {
    const { client } = setup({ accountQuota: 100 });
    await createMany(client, 24);
    for (const MaxResults of [0, 21]) {
      await expect(client.send(new ListAccountsCommand({ MaxResults }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    }
    await expect(client.send(new ListAccountsCommand({ NextToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'InvalidInputException', Reason: 'INVALID_NEXT_TOKEN' });
    const { NextToken } = await client.send(new ListAccountsCommand({}));
    const tampered = `${NextToken!.slice(0, -1)}${NextToken!.endsWith('A') ? 'B' : 'A'}`;
    await expect(client.send(new ListAccountsCommand({ NextToken: tampered }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(client.send(new ListAccountsForParentCommand({ ParentId: await rootId(client), NextToken }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('moves an account between parents and reports a wrong source, an unknown destination and an account already there', async () => {
    const { client, sim } = setup();
    const root = await rootId(client);
    const staging = sim.ensureOuPath('Workloads/Staging');
    const production = sim.ensureOuPath('Workloads/Production');
    const accountId = (await status(client, (await create(client, 'Staging')).Id!)).AccountId!;

    await client.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: root, DestinationParentId: staging }));
    expect((await client.send(new ListParentsCommand({ ChildId: accountId }))).Parents).toEqual([{ Id: staging, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect((await client.send(new ListAccountsForParentCommand({ ParentId: staging }))).Accounts!.map((a) => a.Id)).toEqual([accountId]);
    expect(sim.accountsView().find((a) => a.id === accountId)?.ou).toBe('Workloads/Staging');

    // A retried move that already happened: already in the destination.
    await expect(client.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: root, DestinationParentId: staging }))).rejects.toMatchObject({
      name: 'DuplicateAccountException',
    });
    await expect(client.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: root, DestinationParentId: production }))).rejects.toMatchObject({
      name: 'SourceParentNotFoundException',
    });
    await expect(client.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: 'ou-zzzz-zzzzzzzz', DestinationParentId: production }))).rejects.toMatchObject({
      name: 'SourceParentNotFoundException',
    });
    await expect(client.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: staging, DestinationParentId: 'ou-zzzz-zzzzzzzz' }))).rejects.toMatchObject({
      name: 'DestinationParentNotFoundException',
    });
    await expect(client.send(new MoveAccountCommand({ AccountId: '000000000000', SourceParentId: staging, DestinationParentId: production }))).rejects.toMatchObject({
      name: 'AccountNotFoundException',
    });
    expect(sim.accountsView().find((a) => a.id === accountId)?.ou).toBe('Workloads/Staging');
  });

  it('creates nested OUs, refuses a duplicate name under the same parent and allows it under another', async () => {
    const { client, sim } = setup();
    const root = await rootId(client);
    const { OrganizationalUnit: workloads } = await client.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' }));
    expect(workloads!.Id).toMatch(new RegExp(`^ou-${root.slice(2)}-[a-z0-9]{8}$`));
    await expect(client.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' }))).rejects.toMatchObject({
      name: 'DuplicateOrganizationalUnitException',
    });
    const { OrganizationalUnit: nested } = await client.send(new CreateOrganizationalUnitCommand({ ParentId: workloads!.Id, Name: 'Workloads' }));
    await expect(client.send(new CreateOrganizationalUnitCommand({ ParentId: 'ou-zzzz-zzzzzzzz', Name: 'Lost' }))).rejects.toMatchObject({
      name: 'ParentNotFoundException',
    });

    expect((await client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: nested!.Id }))).OrganizationalUnit).toMatchObject({ Name: 'Workloads' });
    await expect(client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: 'ou-zzzz-zzzzzzzz' }))).rejects.toMatchObject({
      name: 'OrganizationalUnitNotFoundException',
    });
    expect((await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root }))).OrganizationalUnits!.map((o) => o.Name)).toEqual(['Workloads']);
    expect((await client.send(new ListParentsCommand({ ChildId: nested!.Id }))).Parents).toEqual([{ Id: workloads!.Id, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect((await client.send(new ListChildrenCommand({ ParentId: root, ChildType: 'ORGANIZATIONAL_UNIT' }))).Children).toEqual([
      { Id: workloads!.Id, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    await expect(client.send(new ListParentsCommand({ ChildId: 'ou-zzzz-zzzzzzzz' }))).rejects.toMatchObject({ name: 'ChildNotFoundException' });

    expect(sim.ouPath(nested!.Id!)).toBe('Workloads/Workloads');
    expect(sim.ouPath(root)).toBe('');
    expect(sim.findOuByPath('/Workloads/Workloads/')).toBe(nested!.Id);
    expect(sim.findOuByPath('')).toBe(root);
    expect(sim.findOuByPath('Workloads/Missing')).toBeUndefined();
    expect(sim.ensureOuPath('Workloads/Workloads')).toBe(nested!.Id);
  });

  it('limits OU nesting to five levels', async () => {
    const { client, sim } = setup();
    const fifth = sim.ensureOuPath('A/B/C/D/E');
    await expect(client.send(new CreateOrganizationalUnitCommand({ ParentId: fifth, Name: 'F' }))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'OU_DEPTH_LIMIT_EXCEEDED',
    });
    expect(() => sim.ensureOuPath('P/Q/R/S/T/U')).toThrow(expect.objectContaining({ name: 'ConstraintViolationException' }));
    expect(sim.findOuByPath('P')).toBeUndefined();
  });

  it('tags, untags and lists tags of accounts, OUs and the root, and reports unknown targets', async () => {
    const { client, sim } = setup();
    const ou = sim.ensureOuPath('Sandbox');
    const root = await rootId(client);
    for (const ResourceId of [ou, root]) {
      await client.send(new TagResourceCommand({ ResourceId, Tags: [{ Key: 'team', Value: 'platform' }, { Key: 'cost', Value: '1' }] }));
      await client.send(new UntagResourceCommand({ ResourceId, TagKeys: ['cost', 'absent'] }));
      expect((await client.send(new ListTagsForResourceCommand({ ResourceId }))).Tags).toEqual([{ Key: 'team', Value: 'platform' }]);
    }
    await expect(client.send(new TagResourceCommand({ ResourceId: '000000000000', Tags: [{ Key: 'a', Value: 'b' }] }))).rejects.toMatchObject({
      name: 'TargetNotFoundException',
    });
    await expect(client.send(new ListTagsForResourceCommand({ ResourceId: 'ou-zzzz-zzzzzzzz' }))).rejects.toMatchObject({ name: 'TargetNotFoundException' });

    const many = Array.from({ length: 30 }, (_, i) => ({ Key: `k${String(i).padStart(2, '0')}`, Value: String(i) }));
    await client.send(new TagResourceCommand({ ResourceId: ou, Tags: many }));
    const keys: string[] = [];
    for await (const page of paginateListTagsForResource({ client }, { ResourceId: ou })) keys.push(...page.Tags!.map((t) => t.Key!));
    expect(keys).toHaveLength(31);
    await expect(client.send(new TagResourceCommand({ ResourceId: ou, Tags: many.map((t) => ({ ...t, Key: `x${t.Key}` })) }))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'MAX_TAG_LIMIT_EXCEEDED',
    });
  });

  it('validates CreateAccount input the way AWS does', async () => {
    const { client, sim } = setup();
    const bad = [
      { AccountName: 'Ok', Email: 'a@b.c' },
      { AccountName: 'Ok', Email: `${'x'.repeat(60)}@example.com` },
      { AccountName: 'Ok', Email: 'two@at@example.com' },
      { AccountName: 'Ok', Email: 'no-at-sign.example.com' },
      { AccountName: 'Ok', Email: 'spa ce@example.com' },
      { AccountName: '', Email: 'fine@example.com' },
      { AccountName: 'x'.repeat(51), Email: 'fine@example.com' },
      { AccountName: 'Tab\there', Email: 'fine@example.com' },
      { AccountName: 'Ok', Email: 'fine@example.com', Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] },
      { AccountName: 'Ok', Email: 'fine@example.com', RoleName: 'has space' },
    ];
    for (const input of bad) {
      await expect(client.send(new CreateAccountCommand(input))).rejects.toMatchObject({ name: 'InvalidInputException' });
    }
    expect(sim.stats().maxConcurrentCreates).toBe(0);
    expect((await create(client, 'x'.repeat(50), 'fine@example.com')).State).toBe('IN_PROGRESS');
  });

  it('answers unknown ids with the matching NotFound exception', async () => {
    const { client } = setup();
    await expect(status(client, 'car-0123456789abcdef0123456789abcdef')).rejects.toMatchObject({ name: 'CreateAccountStatusNotFoundException' });
    await expect(client.send(new DescribeAccountCommand({ AccountId: '000000000000' }))).rejects.toMatchObject({ name: 'AccountNotFoundException' });
    await expect(client.send(new ListAccountsForParentCommand({ ParentId: 'r-zzzz' }))).rejects.toMatchObject({ name: 'ParentNotFoundException' });
    await expect(client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'ou-zzzz-zzzzzzzz' }))).rejects.toMatchObject({ name: 'ParentNotFoundException' });
  });

  it('answers an operation it does not simulate with UnknownOperationException', async () => {
    const { client } = setup();
    await expect(client.send(new DeleteOrganizationCommand({}))).rejects.toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
  });

  it('counts calls per operation, failed ones included', async () => {
    const { client, sim } = setup();
    await client.send(new ListRootsCommand({}));
    await client.send(new ListRootsCommand({}));
    await expect(client.send(new DescribeAccountCommand({ AccountId: '000000000000' }))).rejects.toThrow();
    sim.accountsView();
    sim.ensureOuPath('Workloads');
    expect(sim.stats().callsByOperation).toEqual({ ListRoots: 2, DescribeAccount: 1 });
    sim.resetStats();
    expect(sim.stats()).toEqual({ callsByOperation: {}, maxConcurrentCreates: 0, faultsInjected: {} });
  });

  it('is also callable directly, synchronously, with the same shapes', () => {
    const { sim, clock } = setup({ createSeconds: 5 });
    const { CreateAccountStatus } = sim.CreateAccount({ AccountName: 'Direct', Email: 'direct@example.com' });
    clock.advance(5);
    expect(sim.DescribeCreateAccountStatus({ CreateAccountRequestId: CreateAccountStatus!.Id })).toMatchObject({
      CreateAccountStatus: { State: 'SUCCEEDED', CompletedTimestamp: expect.any(Date) },
    });
    expect(() => sim.DescribeAccount({ AccountId: '000000000000' })).toThrow(expect.objectContaining({ name: 'AccountNotFoundException' }));
  });
});
