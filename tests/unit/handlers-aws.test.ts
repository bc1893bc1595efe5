/**
 * The deployed `handler` exports, invoked as Lambda would invoke them: ports built lazily from the
 * environment with real SDK clients, whose `send` is mocked. This is the AWS wiring the local runtime
 * never exercises (it calls `build` with local ports).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  CreateAccountCommand,
  DuplicateAccountException,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type GetCommandInput, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { httpEvent } from '../fixtures/http-event';

// The configuration a deployment gives every function. Set before the handlers load; they read it on first invocation.
const TABLE = 'switchyard-registry-test';
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:sm';
const ADMIN_EMAIL = 'cloud-admins@example.com';
const SENDER_EMAIL = 'switchyard@example.com';
Object.assign(process.env, {
  REGISTRY_TABLE: TABLE,
  STATE_MACHINE_ARN,
  ADMIN_EMAIL,
  SENDER_EMAIL,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
});

const createEnvironment = (require('../../functions/create-environment/handler') as typeof import('../../functions/create-environment/handler')).handler;
const getEnvironment = (require('../../functions/get-environment/handler') as typeof import('../../functions/get-environment/handler')).handler;
const createAccount = (require('../../functions/create-account/handler') as typeof import('../../functions/create-account/handler')).handler;
const placeAccount = (require('../../functions/place-account/handler') as typeof import('../../functions/place-account/handler')).handler;
const notifyAdmin = (require('../../functions/notify-admin/handler') as typeof import('../../functions/notify-admin/handler')).handler;

const meta = { $metadata: { httpStatusCode: 400, requestId: 'req-0000' } };
const org = mockClient(OrganizationsClient);
const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const ses = mockClient(SESv2Client);

const ROOT = 'r-ab12';
const WORKLOADS = 'ou-ab12-wkld0001';
const STAGING_OU = 'ou-ab12-stag0001';
const MANAGEMENT = { Id: '111111111111', Name: 'Management', Email: 'aws-root@example.com', State: 'ACTIVE' as const, Arn: 'arn:aws:organizations::111111111111:account/o-abcd123456/111111111111' };
const NEW_ACCOUNT = '222233334444';

/** The Lambda context as a test passes it: no deadline to observe. */
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'switchyard-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:switchyard-test',
  memoryLimitInMB: '512',
  awsRequestId: '6f1c0e7a-0000-4000-8000-000000000000',
  logGroupName: '/aws/lambda/switchyard-test',
  logStreamName: '2026/11/28/[$LATEST]0000',
} as Context;


const postEnvironments = (body: string) => httpEvent('/environments', 'POST /environments', { body, timeEpoch: Date.UTC(2026, 10, 28, 9) });
const getEnvironmentEvent = (id: string) => httpEvent(`/environments/${id}`, 'GET /environments/{id}', { pathParameters: { id }, timeEpoch: Date.UTC(2026, 10, 28, 9) });

function replyBody(result: APIGatewayProxyStructuredResultV2): any {
  return JSON.parse(result.body ?? '');
}

const STAGING_BODY = { name: 'Staging', ou: 'Workloads/Staging' };
const stagingRequest = () => parseEnvironmentRequest(STAGING_BODY, { emailTemplate: 'admin+{slug}@example.com' });

/** Staging as the registry holds it once the workflow has moved it to `status` (a fresh request by default). */
function staging(patch: Partial<Environment> = {}, status: Environment['status'] = 'REQUESTED'): Environment {
  const created = new Date(Date.now() - 60_000);
  let env = newEnvironment(stagingRequest(), { now: created, source: 'api' });
  const path: Environment['status'][] = ['CREATING', 'PLACING', 'NOTIFYING', 'READY'];
  for (const next of path.slice(0, path.indexOf(status as (typeof path)[number]) + 1)) env = advance(env, next, created);
  return { ...env, ...patch };
}

/**
 * The registry table behind the document client: items keyed by pk, laid out as the DynamoDB stores write
 * them, with the two condition expressions the registry uses for environments honoured.
 */
