import {
  countFindings,
  describeFinding,
  floorCalls,
  managedAccountTags,
  observeDrift,
  reconcile,
  type Finding,
  type Observation,
  type OrgSnapshot,
  type SnapshotAccount,
} from '../../shared/domain/drift';
import { newEnvironment, type Environment } from '../../shared/domain/environment';
import type { EnvironmentRequest } from '../../shared/domain/request';

const T0 = new Date('2025-03-01T12:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

const STAGING_ACCOUNT = '111111111111';
const PROD_ACCOUNT = '222222222222';
const STRAY_ACCOUNT = '999999999999';

/** An environment created at T0 through the API by ana; `fields` set its status, account and OU. */
function environment(fields: Partial<Environment> & Pick<Environment, 'id' | 'name'>): Environment {
  const request: EnvironmentRequest = {
    id: fields.id,
    name: fields.name,
    email: `admin+${fields.id}@example.com`,
    ou: 'Workloads/Staging',
    color: 'blue',
    tags: {},
    requestedBy: 'ana',
    requestHash: `hash-${fields.id}`,
  };
  return { ...newEnvironment(request, { now: T0, source: 'api' }), ...fields };
}

const staging = (fields: Partial<Environment> = {}) =>
  environment({ id: 'env-staging', name: 'Staging', status: 'READY', accountId: STAGING_ACCOUNT, ouId: 'ou-stag', ouPath: 'Workloads/Staging', tags: { team: 'payments' }, ...fields });
const prod = (fields: Partial<Environment> = {}) =>
  environment({ id: 'env-prod', name: 'Production', status: 'READY', accountId: PROD_ACCOUNT, ouId: 'ou-prod', ouPath: 'Workloads/Production', ...fields });

const account = (id: string, name: string, parentId: string, status = 'ACTIVE'): SnapshotAccount => ({ id, name, email: `${name.toLowerCase()}@example.com`, status, parentId });

/**
 * An organization that matches `staging()` and `prod()` exactly:
 * root ─ Workloads ─ Staging (staging account), Production (prod account); root ─ Sandbox (empty).
 */
function cleanOrg(): OrgSnapshot {
  return {
    rootId: 'r-root',
    ous: new Map([
      ['ou-work', { id: 'ou-work', name: 'Workloads', parentId: 'r-root', path: 'Workloads' }],
      ['ou-stag', { id: 'ou-stag', name: 'Staging', parentId: 'ou-work', path: 'Workloads/Staging' }],
      ['ou-prod', { id: 'ou-prod', name: 'Production', parentId: 'ou-work', path: 'Workloads/Production' }],
      ['ou-sand', { id: 'ou-sand', name: 'Sandbox', parentId: 'r-root', path: 'Sandbox' }],
    ]),
    accounts: new Map([
      [STAGING_ACCOUNT, account(STAGING_ACCOUNT, 'staging-acct', 'ou-stag')],
      [PROD_ACCOUNT, account(PROD_ACCOUNT, 'prod-acct', 'ou-prod')],
    ]),
    tags: new Map<string, Record<string, string>>([
      [STAGING_ACCOUNT, { team: 'payments', 'switchyard:environment': 'Staging', 'switchyard:environment-id': 'env-staging', 'switchyard:requested-by': 'ana' }],
      [PROD_ACCOUNT, { 'switchyard:environment': 'Production', 'switchyard:environment-id': 'env-prod', 'switchyard:requested-by': 'ana' }],
    ]),
  };
}

/** A check one minute after T0 that calls an environment stuck after an hour. */
function observe(environments: Environment[], snapshot: OrgSnapshot, opts: { now?: Date; stuckAfterSeconds?: number } = {}): Observation[] {
  return observeDrift(environments, snapshot, { now: opts.now ?? minutes(1), stuckAfterSeconds: opts.stuckAfterSeconds ?? 3600 });
}

function moveAccount(snapshot: OrgSnapshot, accountId: string, parentId: string): void {
  snapshot.accounts.set(accountId, { ...snapshot.accounts.get(accountId)!, parentId });
}

describe('observeDrift', () => {
  it('finds nothing when the organization matches the registry', () => {
    expect(observe([staging(), prod()], cleanOrg())).toEqual([]);
  });

  describe('ACCOUNT_MISPLACED', () => {
    it('reports an account moved to another OU, with both paths and a fix naming the account and its OU', () => {
      const org = cleanOrg();
      moveAccount(org, STAGING_ACCOUNT, 'ou-sand');
      const found = observe([staging(), prod()], org);
      expect(found).toEqual([
        {
          key: `ACCOUNT_MISPLACED#${STAGING_ACCOUNT}`,
          kind: 'ACCOUNT_MISPLACED',
          environmentId: 'env-staging',
          environmentName: 'Staging',
          accountId: STAGING_ACCOUNT,
          accountName: 'staging-acct',
          ouId: 'ou-stag',
          expected: 'Workloads/Staging',
          actual: 'Sandbox',
          fix: expect.stringContaining(STAGING_ACCOUNT),
        },
      ]);
      expect(found[0]!.fix).toContain('back to Workloads/Staging');
    });

    it('says (root) when the account sits in the root', () => {
      const org = cleanOrg();
      moveAccount(org, STAGING_ACCOUNT, 'r-root');
      const found = observe([staging()], org);
      expect(found.map((f) => [f.kind, f.expected, f.actual])).toEqual([['ACCOUNT_MISPLACED', 'Workloads/Staging', '(root)']]);
    });

    it('reports an account moved into another environment’s OU as misplaced, not as unmanaged', () => {
      const org = cleanOrg();
      moveAccount(org, STAGING_ACCOUNT, 'ou-prod');
      const found = observe([staging(), prod()], org);
      expect(found.map((f) => [f.kind, f.accountId, f.actual])).toEqual([['ACCOUNT_MISPLACED', STAGING_ACCOUNT, 'Workloads/Production']]);
    });
  });

  describe('ACCOUNT_SUSPENDED', () => {
    it.each(['SUSPENDED', 'PENDING_CLOSURE'])('reports an account whose status is %s', (status) => {
      const org = cleanOrg();
      org.accounts.set(STAGING_ACCOUNT, account(STAGING_ACCOUNT, 'staging-acct', 'ou-stag', status));
      const found = observe([staging(), prod()], org);
      expect(found).toEqual([
        {
          key: `ACCOUNT_SUSPENDED#${STAGING_ACCOUNT}`,
          kind: 'ACCOUNT_SUSPENDED',
          environmentId: 'env-staging',
          environmentName: 'Staging',
          accountId: STAGING_ACCOUNT,
          accountName: 'staging-acct',
          expected: 'ACTIVE',
          actual: status,
          fix: expect.stringContaining(`Account ${STAGING_ACCOUNT} (Staging) was closed`),
        },
      ]);
    });
  });

  describe('ACCOUNT_GONE', () => {
    it('reports an environment whose account is no longer in the organization', () => {
      const org = cleanOrg();
      org.accounts.delete(STAGING_ACCOUNT);
      org.tags.delete(STAGING_ACCOUNT);
      const found = observe([staging(), prod()], org);
      expect(found).toEqual([
        {
          key: `ACCOUNT_GONE#${STAGING_ACCOUNT}`,
          kind: 'ACCOUNT_GONE',
          environmentId: 'env-staging',
          environmentName: 'Staging',
          accountId: STAGING_ACCOUNT,
          accountName: 'Staging',
          expected: 'in the organization',
          actual: 'not in the organization',
          fix: expect.stringContaining(`Account ${STAGING_ACCOUNT} left the organization`),
        },
      ]);
      expect(found[0]!.fix).toContain('request Staging again');
    });
  });

  describe('UNMANAGED_ACCOUNT', () => {
    it('reports an account Switchyard did not provision in an OU a READY environment uses', () => {
      const org = cleanOrg();
      org.accounts.set(STRAY_ACCOUNT, account(STRAY_ACCOUNT, 'Stray', 'ou-stag'));
      const found = observe([staging(), prod()], org);
      expect(found).toEqual([
        {
          key: `UNMANAGED_ACCOUNT#${STRAY_ACCOUNT}`,
          kind: 'UNMANAGED_ACCOUNT',
          accountId: STRAY_ACCOUNT,
          accountName: 'Stray',
          ouId: 'ou-stag',
          expected: 'only accounts Switchyard provisioned in Workloads/Staging',
          actual: `Stray (${STRAY_ACCOUNT}) was not provisioned by Switchyard`,
          fix: `Move account ${STRAY_ACCOUNT} out of Workloads/Staging, or close it if nobody owns it.`,
        },
      ]);
    });

    it.each([
      ['an OU no environment uses', 'ou-sand'],
      ['the parent of an environment’s OU', 'ou-work'],
      ['the root', 'r-root'],
    ])('ignores accounts in %s', (_where, parentId) => {
      const org = cleanOrg();
      org.accounts.set(STRAY_ACCOUNT, account(STRAY_ACCOUNT, 'Stray', parentId));
      expect(observe([staging(), prod()], org)).toEqual([]);
    });

    it.each(['PLACING', 'FAILED'] as const)('ignores an account the registry knows from a %s environment', (status) => {
      const org = cleanOrg();
      org.accounts.set(STRAY_ACCOUNT, account(STRAY_ACCOUNT, 'Half-made', 'ou-stag'));
      const halfMade = environment({ id: 'env-half', name: 'Half', status, accountId: STRAY_ACCOUNT, ouId: 'ou-stag', ouPath: 'Workloads/Staging' });
      expect(observe([staging(), prod(), halfMade], org)).toEqual([]);
    });
  });

  describe('TAGS_CHANGED', () => {
    it('reports a removed switchyard tag and a changed user tag, with null for the missing one', () => {
      const org = cleanOrg();
      org.tags.set(STAGING_ACCOUNT, { team: 'growth', 'switchyard:environment': 'Staging', 'switchyard:requested-by': 'ana', owner: 'bob' });
      const found = observe([staging(), prod()], org);
      expect(found).toEqual([
        {
          key: `TAGS_CHANGED#${STAGING_ACCOUNT}`,
          kind: 'TAGS_CHANGED',
          environmentId: 'env-staging',
          environmentName: 'Staging',
          accountId: STAGING_ACCOUNT,
          accountName: 'staging-acct',
          expected: { team: 'payments', 'switchyard:environment-id': 'env-staging' },
          actual: { team: 'growth', 'switchyard:environment-id': null },
          fix: expect.stringContaining(`on account ${STAGING_ACCOUNT}`),
        },
      ]);
      expect(found[0]!.fix).toContain('team, switchyard:environment-id');
    });

    it('does not count extra tags on the account as drift', () => {
      const org = cleanOrg();
      org.tags.set(STAGING_ACCOUNT, { ...org.tags.get(STAGING_ACCOUNT)!, owner: 'bob', 'cost-center': '42' });
      expect(observe([staging(), prod()], org)).toEqual([]);
    });

    it('expects exactly the tags managedAccountTags gives', () => {
      // requestedBy missing: the switchyard:requested-by tag falls back to the channel.
      const fromSlack = staging({ requestedBy: undefined, source: 'slack' });
      const org = cleanOrg();
      org.tags.set(STAGING_ACCOUNT, managedAccountTags(fromSlack));
      expect(observe([fromSlack], org)).toEqual([]);

      const withAna = observe([staging()], org);
      expect(withAna.map((f) => [f.kind, f.expected, f.actual])).toEqual([['TAGS_CHANGED', { 'switchyard:requested-by': 'ana' }, { 'switchyard:requested-by': 'slack' }]]);
    });
  });

  describe('managedAccountTags', () => {
    it('adds the switchyard tags to the requested ones, and they win over a user tag of the same name', () => {
      const env = staging({ tags: { team: 'payments', 'switchyard:environment': 'spoofed' } });
      expect(managedAccountTags(env)).toEqual({
        team: 'payments',
        'switchyard:environment': 'Staging',
        'switchyard:environment-id': 'env-staging',
        'switchyard:requested-by': 'ana',
      });
    });

    it('names the channel as the requester when nobody is named', () => {
      expect(managedAccountTags(staging({ requestedBy: undefined, source: 'webhook' }))['switchyard:requested-by']).toBe('webhook');
    });
  });

  describe('OU_RENAMED', () => {
    it('reports an OU whose path changed once, however many environments use it', () => {
      const org = cleanOrg();
      org.ous.set('ou-stag', { id: 'ou-stag', name: 'Stage', parentId: 'ou-work', path: 'Workloads/Stage' });
      const second = staging({ id: 'env-staging-2', name: 'Staging Two', accountId: '333333333333' });
      org.accounts.set('333333333333', account('333333333333', 'staging-two-acct', 'ou-stag'));
      org.tags.set('333333333333', managedAccountTags(second));
      const found = observe([staging(), second, prod()], org);
      expect(found).toEqual([
        {
          key: 'OU_RENAMED#ou-stag',
          kind: 'OU_RENAMED',
          ouId: 'ou-stag',
          expected: 'Workloads/Staging',
          actual: 'Workloads/Stage',
          fix: expect.stringContaining('Rename the OU back to Workloads/Staging'),
        },
      ]);
      expect(found[0]!.fix).toContain('Staging, Staging Two');
    });

    it('is not reported for an environment that never recorded its OU path', () => {
      const org = cleanOrg();
      org.ous.set('ou-stag', { id: 'ou-stag', name: 'Stage', parentId: 'ou-work', path: 'Workloads/Stage' });
      expect(observe([staging({ ouPath: undefined })], org)).toEqual([]);
    });
  });

  describe('OU_DELETED', () => {
    it('reports an environment OU missing from the organization', () => {
      const org = cleanOrg();
      org.ous.delete('ou-stag');
      moveAccount(org, STAGING_ACCOUNT, 'r-root'); // An OU can only be deleted once it is empty.
      const found = observe([staging(), prod()], org);
      expect(found.map((f) => f.kind)).toEqual(['ACCOUNT_MISPLACED', 'OU_DELETED']);
      expect(found[1]).toEqual({
        key: 'OU_DELETED#ou-stag',
        kind: 'OU_DELETED',
        ouId: 'ou-stag',
        expected: 'Workloads/Staging',
        actual: '(no such OU)',
        fix: expect.stringContaining('Recreate the OU Workloads/Staging and move Staging back into it'),
      });
      expect(found[0]).toMatchObject({ expected: 'Workloads/Staging', actual: '(root)' });
    });
  });

  describe('ENVIRONMENT_STUCK', () => {
    it('reports a non-final environment older than stuckAfterSeconds, and only that one', () => {
      const stuck = environment({ id: 'env-stuck', name: 'Stuck', status: 'CREATING', accountId: '444444444444', executionName: 'env-stuck-attempt-2' });
      const young = { ...environment({ id: 'env-young', name: 'Young', status: 'REQUESTED' }), createdAt: minutes(90).toISOString() };
      const failed = environment({ id: 'env-failed', name: 'Failed', status: 'FAILED' });
      const found = observe([staging(), prod(), stuck, young, failed], cleanOrg(), { now: minutes(120), stuckAfterSeconds: 3600 });
      expect(found).toEqual([
        {
          key: 'ENVIRONMENT_STUCK#env-stuck',
          kind: 'ENVIRONMENT_STUCK',
          environmentId: 'env-stuck',
          environmentName: 'Stuck',
          accountId: '444444444444',
          expected: 'READY or FAILED within 60 minutes',
          actual: `CREATING since ${T0.toISOString()}`,
          fix: expect.stringContaining('Step Functions execution env-stuck-attempt-2'),
        },
      ]);
      expect(found[0]!.fix).toContain('request Stuck again');
    });

    it('leaves out the account when the stuck environment has none yet', () => {
      const stuck = environment({ id: 'env-stuck', name: 'Stuck', status: 'REQUESTED' });
      const [found] = observe([stuck], cleanOrg(), { now: minutes(120), stuckAfterSeconds: 3600 });
      expect(found).toMatchObject({ kind: 'ENVIRONMENT_STUCK', actual: `REQUESTED since ${T0.toISOString()}` });
      expect(found).not.toHaveProperty('accountId');
    });

    it('does not call an environment stuck at exactly stuckAfterSeconds', () => {
      const creating = environment({ id: 'env-c', name: 'C', status: 'CREATING' });
      expect(observe([creating], cleanOrg(), { now: minutes(60), stuckAfterSeconds: 3600 })).toEqual([]);
      expect(observe([creating], cleanOrg(), { now: new Date(minutes(60).getTime() + 1000), stuckAfterSeconds: 3600 })).toHaveLength(1);
    });
  });

  describe('ROLE_NOT_ASSUMABLE', () => {
    it('reports a managed account whose access role could not be assumed', () => {
      const org = cleanOrg();
      org.roleProblems = new Map([[PROD_ACCOUNT, 'AccessDenied: not authorized to perform sts:AssumeRole']]);
      expect(observe([staging(), prod()], org)).toEqual([
        {
          key: `ROLE_NOT_ASSUMABLE#${PROD_ACCOUNT}`,
          kind: 'ROLE_NOT_ASSUMABLE',
          environmentId: 'env-prod',
          environmentName: 'Production',
          accountId: PROD_ACCOUNT,
          accountName: 'prod-acct',
          expected: 'the organization access role can be assumed',
          actual: 'AccessDenied: not authorized to perform sts:AssumeRole',
          fix: `Restore the role and its trust of the management account in ${PROD_ACCOUNT}; without it nobody can switch into Production.`,
        },
      ]);
    });
  });

  it('does not treat FAILED environments as desired state', () => {
    // A failed environment whose account is closed, misplaced and untagged, in an OU that is gone.
    const failed = environment({ id: 'env-failed', name: 'Failed', status: 'FAILED', accountId: '555555555555', ouId: 'ou-gone', ouPath: 'Gone' });
    const org = cleanOrg();
    org.accounts.set('555555555555', account('555555555555', 'failed-acct', 'r-root', 'SUSPENDED'));
    org.tags.set('555555555555', {});
    org.roleProblems = new Map([['555555555555', 'AccessDenied']]);
    expect(observe([staging(), prod(), failed], org)).toEqual([]);
  });

  it('sorts its findings by key', () => {
    const org = cleanOrg();
    org.accounts.set(STAGING_ACCOUNT, account(STAGING_ACCOUNT, 'staging-acct', 'r-root', 'SUSPENDED'));
    org.accounts.set(STRAY_ACCOUNT, account(STRAY_ACCOUNT, 'Stray', 'ou-prod'));
    org.roleProblems = new Map([[PROD_ACCOUNT, 'AccessDenied']]);
    const stuck = environment({ id: 'env-stuck', name: 'Stuck', status: 'PLACING' });
    const found = observe([staging(), prod(), stuck], org, { now: minutes(120), stuckAfterSeconds: 3600 });
    expect(found.map((f) => f.key)).toEqual([
      `ACCOUNT_MISPLACED#${STAGING_ACCOUNT}`,
      `ACCOUNT_SUSPENDED#${STAGING_ACCOUNT}`,
      'ENVIRONMENT_STUCK#env-stuck',
      `ROLE_NOT_ASSUMABLE#${PROD_ACCOUNT}`,
      `UNMANAGED_ACCOUNT#${STRAY_ACCOUNT}`,
    ]);
  });
});

describe('reconcile', () => {
  const misplaced = (actual = 'Sandbox'): Observation => ({
    key: `ACCOUNT_MISPLACED#${STAGING_ACCOUNT}`,
    kind: 'ACCOUNT_MISPLACED',
    environmentId: 'env-staging',
    environmentName: 'Staging',
    accountId: STAGING_ACCOUNT,
    accountName: 'staging-acct',
    ouId: 'ou-stag',
    expected: 'Workloads/Staging',
    actual,
    fix: `Move account ${STAGING_ACCOUNT} (Staging) back to Workloads/Staging.`,
  });
  const twice = { confirmChecks: 2 };

  it('announces a finding on its second consecutive sighting, and only then', () => {
    const first = reconcile([], [misplaced()], { now: minutes(1), ...twice });
    expect(first.findings).toEqual([{ ...misplaced(), firstSeen: minutes(1).toISOString(), lastSeen: minutes(1).toISOString(), checks: 1, confirmed: false }]);
    expect(first.detected).toEqual([]);
    expect(first.resolved).toEqual([]);

    const second = reconcile(first.findings, [misplaced()], { now: minutes(2), ...twice });
    expect(second.findings).toEqual([{ ...misplaced(), firstSeen: minutes(1).toISOString(), lastSeen: minutes(2).toISOString(), checks: 2, confirmed: true }]);
    expect(second.detected).toEqual(second.findings);

    const third = reconcile(second.findings, [misplaced()], { now: minutes(3), ...twice });
    expect(third.findings[0]).toMatchObject({ firstSeen: minutes(1).toISOString(), lastSeen: minutes(3).toISOString(), checks: 3, confirmed: true });
    expect(third.detected).toEqual([]);
    expect(third.resolved).toEqual([]);
  });

  it('announces a confirmed finding again when what it says changes', () => {
    const first = reconcile([], [misplaced('Sandbox')], { now: minutes(1), ...twice });
    const second = reconcile(first.findings, [misplaced('Sandbox')], { now: minutes(2), ...twice });
    const moved = reconcile(second.findings, [misplaced('(root)')], { now: minutes(3), ...twice });
    expect(moved.detected).toEqual([expect.objectContaining({ actual: '(root)', firstSeen: minutes(1).toISOString(), checks: 3, confirmed: true })]);
  });

  it('resolves a confirmed finding that disappears, but not a pending one', () => {
    const other: Observation = { ...misplaced(), key: `ACCOUNT_MISPLACED#${PROD_ACCOUNT}`, accountId: PROD_ACCOUNT };
    const first = reconcile([], [misplaced()], { now: minutes(1), ...twice });
    const second = reconcile(first.findings, [misplaced(), other], { now: minutes(2), ...twice });
    expect(second.findings.map((f) => [f.key, f.confirmed])).toEqual([
      [`ACCOUNT_MISPLACED#${STAGING_ACCOUNT}`, true],
      [`ACCOUNT_MISPLACED#${PROD_ACCOUNT}`, false],
    ]);

    const gone = reconcile(second.findings, [], { now: minutes(3), ...twice });
    expect(gone.findings).toEqual([]);
    expect(gone.detected).toEqual([]);
    expect(gone.resolved).toEqual([second.findings[0]]);
  });

  it('starts counting again when a finding comes back after disappearing', () => {
    const first = reconcile([], [misplaced()], { now: minutes(1), ...twice });
    const gap = reconcile(first.findings, [], { now: minutes(2), ...twice });
    const back = reconcile(gap.findings, [misplaced()], { now: minutes(3), ...twice });
    expect(back.findings[0]).toMatchObject({ firstSeen: minutes(3).toISOString(), checks: 1, confirmed: false });
    expect(back.detected).toEqual([]);
  });

  it('announces at once with confirmChecks 1', () => {
    const result = reconcile([], [misplaced()], { now: minutes(1), confirmChecks: 1 });
    expect(result.findings[0]).toMatchObject({ checks: 1, confirmed: true });
    expect(result.detected).toEqual(result.findings);
  });

  it('announces a remediated finding at once, and resolves it when it is gone on the next check', () => {
    const remediated: Observation = {
      ...misplaced(),
      remediation: { action: 'moved-back', at: minutes(1).toISOString(), from: 'Sandbox', to: 'Workloads/Staging' },
    };
    const first = reconcile([], [remediated], { now: minutes(1), ...twice });
    expect(first.findings[0]).toMatchObject({ confirmed: false, checks: 1 });
    expect(first.detected).toEqual(first.findings);

    const next = reconcile(first.findings, [], { now: minutes(2), ...twice });
    expect(next.resolved).toEqual(first.findings);
    expect(next.detected).toEqual([]);
  });
});

describe('floorCalls', () => {
  const ou = (id: string, parentId = 'r-root') => [id, { id, name: id, parentId, path: id }] as const;
  const accounts = (count: number, parentId: string, prefix: string) =>
    Array.from({ length: count }, (_, i) => {
      const id = `${prefix}${String(i).padStart(4, '0')}`;
      return [id, account(id, id, parentId)] as const;
    });

  it('counts ListRoots plus a page of child OUs and at least one page of accounts per parent', () => {
    // Root: 2 child OUs (1 page) + 3 accounts (1 page) = 2
    // ou-a: 0 child OUs (1 page) + 45 accounts (ceil(45/20) = 3 pages) = 4
    // ou-b: 0 child OUs (1 page) + 0 accounts (1 page) = 2
    // Plus ListRoots: 1 + 2 + 4 + 2 = 9
    const snapshot = {
      rootId: 'r-root',
      ous: new Map([ou('ou-a'), ou('ou-b')]),
      accounts: new Map([...accounts(3, 'r-root', 'root'), ...accounts(45, 'ou-a', 'a')]),
    };
    expect(floorCalls(snapshot)).toBe(9);
  });

  it('needs three calls for an organization that is just a root', () => {
    expect(floorCalls({ rootId: 'r-root', ous: new Map(), accounts: new Map() })).toBe(3);
  });

  it('turns the page at 21 items, for accounts and for child OUs', () => {
    expect(floorCalls({ rootId: 'r-root', ous: new Map(), accounts: new Map(accounts(20, 'r-root', 'x')) })).toBe(3);
    expect(floorCalls({ rootId: 'r-root', ous: new Map(), accounts: new Map(accounts(21, 'r-root', 'x')) })).toBe(4);
    // Root: 2 pages of 21 OUs + 1 page of accounts = 3; each of the 21 OUs: 1 + 1 = 2. 1 + 3 + 42 = 46.
    const ous = new Map(Array.from({ length: 21 }, (_, i) => ou(`ou-${i}`)));
    expect(floorCalls({ rootId: 'r-root', ous, accounts: new Map() })).toBe(46);
  });

  it('counts nested OUs under their own parent', () => {
    // Root: 1 + 1; ou-a (one child): 1 + 1; ou-a1: 1 + 1. 1 + 2 + 2 + 2 = 7.
    expect(floorCalls({ rootId: 'r-root', ous: new Map([ou('ou-a'), ou('ou-a1', 'ou-a')]), accounts: new Map() })).toBe(7);
  });
});

/** A finding as a check would store it. */
function finding(o: Observation, confirmed = true): Finding {
  return { ...o, firstSeen: T0.toISOString(), lastSeen: T0.toISOString(), checks: confirmed ? 2 : 1, confirmed };
}

describe('countFindings', () => {
  it('counts totals, confirmed, pending and each kind', () => {
    const org = cleanOrg();
    moveAccount(org, STAGING_ACCOUNT, 'ou-sand');
    moveAccount(org, PROD_ACCOUNT, 'r-root');
    org.tags.set(PROD_ACCOUNT, {});
    const [prodMisplaced, stagingMisplaced, tags] = observe([staging(), prod()], org);
    expect([prodMisplaced!.kind, stagingMisplaced!.kind, tags!.kind]).toEqual(['ACCOUNT_MISPLACED', 'ACCOUNT_MISPLACED', 'TAGS_CHANGED']);
    expect(countFindings([finding(prodMisplaced!), finding(stagingMisplaced!, false), finding(tags!)])).toEqual({
      total: 3,
      confirmed: 2,
      pending: 1,
      byKind: { ACCOUNT_MISPLACED: 2, TAGS_CHANGED: 1 },
    });
  });

  it('is all zeros for no findings', () => {
    expect(countFindings([])).toEqual({ total: 0, confirmed: 0, pending: 0, byKind: {} });
  });
});

describe('describeFinding', () => {
  function observed(mutate: (org: OrgSnapshot) => void, environments = [staging(), prod()]): Finding {
    const org = cleanOrg();
    mutate(org);
    const found = observe(environments, org, { now: minutes(120) });
    expect(found).toHaveLength(1);
    return finding(found[0]!);
  }

  it('names the account and both paths', () => {
    const f = observed((org) => moveAccount(org, STAGING_ACCOUNT, 'ou-sand'));
    expect(describeFinding(f)).toBe(`ACCOUNT_MISPLACED staging-acct (${STAGING_ACCOUNT}): expected Workloads/Staging, actual Sandbox`);
  });

  it('renders a tag diff as key=value, with (none) for a missing tag', () => {
    const f = observed((org) => org.tags.set(STAGING_ACCOUNT, { team: 'growth', 'switchyard:environment': 'Staging', 'switchyard:requested-by': 'ana' }));
    expect(describeFinding(f)).toBe(
      `TAGS_CHANGED staging-acct (${STAGING_ACCOUNT}): expected team=payments, switchyard:environment-id=env-staging, actual team=growth, switchyard:environment-id=(none)`,
    );
  });

  it('names the environment when there is no account, and the OU when there is neither', () => {
    const stuck = observed(() => {}, [environment({ id: 'env-stuck', name: 'Stuck', status: 'CREATING' })]);
    expect(describeFinding(stuck)).toBe(`ENVIRONMENT_STUCK Stuck: expected READY or FAILED within 60 minutes, actual CREATING since ${T0.toISOString()}`);
    const renamed = observed((org) => org.ous.set('ou-prod', { id: 'ou-prod', name: 'Prod', parentId: 'ou-work', path: 'Workloads/Prod' }));
    expect(describeFinding(renamed)).toBe('OU_RENAMED ou-prod: expected Workloads/Production, actual Workloads/Prod');
  });

  it('says what remediation did', () => {
    const f = observed((org) => moveAccount(org, STAGING_ACCOUNT, 'r-root'));
    const at = minutes(120).toISOString();
    const base = `ACCOUNT_MISPLACED staging-acct (${STAGING_ACCOUNT}): expected Workloads/Staging, actual (root)`;
    expect(describeFinding({ ...f, remediation: { action: 'moved-back', at, from: '(root)', to: 'Workloads/Staging' } })).toBe(
      `${base} — moved back from (root) to Workloads/Staging`,
    );
    expect(describeFinding({ ...f, remediation: { action: 'move-failed', at, from: '(root)', to: 'Workloads/Staging', error: 'AccessDeniedException: no' } })).toBe(
      `${base} — moving it back failed: AccessDeniedException: no`,
    );
    expect(describeFinding({ ...f, remediation: { action: 'move-failed', at, from: '(root)', to: 'Workloads/Staging' } })).toBe(`${base} — moving it back failed: unknown error`);
  });
});
