import { DescribeOrganizationCommand, ListRootsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-organizations';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';
import { mapUxcError, UxcCallError } from '../../shared/adapters/aws/uxc-errors';
import { newEnvironment } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const accountTags = async (h: Harness, accountId: string) => {
  const out = await simOrganizationsClient(h.sim).send(new ListTagsForResourceCommand({ ResourceId: accountId }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key, t.Value]));
};

/** Every organization path the admin's grant policies allow, as IAM holds them now. */
const grantedPaths = (h: Harness): string[] =>
  h.sim.grantsView().policies.flatMap((p) => (p.document as { Statement: any[] }).Statement[0].Condition['ForAnyValue:StringLike']['aws:ResourceOrgPaths'] as string[]);

/** `o-…/r-…/ou-…/ou-…/*` for an OU path, from the organization's own ids. */
async function orgPath(h: Harness, ouPath: string): Promise<string> {
  const org = simOrganizationsClient(h.sim);
  const orgId = (await org.send(new DescribeOrganizationCommand({}))).Organization!.Id!;
  const rootId = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const segments = ouPath.split('/');
  const ous = segments.map((_, i) => h.sim.findOuByPath(segments.slice(0, i + 1).join('/'))!);
  return `${[orgId, rootId, ...ous].join('/')}/*`;
}

/** An environment whose account already sits in `ouPath` (created by hand), ready for GrantAccess. */
async function placedEnvironment(h: Harness, name: string, ouPath: string): Promise<string> {
  const ouId = h.sim.ensureOuPath(ouPath);
  const account = h.sim.createAccountByHand(name, `${name.toLowerCase().replace(/\W/g, '')}@example.com`, ouPath);
  const request = parseEnvironmentRequest({ name, ou: ouPath }, { emailTemplate: h.deps.config.EMAIL_TEMPLATE });
  const { environment } = await h.deps.environments.create(newEnvironment(request, { now: h.clock.now(), source: 'test' }));
  await h.deps.environments.update(environment.id, (current) => ({ ...current, accountId: account.id, ouId, ouPath }));
  return environment.id;
}