const table = new Map<string, Record<string, unknown>>();

function store(env: Environment): void {
  table.set(`ENV#${env.id}`, {
    ...env,
    pk: `ENV#${env.id}`,
    gsi1pk: 'ENV',
    gsi1sk: `${env.createdAt}#${env.id}`,
    emailKey: env.email.toLowerCase(),
    ...(env.status === 'READY' || env.status === 'FAILED' ? {} : { activePk: 'ACTIVE' }),
  });
}

const stored = (id: string) => table.get(`ENV#${id}`);

function registryTable(): void {
  ddb.on(GetCommand).callsFake(async (input: GetCommandInput) => {
    const item = table.get(String(input.Key?.pk));
    return { $metadata: { httpStatusCode: 200 }, ...(item ? { Item: structuredClone(item) } : {}) };
  });
  ddb.on(PutCommand).callsFake(async (input: PutCommandInput) => {
    const item = input.Item as Record<string, unknown>;
    const current = table.get(String(item.pk));
    const failed = () => new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' });
    if (input.ConditionExpression === 'attribute_not_exists(pk)' && current) throw failed();
    if (input.ConditionExpression === 'version = :expected' && current?.version !== input.ExpressionAttributeValues?.[':expected']) throw failed();
    table.set(String(item.pk), structuredClone(item));
    return { $metadata: { httpStatusCode: 200 } };
  });
  // The email and active-environment lookups: nobody else uses Staging's address, nothing else is in flight.
  ddb.on(QueryCommand).resolves({ Items: [], Count: 0, ScannedCount: 0 });
}

/** Root → Workloads → Staging, plus siblings that must not be picked. */
function organizationTree(): void {
  org.on(ListRootsCommand).resolves({ Roots: [{ Id: ROOT, Arn: `arn:aws:organizations::111111111111:root/o-abcd123456/${ROOT}`, Name: 'Root', PolicyTypes: [] }] });
  org.on(ListOrganizationalUnitsForParentCommand, { ParentId: ROOT }).resolves({
    OrganizationalUnits: [
      { Id: 'ou-ab12-sand0001', Name: 'Sandbox' },
      { Id: WORKLOADS, Name: 'Workloads' },
    ],
  });
  org.on(ListOrganizationalUnitsForParentCommand, { ParentId: WORKLOADS }).resolves({
    OrganizationalUnits: [
      { Id: 'ou-ab12-prod0001', Name: 'Production' },
      { Id: STAGING_OU, Name: 'Staging' },
    ],
  });
}

beforeEach(() => {
  org.reset();
  ddb.reset();
  sfn.reset();
  ses.reset();
  table.clear();
  registryTable();
});

const CONSOLE_URL = `https://signin.aws.amazon.com/switchrole?account=${NEW_ACCOUNT}&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95`;

