import { captureIo, removeTempDirs, tempDir } from '../fixtures/sim-cli';
import { readFileSync, statSync } from 'node:fs';
import {
  DescribeAccountCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { main } from '../../local/sim-cli';
import { organizationFilePath, SimulatedOrganization } from '../../shared/adapters/local/sim-org';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';

afterAll(removeTempDirs);

/** Runs one CLI command against dataDir the way `npm run sim -- …` would, capturing its output. */
function sim(dataDir: string, ...argv: string[]): { code: number; out: string; err: string } {
  const io = captureIo(dataDir);
  const code = main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** An organization on disk with the walk-through's OUs and one account in Workloads/Staging. */
function organization(): { dataDir: string; org: SimulatedOrganization; client: OrganizationsClient; accountId: string; managementId: string } {
  const dataDir = tempDir();
  const org = new SimulatedOrganization({ dataDir });
  for (const path of ['Workloads/Production', 'Workloads/Staging', 'Sandbox/Playground']) org.ensureOuPath(path);
  const { CreateAccountStatus } = org.CreateAccount({ AccountName: 'Staging', Email: 'admin+staging@example.com' });
  const accountId = org.DescribeCreateAccountStatus({ CreateAccountRequestId: CreateAccountStatus!.Id }).CreateAccountStatus!.AccountId!;
  const root = org.ListRoots({}).Roots![0]!.Id!;
  org.MoveAccount({ AccountId: accountId, SourceParentId: root, DestinationParentId: org.findOuByPath('Workloads/Staging')! });
  const managementId = org.DescribeOrganization({}).Organization!.MasterAccountId!;
  return { dataDir, org, client: simOrganizationsClient(org, { maxAttempts: 1 }), accountId, managementId };
}

function viewOf(org: SimulatedOrganization, id: string) {
  return org.accountsView().find((a) => a.id === id);
}

describe('npm run sim -- move', () => {
  it('moves an account into an existing OU, and ListParents says so', async () => {
    const { dataDir, org, client, accountId } = organization();
    const result = sim(dataDir, 'move', accountId, 'Sandbox/Playground');
    expect(result).toEqual({ code: 0, out: expect.stringMatching(/^Moved \d{12} \(Staging\) from Workloads\/Staging to Sandbox\/Playground\.\n$/), err: '' });
    expect(viewOf(org, accountId)?.ou).toBe('Sandbox/Playground');
    const { Parents } = await client.send(new ListParentsCommand({ ChildId: accountId }));
    expect(Parents).toEqual([{ Id: org.findOuByPath('Sandbox/Playground'), Type: 'ORGANIZATIONAL_UNIT' }]);
  });

  it("takes '' and / for the root, and prints JSON with --json", async () => {
    const { dataDir, org, client, accountId } = organization();
    const moved = sim(dataDir, 'move', accountId, '/', '--json');
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.out)).toMatchObject({ id: accountId, ou: '', from: 'Workloads/Staging' });
    const { Roots } = await client.send(new ListRootsCommand({}));
    expect((await client.send(new ListParentsCommand({ ChildId: accountId }))).Parents).toEqual([{ Id: Roots![0]!.Id, Type: 'ROOT' }]);

    expect(sim(dataDir, 'move', accountId, 'Workloads').code).toBe(0);
    expect(sim(dataDir, 'move', accountId, '').code).toBe(0);
    expect(viewOf(org, accountId)?.ou).toBe('');
  });

  it('creates a missing OU path on the way, as a console user would before moving', () => {
    const { dataDir, org, accountId } = organization();
    const moved = sim(dataDir, 'move', accountId, 'Sandbox/Elsewhere', '--json');
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.out)).toMatchObject({ id: accountId, ou: 'Sandbox/Elsewhere', from: 'Workloads/Staging', createdOu: 'Sandbox/Elsewhere' });
    expect(viewOf(org, accountId)?.ou).toBe('Sandbox/Elsewhere');
    expect(sim(dataDir, 'move', accountId, 'Workloads/Staging').out).toMatch(/^Moved /);
  });

  it('exits 1 naming an unknown account (creating no OU), or an account already there', () => {
    const { dataDir, org, accountId } = organization();
    const unknown = sim(dataDir, 'move', '000000000000', 'Sandbox/Never');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('000000000000');
    expect(org.hasOuPath('Sandbox/Never')).toBe(false);

    expect(sim(dataDir, 'move', accountId, 'Workloads/Staging').code).toBe(1);
  });

  it('exits 2 with the usage for missing or malformed arguments', () => {
    const { dataDir, accountId } = organization();
    for (const argv of [['move'], ['move', accountId], ['move', 'abc', 'Sandbox'], ['move', accountId, 'Sandbox', 'extra'], ['move', accountId, 'Sandbox', '--yaml']]) {
      const result = sim(dataDir, ...argv);
      expect(result.code).toBe(2);
      expect(result.err).toContain('Usage: npm run sim -- move ACCOUNT_ID OU_PATH');
      expect(result.out).toBe('');
    }
  });
});

