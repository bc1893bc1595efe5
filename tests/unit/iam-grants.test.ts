import { GetPolicyCommand, GetPolicyVersionCommand, ListPolicyVersionsCommand, type IAMClient } from '@aws-sdk/client-iam';
import { IamAccessGrants } from '../../shared/adapters/aws/iam-grants';
import { SimulatedIam } from '../../shared/adapters/local/sim-iam';
import { simIamClient, simStsClient } from '../../shared/adapters/local/sim-iam-transport';
import { SimulatedOrganization } from '../../shared/adapters/local/sim-org';
import type { GrantPolicy } from '../../shared/domain/access-policy';

const ADMINS = { type: 'group' as const, name: 'Admins' };
const policy = (paths: string[]): GrantPolicy => ({
  name: 'switchyard-admin-access-1',
  document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/R', Condition: { 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': paths } } }] }),
});

function setup() {
  const sim = new SimulatedOrganization();
  const iam = simIamClient(sim, { maxAttempts: 1, latencyMs: 0 });
  const grants = new IamAccessGrants(iam, simStsClient(sim, { latencyMs: 0 }));
  // The other writer: another grant at IAM at the same moment, acting between two of this one's calls.
  const other = new SimulatedIam(sim);
  return { sim, iam, grants, other };
}

/** Runs `hook` just before the next `times` calls of `command` reach IAM: a concurrent writer acting in between. */
function before(client: IAMClient, command: string, hook: (input: Record<string, string>) => void, times = 1) {
  let left = times;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command && left > 0) {
        left--;
        hook(args.input as Record<string, string>);
      }
      return next(args);
    },
    { step: 'initialize' },
  );
}

async function current(iam: IAMClient, arn: string) {
  const id = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId!;
  const document = decodeURIComponent((await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: id }))).PolicyVersion!.Document!);
  const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!.length;
  return { document, versions };
}

/** The policy with `count` versions already, the newest the default (as after several grants). */
function withVersions(sim: SimulatedOrganization, other: SimulatedIam, count: number): string {
  const arn = other.CreatePolicy({ PolicyName: 'switchyard-admin-access-1', Path: '/switchyard/', PolicyDocument: policy(['o-1/r-1/ou-0/*']).document }).Policy!.Arn!;
  for (let n = 2; n <= count; n++) other.CreatePolicyVersion({ PolicyArn: arn, PolicyDocument: policy([`o-1/r-1/ou-${n}/*`]).document, SetAsDefault: true });
  expect(sim.grantsView().policies[0]!.versions).toBe(count);
  return arn;
}