describe('the switch-role handoff (GrantAccess, ConfigureAccount)', () => {
  it('grants the admin group one policy covering the OU by organization path, and sets the alias and tags', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging', tags: { team: 'payments' }, requestedBy: 'ana' });
    expect(env.status).toBe('READY');
    const grants = h.sim.grantsView();
    expect(grants.policies).toHaveLength(1);
    expect(grants.attachments['group/Admins']).toEqual([grants.policies[0]!.arn]);
    const statement = (grants.policies[0]!.document as { Statement: any[] }).Statement[0];
    expect(statement).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/OrganizationAccountAccessRole' });
    expect(statement.Condition['ForAnyValue:StringLike']['aws:ResourceOrgPaths']).toEqual([env.grantPattern]);
    expect(env.grantPattern).toMatch(/^o-[a-z0-9]+\/r-[a-z0-9]+\/ou-[a-z0-9]+-[a-z0-9]+\/ou-[a-z0-9]+-[a-z0-9]+\/\*$/);
    expect(env.alias).toBe('staging');
    expect(await accountTags(h, env.accountId!)).toMatchObject({
      team: 'payments',
      'switchyard:environment': 'Staging',
      'switchyard:environment-id': env.id,
      'switchyard:requested-by': 'ana',
    });
  });

  it('adds a second OU to the same policy, and a second account in a known OU changes nothing', async () => {
    h = await harness({ createSeconds: 10 });
    await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    await h.provision({ name: 'Playground', ou: 'Sandbox/Playground' });
    const before = h.sim.grantsView();
    expect((before.policies[0]!.document as any).Statement[0].Condition['ForAnyValue:StringLike']['aws:ResourceOrgPaths']).toHaveLength(2);
    await h.provision({ name: 'Staging Two', ou: 'Workloads/Staging' });
    const after = h.sim.grantsView();
    expect(after.policies[0]!.versions).toBe(before.policies[0]!.versions);
    expect(after.attachments['group/Admins']).toHaveLength(1);
  });

  it('converges when ten grants for ten OUs run at once: every OU path ends up in the admin policy', async () => {
    h = await harness({ createSeconds: 10, accountQuota: 20 });
    const ids: string[] = [];
    const expected: string[] = [];
    for (let i = 1; i <= 10; i++) {
      ids.push(await placedEnvironment(h, `Team ${i}`, `Teams/Team-${i}`));
      expected.push(await orgPath(h, `Teams/Team-${i}`));
    }
    const outcomes = await Promise.allSettled(ids.map((id) => h!.functions.grantAccess!({ id }, {})));
    expect(new Set(grantedPaths(h))).toEqual(new Set(expected));
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'granted'))).toEqual(ids.map(() => 'granted'));
    expect(h.sim.grantsView().attachments['group/Admins']).toEqual(h.sim.grantsView().policies.map((p) => p.arn));
    // IAM keeps at most five versions of a policy; racing writers must never have pushed past that.
    for (const policy of h.sim.grantsView().policies) expect(policy.versions).toBeLessThanOrEqual(5);
  });

  it('loses no OU when a grant that read fewer OUs writes after one that read more', async () => {
    h = await harness({ createSeconds: 10 });
    const a = await placedEnvironment(h, 'Alpha', 'Workloads/Alpha');
    const b = await placedEnvironment(h, 'Beta', 'Workloads/Beta');
    // A records its OU and reads the registry ({A}); B then records, reads {A, B} and writes; A writes last.
    const real = h.deps.grants;
    let arrived!: () => void;
    let release!: () => void;
    const aArrived = new Promise<void>((resolve) => (arrived = resolve));
    const aReleased = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    h.deps.grants = {
      apply: async (principal, policies) => {
        if (calls++ === 0) {
          arrived();
          await aReleased;
        }
        return real.apply(principal, policies);
      },
    };
    const grantA = h.functions.grantAccess!({ id: a }, {});
    await aArrived;
    await h.functions.grantAccess!({ id: b }, {});
    release();
    await grantA;
    expect(grantedPaths(h).sort()).toEqual([await orgPath(h, 'Workloads/Alpha'), await orgPath(h, 'Workloads/Beta')].sort());
  });

  it('reads every recorded OU in one item, without listing the environments, however many there are', async () => {
    h = await harness({ createSeconds: 10, accountQuota: 20 });
    const first = await placedEnvironment(h, 'Alpha', 'Workloads/Alpha');
    await h.functions.grantAccess!({ id: first }, {});
    const second = await placedEnvironment(h, 'Beta', 'Workloads/Beta');
    const real = h.deps.environments;
    let listed = 0;
    h.deps.environments = new Proxy(real, { get: (target, prop) => (prop === 'list' || prop === 'listAll' ? (listed++, target[prop].bind(target)) : (target as any)[prop]) });
    await h.functions.grantAccess!({ id: second }, {});
    expect(listed).toBe(0);
    expect(grantedPaths(h).sort()).toEqual([await orgPath(h, 'Workloads/Alpha'), await orgPath(h, 'Workloads/Beta')].sort());
  });

  it('keeps the OUs an earlier release granted, recorded only on their environments, when the first grant after it runs', async () => {
    h = await harness({ createSeconds: 10, accountQuota: 20 });
    const older = await placedEnvironment(h, 'Older', 'Workloads/Older');
    const olderPattern = await orgPath(h, 'Workloads/Older');
    // As an earlier release left it: the pattern on the environment, no patterns item.
    await h.deps.environments.update(older, (current) => ({ ...current, grantPattern: olderPattern }));
    expect(await h.deps.grantPatterns.all()).toBeUndefined();
    const newer = await placedEnvironment(h, 'Newer', 'Workloads/Newer');
    await h.functions.grantAccess!({ id: newer }, {});
    expect(grantedPaths(h).sort()).toEqual([olderPattern, await orgPath(h, 'Workloads/Newer')].sort());
    expect((await h.deps.grantPatterns.all())!.sort()).toEqual(grantedPaths(h).sort());
  });

  it('tries a suffixed alias when the name is taken elsewhere in AWS, and never fails over it', async () => {
    h = await harness({ createSeconds: 10 });
    const other = h.sim.accountsView()[0]!.id;
    h.sim.setAccountAlias(other, 'staging');
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(env.alias).toBe('staging-2');
    expect(h.sim.accountsView().find((a) => a.id === env.accountId)!.alias).toBe('staging-2');
    // The link names the account by id: aliases can change.
    expect((h.notifier.sent[0] as any).switchRole.consoleUrl).toContain(`account=${env.accountId}`);
  });

  it('waits for a slow-to-appear organization role instead of failing', async () => {
    h = await harness({ createSeconds: 10, roleDelaySeconds: 3600 });
    let refusals = 0;
    const real = h.functions.configureAccount!;
    // Each refused attempt stands for a retry interval of the state machine passing.
    h.functions.configureAccount = async (event, ctx) => {
      try {
        return await real(event, ctx);
      } catch (error) {
        if ((error as Error).name === 'RoleNotReadyError') {
          refusals++;
          h!.clock.advance(600);
        }
        throw error;
      }
    };
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(refusals).toBeGreaterThan(0);
    expect(env.alias).toBe('staging');
  });

  it('ends READY and says so when the role never becomes usable', async () => {
    h = await harness({ createSeconds: 10, roleDelaySeconds: 10 ** 9 });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(env.alias).toBeUndefined();
    // What STS answered, and what to do about it.
    expect(env.timeline.at(-1)!.note).toContain(`the alias and tags could not be set: STS AccessDenied — Not authorized to assume OrganizationAccountAccessRole in ${env.accountId} yet. Fix: the account works without its alias and tags`);
  });

  it('skips the grant, with a note, when no admin principal is configured', async () => {
    h = await harness({ createSeconds: 10, env: { ADMIN_GROUP: '' } });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(h.sim.grantsView().policies).toHaveLength(0);
    expect(env.timeline.map((t) => t.note)).toContain('no ADMIN_GROUP or ADMIN_USER configured: nobody was granted access');
  });
});