describe('npm run sim -- close', () => {
  it('leaves the account SUSPENDED, as AWS shows a closed account', async () => {
    const { dataDir, org, client, accountId } = organization();
    const result = sim(dataDir, 'close', accountId);
    expect(result.code).toBe(0);
    expect(result.out).toBe(`Closed ${accountId} (Staging); it is SUSPENDED now.\n`);
    expect(viewOf(org, accountId)?.status).toBe('SUSPENDED');
    expect((await client.send(new DescribeAccountCommand({ AccountId: accountId }))).Account).toMatchObject({ Status: 'SUSPENDED', State: 'SUSPENDED' });
  });

  it('refuses the management account, an account already closed and an unknown one (exit 1)', () => {
    const { dataDir, org, accountId, managementId } = organization();
    const management = sim(dataDir, 'close', managementId);
    expect(management.code).toBe(1);
    expect(management.err).toContain('management account');
    expect(viewOf(org, managementId)?.status).toBe('ACTIVE');

    expect(sim(dataDir, 'close', accountId, '--json').code).toBe(0);
    expect(sim(dataDir, 'close', accountId).err).toContain('already closed');
    expect(sim(dataDir, 'close', '000000000000').code).toBe(1);
    expect(sim(dataDir, 'close').code).toBe(2);
    expect(sim(dataDir, 'close', '12345').code).toBe(2);
  });
});

describe('npm run sim -- create-account', () => {
  it('creates an ACTIVE account at once in the OU, without Switchyard tags', async () => {
    const { dataDir, org, client } = organization();
    const result = sim(dataDir, 'create-account', 'Shadow IT', 'shadow@example.com', 'Workloads/Production', '--json');
    expect(result.code).toBe(0);
    const created = JSON.parse(result.out);
    expect(created).toEqual({ id: expect.stringMatching(/^\d{12}$/), name: 'Shadow IT', email: 'shadow@example.com', status: 'ACTIVE', ou: 'Workloads/Production' });
    expect(viewOf(org, created.id)).toEqual(created);

    const { Account } = await client.send(new DescribeAccountCommand({ AccountId: created.id }));
    expect(Account).toMatchObject({ Name: 'Shadow IT', Status: 'ACTIVE', JoinedMethod: 'CREATED' });
    expect((await client.send(new ListTagsForResourceCommand({ ResourceId: created.id }))).Tags).toEqual([]);
    expect((await client.send(new ListParentsCommand({ ChildId: created.id }))).Parents![0]!.Id).toBe(org.findOuByPath('Workloads/Production'));
    // It went through account creation as a console creation does, and nothing is left in progress.
    const statuses = (await client.send(new ListCreateAccountStatusCommand({}))).CreateAccountStatuses!;
    expect(statuses.find((s) => s.AccountId === created.id)).toMatchObject({ State: 'SUCCEEDED', AccountName: 'Shadow IT' });
    expect(statuses.filter((s) => s.State === 'IN_PROGRESS')).toEqual([]);
  });

  it('prints one line without --json', () => {
    const { dataDir } = organization();
    const result = sim(dataDir, 'create-account', 'By hand', 'hand@example.com', '');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Created \d{12} \(By hand, hand@example\.com\) in \(root\)\.\n$/);
  });

  it('exits 1 for an OU path that does not exist or an email already in use, creating nothing', () => {
    const { dataDir, org } = organization();
    const before = org.accountsView().length;
    const missing = sim(dataDir, 'create-account', 'Lost', 'lost@example.com', 'Nowhere/Else');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Nowhere/Else');
    expect(sim(dataDir, 'create-account', 'Again', 'ADMIN+staging@example.com', 'Sandbox').code).toBe(1);
    expect(org.accountsView()).toHaveLength(before);
  });

  it('exits 2 for missing arguments or a name or email AWS would refuse', () => {
    const { dataDir, org } = organization();
    const before = org.accountsView().length;
    for (const argv of [['create-account', 'Only name'], ['create-account', 'Bad', 'not-an-email', 'Sandbox'], ['create-account', 'x'.repeat(51), 'long@example.com', 'Sandbox']]) {
      const result = sim(dataDir, ...argv);
      expect(result.code).toBe(2);
      expect(result.err).toContain('Usage: npm run sim -- create-account NAME EMAIL OU_PATH');
    }
    expect(org.accountsView()).toHaveLength(before);
  });
});

