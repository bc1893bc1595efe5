import { ListTagsForResourceCommand } from '@aws-sdk/client-organizations';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';
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
    expect(env.timeline.at(-1)!.note).toContain('the alias and tags could not be set (RoleNotReadyError)');
  });

  it('skips the grant, with a note, when no admin principal is configured', async () => {
    h = await harness({ createSeconds: 10, env: { ADMIN_GROUP: '' } });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(h.sim.grantsView().policies).toHaveLength(0);
    expect(env.timeline.map((t) => t.note)).toContain('no ADMIN_GROUP or ADMIN_USER configured: nobody was granted access');
  });
});