describe('IamAccessGrants racing other writers of the same policy', () => {
  it('reads and updates a policy another writer created after GetPolicy found none (EntityAlreadyExists)', async () => {
    const { iam, grants, other } = setup();
    let arn = '';
    before(iam, 'CreatePolicyCommand', () => {
      arn = other.CreatePolicy({ PolicyName: 'switchyard-admin-access-1', Path: '/switchyard/', PolicyDocument: policy(['o-1/r-1/ou-b/*']).document }).Policy!.Arn!;
    });
    const mine = policy(['o-1/r-1/ou-a/*']);
    await expect(grants.apply(ADMINS, [mine])).resolves.toEqual({ changed: ['switchyard-admin-access-1'] });
    expect(await current(iam, arn)).toEqual({ document: mine.document, versions: 2 });
  });

  it('goes on when another writer already deleted the version it meant to delete (NoSuchEntity)', async () => {
    const { sim, iam, grants, other } = setup();
    const arn = withVersions(sim, other, 5);
    // Both saw five versions and picked the same oldest one; the other deletes it first.
    const deleted: string[] = [];
    before(iam, 'DeletePolicyVersionCommand', (input) => {
      deleted.push(input.VersionId!);
      other.DeletePolicyVersion({ PolicyArn: arn, VersionId: input.VersionId });
    });
    const mine = policy(['o-1/r-1/ou-a/*', 'o-1/r-1/ou-b/*']);
    await expect(grants.apply(ADMINS, [mine])).resolves.toEqual({ changed: ['switchyard-admin-access-1'] });
    // The oldest non-default version is the one that goes.
    expect(deleted).toEqual(['v1']);
    expect(await current(iam, arn)).toEqual({ document: mine.document, versions: 5 });
  });

  it('makes room again when another writer took the room it made (LimitExceeded on CreatePolicyVersion)', async () => {
    const { sim, iam, grants, other } = setup();
    const arn = withVersions(sim, other, 5);
    before(iam, 'CreatePolicyVersionCommand', () => {
      other.CreatePolicyVersion({ PolicyArn: arn, PolicyDocument: policy(['o-1/r-1/ou-b/*']).document, SetAsDefault: true });
    });
    const mine = policy(['o-1/r-1/ou-a/*', 'o-1/r-1/ou-b/*']);
    await expect(grants.apply(ADMINS, [mine])).resolves.toEqual({ changed: ['switchyard-admin-access-1'] });
    expect(await current(iam, arn)).toEqual({ document: mine.document, versions: 5 });
  });

  it('reads the new default when the version GetPolicy named was deleted meanwhile', async () => {
    const { sim, iam, grants, other } = setup();
    const arn = withVersions(sim, other, 2);
    before(iam, 'GetPolicyVersionCommand', () => {
      other.CreatePolicyVersion({ PolicyArn: arn, PolicyDocument: policy(['o-1/r-1/ou-b/*']).document, SetAsDefault: true });
      other.DeletePolicyVersion({ PolicyArn: arn, VersionId: 'v2' });
    });
    const mine = policy(['o-1/r-1/ou-a/*']);
    await expect(grants.apply(ADMINS, [mine])).resolves.toEqual({ changed: ['switchyard-admin-access-1'] });
    expect((await current(iam, arn)).document).toBe(mine.document);
  });

  it('finds nothing to change when IAM already holds the document, and writes no version', async () => {
    const { sim, iam, grants, other } = setup();
    const arn = withVersions(sim, other, 1);
    await expect(grants.apply(ADMINS, [policy(['o-1/r-1/ou-0/*'])])).resolves.toEqual({ changed: [] });
    expect((await current(iam, arn)).versions).toBe(1);
    expect(sim.grantsView().attachments['group/Admins']).toEqual([arn]);
  });

  it('gives up for now with RetryableAwsError when the room it makes is taken every time, never passing five versions', async () => {
    const { sim, iam, grants, other } = setup();
    const arn = withVersions(sim, other, 5);
    let n = 100;
    before(iam, 'CreatePolicyVersionCommand', () => void other.CreatePolicyVersion({ PolicyArn: arn, PolicyDocument: policy([`o-1/r-1/ou-${n++}/*`]).document, SetAsDefault: true }), 1000);
    await expect(grants.apply(ADMINS, [policy(['o-1/r-1/ou-a/*'])])).rejects.toMatchObject({ name: 'RetryableAwsError' });
    expect((await current(iam, arn)).versions).toBe(5);
  });

  it('refuses a group that does not exist, naming IAM’s code and message and the fix, with the SDK’s exception as cause', async () => {
    const { grants } = setup();
    const thrown = await grants.apply({ type: 'group', name: 'Platform' }, [policy(['o-1/r-1/ou-a/*'])]).catch((e: unknown) => e);
    expect(thrown).toMatchObject({
      name: 'AwsRequestRejectedError',
      service: 'IAM',
      awsCode: 'NoSuchEntity',
      awsMessage: 'The group with name Platform cannot be found.',
      operation: 'AttachGroupPolicy',
      fix: 'create IAM group Platform or set ADMIN_GROUP to an existing group',
      message: 'IAM NoSuchEntity — The group with name Platform cannot be found. Fix: create IAM group Platform or set ADMIN_GROUP to an existing group',
    });
    expect((thrown as Error).cause).toMatchObject({ name: 'NoSuchEntityException', Code: 'NoSuchEntity' });
  });

  it('refuses, without retrying, a group that already holds ten policies', async () => {
    const { iam, grants, other } = setup();
    for (let n = 1; n <= 10; n++) {
      const arn = other.CreatePolicy({ PolicyName: `own-${n}`, PolicyDocument: policy([`o-1/r-1/ou-${n}/*`]).document }).Policy!.Arn!;
      other.AttachGroupPolicy({ GroupName: 'Admins', PolicyArn: arn });
    }
    await expect(grants.apply(ADMINS, [policy(['o-1/r-1/ou-a/*'])])).rejects.toMatchObject({
      name: 'AwsRequestRejectedError',
      awsCode: 'LimitExceeded',
      fix: expect.stringContaining('group Admins already holds the most managed policies IAM allows'),
    });
    void iam;
  });
});