describe('npm run sim -- tag', () => {
  it('sets tags, and KEY= removes one, as ListTagsForResource shows', async () => {
    const { dataDir, client, accountId } = organization();
    const tags = async () => (await client.send(new ListTagsForResourceCommand({ ResourceId: accountId }))).Tags;

    const set = sim(dataDir, 'tag', accountId, 'owner=ana', 'cost-center=42', 'switchyard:environment=Staging');
    expect(set.code).toBe(0);
    expect(set.out).toBe(`Tagged ${accountId} (set owner, cost-center, switchyard:environment); it has 3 tag(s) now.\n`);
    expect(await tags()).toEqual([
      { Key: 'cost-center', Value: '42' },
      { Key: 'owner', Value: 'ana' },
      { Key: 'switchyard:environment', Value: 'Staging' },
    ]);

    const changed = sim(dataDir, 'tag', accountId, 'cost-center=', 'owner=ben=2', '--json');
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.out)).toEqual({ id: accountId, tags: { owner: 'ben=2', 'switchyard:environment': 'Staging' } });
    expect(await tags()).toEqual([
      { Key: 'owner', Value: 'ben=2' },
      { Key: 'switchyard:environment', Value: 'Staging' },
    ]);
    // Removing a tag the account does not carry is no error.
    expect(sim(dataDir, 'tag', accountId, 'never-there=').code).toBe(0);
  });

  it('exits 2 for a pair without =, a repeated key or a reserved key, changing nothing; 1 for an unknown account', async () => {
    const { dataDir, client, accountId } = organization();
    for (const argv of [['tag', accountId], ['tag', accountId, 'owner'], ['tag', accountId, '=x'], ['tag', accountId, 'a=1', 'a=2'], ['tag', accountId, 'owner=ana', 'aws:x=1']]) {
      const result = sim(dataDir, ...argv);
      expect(result.code).toBe(2);
      expect(result.err).toContain('Usage: npm run sim -- tag ACCOUNT_ID KEY=VALUE');
    }
    expect((await client.send(new ListTagsForResourceCommand({ ResourceId: accountId }))).Tags).toEqual([]);
    expect(sim(dataDir, 'tag', '000000000000', 'owner=ana').code).toBe(1);
  });
});

describe('npm run sim -- remove, rename-ou, delete-ou', () => {
  it('removes an account from the organization: no longer listed anywhere', async () => {
    const { dataDir, client, accountId, managementId } = organization();
    const removed = sim(dataDir, 'remove', accountId, '--json');
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.out)).toMatchObject({ id: accountId, name: 'Staging' });
    const { Accounts } = await client.send(new ListAccountsCommand({}));
    expect(Accounts!.map((a) => a.Id)).toEqual([managementId]);
    expect(sim(dataDir, 'remove', accountId).code).toBe(1);
    expect(sim(dataDir, 'remove', managementId).err).toContain('management account');
  });

  it('renames an OU, which ListOrganizationalUnitsForParent then shows, refusing a name its siblings hold', () => {
    const { dataDir, org } = organization();
    const renamed = sim(dataDir, 'rename-ou', 'Workloads/Staging', 'Stage', '--json');
    expect(renamed.code).toBe(0);
    expect(JSON.parse(renamed.out)).toMatchObject({ from: 'Workloads/Staging', path: 'Workloads/Stage' });
    expect(org.hasOuPath('Workloads/Stage')).toBe(true);
    expect(org.hasOuPath('Workloads/Staging')).toBe(false);
    const clash = sim(dataDir, 'rename-ou', 'Workloads/Stage', 'Production');
    expect(clash.code).toBe(1);
    expect(clash.err).toContain('already exists');
  });

  it('deletes only an empty OU, as AWS does', () => {
    const { dataDir, org } = organization();
    const busy = sim(dataDir, 'delete-ou', 'Workloads/Staging');
    expect(busy.code).toBe(1);
    expect(busy.err).toContain('move them out first');
    expect(sim(dataDir, 'delete-ou', 'Sandbox/Playground').out).toBe('Deleted Sandbox/Playground.\n');
    expect(org.hasOuPath('Sandbox/Playground')).toBe(false);
    expect(sim(dataDir, 'delete-ou', 'Sandbox/Playground').code).toBe(1);
  });
});