describe("the account's own colour (ConfigureAccount)", () => {
  it('paints each account in the console colour of its environment, blue as the light blue of the account palette', async () => {
    h = await harness({ createSeconds: 10 });
    // Staging defaults to yellow; the others name their colour.
    const staging = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    const tools = await h.provision({ name: 'Tools', ou: 'Workloads/Staging', color: 'blue' });
    const ledger = await h.provision({ name: 'Ledger', ou: 'Workloads/Production', color: 'red' });
    expect([staging.status, tools.status, ledger.status]).toEqual(['READY', 'READY', 'READY']);
    const colourOf = (accountId: string | undefined) => h!.sim.accountsView().find((a) => a.id === accountId)!.accountColor;
    expect([colourOf(staging.accountId), colourOf(tools.accountId), colourOf(ledger.accountId)]).toEqual(['yellow', 'lightBlue', 'red']);
    expect(tools.timeline.map((t) => t.note)).toContain('account colour lightBlue');
    // Nothing else was coloured.
    expect(h.sim.accountsView().filter((a) => a.accountColor)).toHaveLength(3);
  });

  it('leaves the environment READY, with the refusal and its fix in the timeline, when AWS will not set the colour', async () => {
    const denied = 'User: arn:aws:sts::210987654321:assumed-role/OrganizationAccountAccessRole/switchyard-configure is not authorized to perform: uxc:UpdateAccountCustomizations with an explicit deny in a service control policy';
    h = await harness({
      createSeconds: 10,
      // The refusal as the deployed adapter words UXC's 403 (its error mapping, not a copy of it).
      wrapAccountSetup: (setup) => ({
        setAlias: (...args) => setup.setAlias(...args),
        setAccountColor: async (_accountId, _roleName, color) => {
          throw mapUxcError(new UxcCallError('AccessDeniedException', denied, 'client', { status: 403 }), color);
        },
      }),
    });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(env.failure).toBeUndefined();
    // The rest of the handoff happened.
    expect(env.alias).toBe('staging');
    expect(h.notifier.sent).toHaveLength(1);
    const note = env.timeline.map((t) => t.note ?? '').find((n) => n.startsWith('account colour yellow not set: '));
    expect(note).toContain(`UXC AccessDeniedException — ${denied}.`);
    expect(note).toContain('Fix: ');
    expect(note).toContain('aws uxc update-account-customizations --account-color yellow');
    expect(h.sim.accountsView().find((a) => a.id === env.accountId)!.accountColor).toBeUndefined();
  });

  it('can run ConfigureAccount again: the same colour, and the note once', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging', color: 'green' });
    const again = await h.functions.configureAccount!({ id: env.id }, { functionName: 'configureAccount', awsRequestId: 'again' });
    expect(again).toMatchObject({ alias: 'staging', accountColor: 'green' });
    const after = (await h.deps.environments.get(env.id))!;
    expect(after.status).toBe('READY');
    expect(after.timeline.filter((t) => t.note === 'account colour green')).toHaveLength(1);
    expect(h.sim.accountsView().find((a) => a.id === env.accountId)!.accountColor).toBe('green');
  });
});
