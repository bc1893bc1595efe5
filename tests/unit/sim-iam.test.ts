import {
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListPolicyVersionsCommand,
} from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { main } from '../../local/sim-cli';
import { SimulatedIam } from '../../shared/adapters/local/sim-iam';
import { simIamClient, simStsClient } from '../../shared/adapters/local/sim-iam-transport';
import { organizationFilePath, SimulatedOrganization } from '../../shared/adapters/local/sim-org';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';
import { captureIo, removeTempDirs, tempDir } from '../fixtures/sim-cli';

afterAll(removeTempDirs);

const doc = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::*:role/Role${n}` }] });

function setup(options: { dataDir?: string } = {}) {
  const sim = new SimulatedOrganization(options);
  // One attempt and no latency: each answer is IAM's first, at once.
  const iam = simIamClient(sim, { maxAttempts: 1, latencyMs: 0 });
  return { sim, iam };
}

async function create(iam: IAMClient, name = 'grant-1', document = doc(1)): Promise<string> {
  const out = await iam.send(new CreatePolicyCommand({ PolicyName: name, Path: '/switchyard/', PolicyDocument: document }));
  return out.Policy!.Arn!;
}

/** What the SDK threw: the exception name, the Query error code and IAM's HTTP status. */
async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, code: e.Code, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

describe('the simulated IAM through the real IAMClient (AWS Query protocol)', () => {
  it('creates a policy under its path and returns its default document URL-encoded, as IAM does', async () => {
    const { iam } = setup();
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': ['o-a/r-b/ou-c/*'] } } }] });
    const arn = await create(iam, 'grant-1', document);
    expect(arn).toMatch(/^arn:aws:iam::\d{12}:policy\/switchyard\/grant-1$/);
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    expect(policy).toMatchObject({ PolicyName: 'grant-1', Path: '/switchyard/', DefaultVersionId: 'v1', AttachmentCount: 0, IsAttachable: true });
    expect(policy.CreateDate).toBeInstanceOf(Date);
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }))).PolicyVersion!;
    expect(version.Document).not.toContain('{');
    expect(decodeURIComponent(version.Document!)).toBe(document);
    expect(version).toMatchObject({ VersionId: 'v1', IsDefaultVersion: true });
  });

  it('refuses a second CreatePolicy of the same name with EntityAlreadyExists (HTTP 409), also when both are sent at once', async () => {
    const { iam } = setup();
    await create(iam, 'grant-1');
    expect(await failure(create(iam, 'grant-1', doc(2)))).toMatchObject({ name: 'EntityAlreadyExistsException', code: 'EntityAlreadyExists', status: 409 });
    expect(await failure(create(iam, 'GRANT-1', doc(2)))).toMatchObject({ code: 'EntityAlreadyExists' });
    const racing = await Promise.allSettled([create(iam, 'grant-2', doc(1)), create(iam, 'grant-2', doc(2))]);
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((racing.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ Code: 'EntityAlreadyExists' });
  });

  it('keeps at most five versions: a sixth is LimitExceeded (nothing is dropped) until one is deleted', async () => {
    const { iam } = setup();
    const arn = await create(iam);
    for (let n = 2; n <= 5; n++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(n), SetAsDefault: true }));
    expect(await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(6), SetAsDefault: true })))).toMatchObject({
      name: 'LimitExceededException',
      code: 'LimitExceeded',
      status: 409,
    });
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
    expect(versions.map((v) => v.VersionId).sort()).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(versions.find((v) => v.IsDefaultVersion)!.VersionId).toBe('v5');

    expect(await failure(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' })))).toMatchObject({ code: 'DeleteConflict', status: 409 });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    expect(await failure(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })))).toMatchObject({ name: 'NoSuchEntityException', code: 'NoSuchEntity', status: 404 });
    const created = (await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(6), SetAsDefault: true }))).PolicyVersion!;
    expect(created).toMatchObject({ VersionId: 'v6', IsDefaultVersion: true });
    // Without SetAsDefault the new version is not the default.
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(7) }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe('v6');
  });

  it('limits a document to 6,144 characters not counting white space, and refuses one that is not JSON', async () => {
    const { iam } = setup();
    const fits = JSON.stringify({ Version: '2012-10-17', Statement: [], Sid: 'x'.repeat(6144 - JSON.stringify({ Version: '2012-10-17', Statement: [], Sid: '' }).length) });
    expect(fits.length).toBe(6144);
    await create(iam, 'fits', fits.replace('{', '{\n    '));
    expect(await failure(create(iam, 'too-big', fits.replace('"x', '"xx')))).toMatchObject({ code: 'LimitExceeded', status: 409, message: expect.stringContaining('PolicySize') });
    expect(await failure(create(iam, 'broken', '{"Version":'))).toMatchObject({ code: 'MalformedPolicyDocument', status: 400 });
  });

  it('attaches to the Admins group once, answers NoSuchEntity for a group or user that does not exist, and stops at ten policies', async () => {
    const { sim, iam } = setup();
    const arns: string[] = [];
    for (let n = 1; n <= 11; n++) arns.push(await create(iam, `p-${n}`, doc(n)));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn: arns[0] }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn: arns[0] }));
    expect(sim.grantsView().attachments['group/Admins']).toEqual([arns[0]]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arns[0] }))).Policy!.AttachmentCount).toBe(1);

    expect(await failure(iam.send(new AttachGroupPolicyCommand({ GroupName: 'Platform', PolicyArn: arns[0] })))).toEqual({
      name: 'NoSuchEntityException',
      code: 'NoSuchEntity',
      status: 404,
      message: 'The group with name Platform cannot be found.',
    });
    expect(await failure(iam.send(new AttachUserPolicyCommand({ UserName: 'ana', PolicyArn: arns[0] })))).toMatchObject({ code: 'NoSuchEntity', message: 'The user with name ana cannot be found.' });
    const missingPolicy = arns[0]!.replace('p-1', 'p-99');
    expect(await failure(iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn: missingPolicy })))).toMatchObject({ code: 'NoSuchEntity', message: expect.stringContaining(missingPolicy) });

    for (const arn of arns.slice(1, 10)) await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn: arn }));
    expect(await failure(iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn: arns[10] })))).toMatchObject({
      code: 'LimitExceeded',
      status: 409,
      message: 'Cannot exceed quota for PoliciesPerGroup: 10',
    });

    // A user created in the console can then hold grants too.
    new SimulatedIam(sim).createUser('ana');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'ana', PolicyArn: arns[10] }));
    expect(sim.grantsView().attachments['user/ana']).toEqual([arns[10]]);
  });

  it('answers an ARN that is not a policy ARN with InvalidInput and an action it does not simulate with InvalidAction', async () => {
    const { iam } = setup();
    expect(await failure(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::123:role/x' })))).toMatchObject({ code: 'InvalidInput', status: 400 });
    expect(await failure(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::123456789012:policy/switchyard/none' })))).toMatchObject({ code: 'NoSuchEntity', status: 404 });
    const { ListUsersCommand } = await import('@aws-sdk/client-iam');
    expect(await failure(iam.send(new ListUsersCommand({})))).toMatchObject({ code: 'InvalidAction', status: 400 });
  });

  it('answers STS GetCallerIdentity with the management account', async () => {
    const { sim } = setup();
    const management = (await simOrganizationsClient(sim).send(new DescribeOrganizationCommand({}))).Organization!.MasterAccountId;
    const identity = await simStsClient(sim, { latencyMs: 0 }).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(management);
    expect(identity.Arn).toMatch(new RegExp(`^arn:aws:iam::${management}:`));
  });

  it('keeps IAM in the organization file: another instance sees the policies, and `npm run sim -- grants` lists them', async () => {
    const dataDir = tempDir();
    const { iam } = setup({ dataDir });
    const arn = await create(iam, 'switchyard-admin-access-1', JSON.stringify({ Statement: [{ Condition: { 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': ['o-a/r-b/ou-c/*', 'o-a/r-b/ou-d/*'] } } }] }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Admins', PolicyArn: arn }));
    expect(JSON.parse(readFileSync(organizationFilePath(dataDir), 'utf8')).iam.policies['switchyard-admin-access-1'].arn).toBe(arn);

    const again = simIamClient(new SimulatedOrganization({ dataDir }), { latencyMs: 0 });
    expect((await again.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount).toBe(1);
    const io = captureIo(dataDir);
    expect(main(['grants', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ policies: [{ name: 'switchyard-admin-access-1', arn, versions: 1 }], attachments: { 'group/Admins': [arn] } });
    const table = captureIo(dataDir);
    expect(main(['grants'], table)).toBe(0);
    expect(table.out).toMatch(/switchyard-admin-access-1\s+1\s+2\s+group\/Admins/);
  });
});