describe('createEnvironment handler (POST /environments)', () => {
  beforeEach(() => {
    organizationTree();
    org.on(ListAccountsCommand).resolves({ Accounts: [MANAGEMENT] });
  });

  it('records a new environment, starts its execution named by the id, and answers 202', async () => {
    sfn.on(StartExecutionCommand).callsFake(async (input: { name?: string }) => ({
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:sm:${input.name}`,
      startDate: new Date(),
    }));

    const result = (await createEnvironment(postEnvironments(JSON.stringify(STAGING_BODY)), context)) as APIGatewayProxyStructuredResultV2;

    expect(result.statusCode).toBe(202);
    const body = replyBody(result);
    const { id } = stagingRequest();
    expect(id).toMatch(/^staging-[0-9a-f]{8}$/);
    expect(body).toMatchObject({ id, status: 'REQUESTED', environment: { id, name: 'Staging', email: 'admin+staging@example.com', ou: 'Workloads/Staging', status: 'REQUESTED' } });
    expect(result.headers).toMatchObject({ location: `/environments/${id}`, 'content-type': 'application/json; charset=utf-8' });

    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ pk: `ENV#${id}`, id, status: 'REQUESTED' }),
    });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start.name).toBe(id);
    expect(JSON.parse(start.input ?? '')).toEqual({ id });
    expect(org).toHaveReceivedCommandWith(ListOrganizationalUnitsForParentCommand, { ParentId: WORKLOADS });
    // Names and emails come from the organization index in the registry, never from walking every account.
    expect(org).not.toHaveReceivedCommand(ListAccountsCommand);
  });

  it('answers the same request again with 200 and the existing environment, writing nothing', async () => {
    const existing = staging();
    expect(existing.requestHash).toBe(stagingRequest().requestHash);
    store(existing);
    sfn.on(StartExecutionCommand).resolves({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:sm:${existing.id}`, startDate: new Date() });

    const result = (await createEnvironment(postEnvironments(JSON.stringify(STAGING_BODY)), context)) as APIGatewayProxyStructuredResultV2;

    expect(result.statusCode).toBe(200);
    expect(replyBody(result)).toMatchObject({ id: existing.id, status: 'REQUESTED', environment: { createdAt: existing.createdAt } });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: { pk: `ENV#${existing.id}` } });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    // Still REQUESTED: the execution is (re)started under the same name, which Step Functions treats as the same one.
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([existing.id]);
  });

  it('answers a second identical POST with 200 after the first created it, with one environment PutItem in all', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:x', startDate: new Date() });
    const first = (await createEnvironment(postEnvironments(JSON.stringify(STAGING_BODY)), context)) as APIGatewayProxyStructuredResultV2;
    const second = (await createEnvironment(postEnvironments(JSON.stringify(STAGING_BODY)), context)) as APIGatewayProxyStructuredResultV2;
    expect([first.statusCode, second.statusCode]).toEqual([202, 200]);
    expect(replyBody(second).id).toBe(replyBody(first).id);
    const puts = ddb.commandCalls(PutCommand).map((c) => String(c.args[0].input.Item?.pk));
    expect(puts.filter((pk) => pk.startsWith('ENV#'))).toEqual([`ENV#${replyBody(first).id}`]);
    // The only other write: the OU the pre-flight resolved, kept in the organization index for the next request.
    expect(puts.filter((pk) => !pk.startsWith('ENV#'))).toEqual(['ORGINDEX#ous']);
  });

  it('answers malformed JSON with 400 naming the body, without calling AWS', async () => {
    const result = (await createEnvironment(postEnvironments('{"name":"Staging",'), context)) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['content-type']).toMatch(/^application\/json/);
    expect(replyBody(result)).toEqual({
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/not valid JSON/), fields: [{ field: '(body)', message: 'is not valid JSON' }] },
    });
    expect(ddb.calls()).toHaveLength(0);
    expect(org.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('accepts the request (202, never a 5xx) when Organizations keeps throttling the pre-flight, leaving the checks to the workflow', async () => {
    org.reset();
    organizationTree();
    org.on(ListOrganizationalUnitsForParentCommand).rejects(new TooManyRequestsException({ ...meta, message: 'AWS Organizations can’t complete your request because another request is already in progress. Try again later.', Type: 'AWS Organizations' }));
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:x', startDate: new Date() });

    const result = (await createEnvironment(postEnvironments(JSON.stringify(STAGING_BODY)), context)) as APIGatewayProxyStructuredResultV2;

    expect(result.statusCode).toBe(202);
    const recorded = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item).find((item) => String(item?.pk).startsWith('ENV#')) as { timeline: Array<{ note?: string }> };
    expect(recorded.timeline.map((t) => t.note)).toContainEqual(expect.stringMatching(/OU check was left to the workflow \(TooManyRequestsException/));
    expect(sfn).toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('getEnvironment handler (GET /environments/{id})', () => {
  it('shows a ready environment with its account and the console switch-role link', async () => {
    const ready = staging({ accountId: NEW_ACCOUNT, ouId: STAGING_OU, ouPath: 'Workloads/Staging', createRequestId: 'car-0123456789abcdef', notified: ['ready'] }, 'READY');
    store(ready);

    const result = (await getEnvironment(getEnvironmentEvent(ready.id), context)) as APIGatewayProxyStructuredResultV2;

    expect(result.statusCode).toBe(200);
    const body = replyBody(result);
    expect(body).toMatchObject({ id: ready.id, name: 'Staging', status: 'READY', accountId: NEW_ACCOUNT, ouPath: 'Workloads/Staging', links: { self: `/environments/${ready.id}` } });
    expect(body.switchRole).toMatchObject({ accountId: NEW_ACCOUNT, roleArn: `arn:aws:iam::${NEW_ACCOUNT}:role/OrganizationAccountAccessRole`, consoleUrl: CONSOLE_URL });
    expect(body.timeline.map((t: { status: string }) => t.status)).toEqual(['REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'READY']);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: { pk: `ENV#${ready.id}` }, ConsistentRead: true });
  });

  it('answers 404 for an id the registry does not hold', async () => {
    const result = (await getEnvironment(getEnvironmentEvent('playground-0badc0de'), context)) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(404);
    expect(replyBody(result)).toEqual({ error: { code: 'NOT_FOUND', message: 'No environment playground-0badc0de.' } });
  });

  it('answers 400 for something that is not an environment id, without reading the table', async () => {
    const result = (await getEnvironment(getEnvironmentEvent('Staging_Env'), context)) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(400);
    expect(replyBody(result)).toMatchObject({ error: { code: 'INVALID_INPUT', fields: [{ field: 'id' }] } });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('createAccount handler (CreateAccount task)', () => {
  it('creates the tagged account once and persists the car- id before returning', async () => {
    const env = staging();
    store(env);
    org.on(ListAccountsCommand).resolves({ Accounts: [MANAGEMENT] });
    org.on(ListCreateAccountStatusCommand).resolves({ CreateAccountStatuses: [] });
    org.on(CreateAccountCommand).resolves({
      CreateAccountStatus: { Id: 'car-0123456789abcdef', AccountName: 'Staging', State: 'IN_PROGRESS', RequestedTimestamp: new Date() },
    });

    ddb.on(UpdateCommand).resolves({ Attributes: { pk: 'WAKE#car-0123456789abcdef', environmentId: env.id } });

    const result = await createAccount({ id: env.id }, context);

    expect(result).toMatchObject({ state: 'IN_PROGRESS', requestId: 'car-0123456789abcdef', polls: 0 });
    // Where the creation's CreateAccountResult event finds whom to wake.
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { TableName: TABLE, Key: { pk: 'WAKE#car-0123456789abcdef' }, ExpressionAttributeValues: expect.objectContaining({ ':env': env.id }) });
    expect(result.waitSeconds).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(result.waitSeconds)).toBe(true);

    expect(org).toHaveReceivedCommandTimes(CreateAccountCommand, 1);
    const create = org.commandCalls(CreateAccountCommand)[0]!.args[0].input;
    expect(create).toMatchObject({ AccountName: 'Staging', Email: 'admin+staging@example.com', RoleName: 'OrganizationAccountAccessRole' });
    expect(create.Tags).toEqual(expect.arrayContaining([{ Key: 'switchyard:environment-id', Value: env.id }]));
    // A first attempt has nothing of its own to look for: no walk, no list of creations, no tag lookup.
    expect(org).not.toHaveReceivedCommand(ListTagsForResourceCommand);
    expect(org).not.toHaveReceivedCommand(ListAccountsCommand);
    expect(org).not.toHaveReceivedCommand(ListCreateAccountStatusCommand);

    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item as Record<string, unknown>);
    expect(puts.some((item) => item.createRequestId === 'car-0123456789abcdef')).toBe(true);
    expect(stored(env.id)).toMatchObject({ status: 'CREATING', createRequestId: 'car-0123456789abcdef', createStartedAt: expect.any(String) });
  });

  it('rejects a task input with an unknown property as InvalidInputError, touching nothing', async () => {
    const env = staging();
    store(env);
    await expect(createAccount({ id: env.id, extra: true }, context)).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(ddb.calls()).toHaveLength(0);
    expect(org.calls()).toHaveLength(0);
  });
});

describe('placeAccount handler (PlaceAccount task)', () => {
  const created = () => staging({ accountId: NEW_ACCOUNT, createRequestId: 'car-0123456789abcdef' }, 'CREATING');

  beforeEach(() => {
    organizationTree();
    org.on(ListParentsCommand, { ChildId: NEW_ACCOUNT }).resolves({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
  });

  it('moves the new account from the root into the requested OU', async () => {
    const env = created();
    store(env);
    org.on(MoveAccountCommand).resolves({});

    const result = await placeAccount({ id: env.id }, context);

    expect(result).toEqual({ accountId: NEW_ACCOUNT, ouId: STAGING_OU, ouPath: 'Workloads/Staging', moved: true });
    expect(org).toHaveReceivedCommandWith(MoveAccountCommand, { AccountId: NEW_ACCOUNT, SourceParentId: ROOT, DestinationParentId: STAGING_OU });
    expect(stored(env.id)).toMatchObject({ status: 'PLACING', ouId: STAGING_OU, ouPath: 'Workloads/Staging' });
  });

  it('succeeds when MoveAccount answers that the account is already there', async () => {
    const env = created();
    store(env);
    org.on(MoveAccountCommand).rejects(new DuplicateAccountException({ ...meta, message: 'That account is already present in the specified destination.' }));

    await expect(placeAccount({ id: env.id }, context)).resolves.toMatchObject({ accountId: NEW_ACCOUNT, ouId: STAGING_OU });
    expect(org).toHaveReceivedCommandTimes(MoveAccountCommand, 1);
    expect(stored(env.id)).toMatchObject({ status: 'PLACING' });
  });
});

describe('notifyAdmin handler (NotifyAdmin task)', () => {
  it('emails the admin the switch-role link once; a re-run sends nothing', async () => {
    const env = staging({ accountId: NEW_ACCOUNT, ouId: STAGING_OU, ouPath: 'Workloads/Staging', createRequestId: 'car-0123456789abcdef' }, 'PLACING');
    store(env);
    ses.on(SendEmailCommand).resolves({ MessageId: '0100018c-0000-0000-0000-000000000000-000000' });

    const first = await notifyAdmin({ id: env.id }, context);

    expect(first.sent).toContain('ready:email');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const email = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(email.FromEmailAddress).toBe(SENDER_EMAIL);
    expect(email.Destination).toEqual({ ToAddresses: [ADMIN_EMAIL] });
    expect(email.Content?.Simple?.Subject?.Data).toContain('Staging is ready');
    const body = email.Content?.Simple?.Body;
    expect(body?.Text?.Data).toContain(CONSOLE_URL);
    // In HTML the link sits in an attribute, with its ampersands escaped as HTML requires.
    expect(body?.Html?.Data).toContain(`href="${CONSOLE_URL.replaceAll('&', '&amp;')}"`);
    expect(stored(env.id)).toMatchObject({ status: 'NOTIFYING', notified: expect.arrayContaining(['ready:email']) });

    ses.resetHistory();
    const second = await notifyAdmin({ id: env.id }, context);
    expect(second.sent).toEqual([]);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('sends nothing for an environment whose record says the ready mail went out', async () => {
    const env = staging({ accountId: NEW_ACCOUNT, ouPath: 'Workloads/Staging', notified: ['ready:email', 'ready:slack-response'] }, 'NOTIFYING');
    store(env);
    ses.on(SendEmailCommand).resolves({ MessageId: 'unused' });
    await expect(notifyAdmin({ id: env.id }, context)).resolves.toEqual({ sent: [] });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });
});