describe('npm run sim -- seed', () => {
  it('adds OUs at most three levels deep under Seed-… OUs and accounts round-robin over them', () => {
    const { dataDir, org } = organization();
    const before = org.accountsView();
    const result = sim(dataDir, 'seed', '--accounts', '25', '--ous=12', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({ accounts: 25, ous: 12, topLevel: ['Seed-1', 'Seed-2', 'Seed-3', 'Seed-4'], accountQuota: expect.any(Number) });

    const seeded = org.accountsView().slice(before.length);
    expect(seeded).toHaveLength(25);
    expect(new Set(seeded.map((a) => a.email)).size).toBe(25);
    expect(seeded.map((a) => a.email).slice(0, 2)).toEqual(['seed+1@example.com', 'seed+2@example.com']);
    const ous = new Set(seeded.map((a) => a.ou));
    expect(ous.size).toBe(12);
    for (const ou of ous) {
      expect(ou).toMatch(/^Seed-\d+(\/Team-\d+(\/App-\d+)?)?$/);
      expect(org.findOuByPath(ou)).toBeDefined();
    }
    // Round-robin: no OU holds more than one account more than another.
    const perOu = [...ous].map((ou) => seeded.filter((a) => a.ou === ou).length);
    expect(Math.max(...perOu) - Math.min(...perOu)).toBeLessThanOrEqual(1);
    expect(seeded.every((a) => a.status === 'ACTIVE')).toBe(true);

    // The room there was for new accounts (quota 10, 2 accounts: 8) is still there afterwards, and
    // seeding again adds more: 2 + 25 + 1 by hand + 3 accounts, 7 free.
    expect(sim(dataDir, 'create-account', 'After seeding', 'after@example.com', 'Seed-1').code).toBe(0);
    const again = sim(dataDir, 'seed', '--accounts', '3', '--ous', '2');
    expect(again).toMatchObject({ code: 0, out: 'Seeded 3 accounts in 2 OUs under Seed-5, Seed-6 (account quota now 38).\n' });
    expect(new Set(org.accountsView().map((a) => a.email)).size).toBe(org.accountsView().length);
  });

  it('writes the file once', () => {
    const { dataDir } = organization();
    const file = organizationFilePath(dataDir);
    // Every write replaces the file by renaming a temp file over it, so renames count writes.
    // The module object itself (what the compiled sim calls through), not an ES namespace copy of it.
    const renames = jest.spyOn(jest.requireActual<typeof import('node:fs')>('node:fs'), 'renameSync');
    try {
      expect(sim(dataDir, 'seed', '--accounts', '50', '--ous', '5').code).toBe(0);
      expect(renames.mock.calls.filter(([, to]) => to === file)).toHaveLength(1);
    } finally {
      renames.mockRestore();
    }
    expect(JSON.parse(readFileSync(file, 'utf8')).accounts).toHaveLength(52);
  });

  it('exits 2 for missing or malformed counts, 1 for more OUs than an organization may hold', () => {
    const { dataDir } = organization();
    for (const argv of [['seed'], ['seed', '--accounts', '5'], ['seed', '--accounts', 'x', '--ous', '1'], ['seed', '--accounts', '-1', '--ous', '1'], ['seed', '--accounts'], ['seed', '5', '--accounts', '5', '--ous', '1']]) {
      const result = sim(dataDir, ...argv);
      expect(result.code).toBe(2);
      expect(result.err).toContain('Usage: npm run sim -- seed --accounts N --ous M');
    }
    expect(sim(dataDir, 'seed', '--accounts', '1', '--ous', '1001').code).toBe(1);
  });

  it('seeds 10,000 accounts in 200 OUs, and a paginated walk over every OU finds them all', async () => {
    const { dataDir } = organization();
    expect(sim(dataDir, 'seed', '--accounts', '10000', '--ous', '200').code).toBe(0);

    // A fresh instance, as another process would read it.
    const org = new SimulatedOrganization({ dataDir });
    const client = simOrganizationsClient(org, { maxAttempts: 1 });
    const rootId = (await client.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const parents = [rootId];
    for (let i = 0; i < parents.length; i++) {
      for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parents[i] })) parents.push(...page.OrganizationalUnits!.map((o) => o.Id!));
    }
    // The root, the five OUs of the walk-through's paths, the seeded OUs.
    expect(parents).toHaveLength(1 + 5 + 200);

    const seen = new Set<string>();
    for (const parentId of parents) {
      for await (const page of paginateListAccountsForParent({ client }, { ParentId: parentId })) for (const a of page.Accounts!) seen.add(a.Id!);
    }
    // The management account, the Staging account and the seeded ones.
    expect(seen.size).toBe(10_000 + 2);
    expect(org.accountsView().filter((a) => a.email.startsWith('seed+'))).toHaveLength(10_000);
  }, 120_000);
});

describe('call counts with reads that do not write', () => {
  it('does not rewrite the file for List and Describe calls, and writes their counts with the next change', async () => {
    const { dataDir, org, client, accountId } = organization();
    const file = organizationFilePath(dataDir);
    const inode = statSync(file).ino;
    await client.send(new ListAccountsCommand({}));
    await client.send(new DescribeAccountCommand({ AccountId: accountId }));
    org.ListParents({ ChildId: accountId });
    expect(statSync(file).ino).toBe(inode);
    expect(org.stats().callsByOperation).toMatchObject({ ListAccounts: 1, DescribeAccount: 1, ListParents: 1 });

    org.TagResource({ ResourceId: accountId, Tags: [{ Key: 'owner', Value: 'ana' }] });
    expect(statSync(file).ino).not.toBe(inode);
    expect(JSON.parse(readFileSync(file, 'utf8')).stats.callsByOperation).toMatchObject({ ListAccounts: 1, DescribeAccount: 1, ListParents: 1, TagResource: 1 });
  });

  it('adds up the counts of two instances on one data directory once each has flushed', () => {
    const dataDir = tempDir();
    const a = new SimulatedOrganization({ dataDir });
    const b = new SimulatedOrganization({ dataDir });
    for (let i = 0; i < 3; i++) a.ListRoots({});
    a.DescribeOrganization({});
    b.ListRoots({});
    b.ListAccounts({});
    // Each sees its own calls before flushing, and the other's only once they are in the file.
    expect(a.stats().callsByOperation).toEqual({ ListRoots: 3, DescribeOrganization: 1 });
    expect(b.stats().callsByOperation).toEqual({ ListRoots: 1, ListAccounts: 1 });

    a.flushStats();
    expect(b.stats().callsByOperation).toEqual({ ListRoots: 4, DescribeOrganization: 1, ListAccounts: 1 });
    b.ensureOuPath('Workloads'); // a change writes b's pending counts on top of a's
    a.ListRoots({});
    a.flushStats();
    b.flushStats(); // nothing pending: no write, nothing counted twice

    const expected = { ListRoots: 5, DescribeOrganization: 1, ListAccounts: 1 };
    expect(new SimulatedOrganization({ dataDir }).stats().callsByOperation).toEqual(expected);
    expect(a.stats().callsByOperation).toEqual(expected);
    expect(b.stats().callsByOperation).toEqual(expected);
    const cli = sim(dataDir, 'stats', '--json');
    expect(JSON.parse(cli.out).callsByOperation).toEqual(expected);
  });

  it('still sees changes another instance wrote, without a write of its own', () => {
    const dataDir = tempDir();
    const reader = new SimulatedOrganization({ dataDir });
    expect(reader.ListAccounts({}).Accounts).toHaveLength(1);
    const writer = new SimulatedOrganization({ dataDir });
    writer.createAccountByHand('Elsewhere', 'elsewhere@example.com', '');
    expect(reader.ListAccounts({}).Accounts!.map((a) => a.Name)).toEqual(['Management', 'Elsewhere']);
  });

  it('writes pending counts by itself within about a second', async () => {
    const dataDir = tempDir();
    const org = new SimulatedOrganization({ dataDir });
    org.ListRoots({});
    const onDisk = () => JSON.parse(readFileSync(organizationFilePath(dataDir), 'utf8')).stats.callsByOperation;
    expect(onDisk()).toEqual({});
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(onDisk()).toEqual({ ListRoots: 1 });
  });
});
