// The AWS side of the cold-start benchmark's discovery runs (bench/bundles.ts): a small, stateful
// model of the registry table, the organization, IAM, STS, SSM and the fire-and-forget services,
// answering SDK commands the way AWS would (and the few HTTP requests that go to Slack). Discovery runs every function once, in the order a
// deployment would call them, against this model; what each function sent and was answered is
// recorded, and the timed runs (function and floor alike) replay those answers verbatim. So this
// file only has to answer plausibly, never fast: its cost is never inside a timed window.
//
// It imports nothing (the child process loads it only in discovery mode).

export type Item = Record<string, unknown>;

/** One secondary index: its hash key and optional range key. */
export type IndexKeys = { hash: string; range?: string };

export interface WorldState {
  /** The registry table, by `pk`. */
  table: Record<string, Item>;
  indexes: Record<string, IndexKeys>;
  org: {
    id: string;
    rootId: string;
    managementAccountId: string;
    ous: Record<string, { name: string; parentId: string }>;
    accounts: Record<string, { name: string; email: string; parentId: string; tags: Record<string, string>; joinedAt: string; state?: AccountState }>;
    creations: Record<string, { name: string; email: string; tags: Record<string, string>; requestedAt: string; accountId?: string }>;
    nextAccount: number;
  };
  iam: {
    policies: Record<string, { versions: Array<{ id: string; document: string; createdAt: string }>; defaultVersion: string }>;
    attached: string[];
    /** Account aliases taken anywhere in AWS (aliases are global). */
    aliases: string[];
  };
  /** SSM SecureString parameters by name. */
  parameters: Record<string, string>;
  /** What PutEvents put on a bus, newest last: the events later steps of a plan are triggered by. */
  events: PublishedEvent[];
  /** Counter for made-up ids. */
  serial: number;
}

/** An account's state as DescribeAccount reports it (ACTIVE unless it is being closed). */
export type AccountState = 'ACTIVE' | 'PENDING_CLOSURE' | 'SUSPENDED';

/** One PutEvents entry as the bus received it, its detail parsed. */
export type PublishedEvent = { source: string; detailType: string; bus: string; detail: Record<string, unknown> };

export const ACCOUNT_ID = '111122223333';
const REGION = 'us-east-1';
/** The model's organization: its root, OUs, and the id the first account it creates gets. */
export const ORG = { rootId: 'r-sw01', staging: 'ou-sw01-stag0001', production: 'ou-sw01-prod0001', firstNewAccount: '444455556600' } as const;

export function initialWorld(opts: { indexes: Record<string, IndexKeys>; parameters: Record<string, string> }): WorldState {
  const rootId = ORG.rootId;
  return {
    table: {},
    indexes: opts.indexes,
    org: {
      id: 'o-sw01example',
      rootId,
      managementAccountId: ACCOUNT_ID,
      ous: {
        'ou-sw01-wkld0001': { name: 'Workloads', parentId: rootId },
        [ORG.staging]: { name: 'Staging', parentId: 'ou-sw01-wkld0001' },
        [ORG.production]: { name: 'Production', parentId: 'ou-sw01-wkld0001' },
        'ou-sw01-sbox0001': { name: 'Sandbox', parentId: rootId },
        'ou-sw01-clsd0001': { name: 'Closed', parentId: rootId },
      },
      accounts: {
        [ACCOUNT_ID]: { name: 'management', email: 'aws-root@example.com', parentId: rootId, tags: {}, joinedAt: '2024-01-15T10:00:00.000Z' },
      },
      creations: {},
      nextAccount: Number(ORG.firstNewAccount),
    },
    iam: { policies: {}, attached: [], aliases: [] },
    parameters: opts.parameters,
    events: [],
    serial: 1,
  };
}

/** An error shaped as the SDK throws it: `name`, the Query protocol's `Code`, `$fault` and `$metadata`. */
export class AwsError extends Error {
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400, requestId: 'bench-request' };
  readonly Code: string;
  constructor(name: string, message: string, code = name.replace(/Exception$/, '')) {
    super(message);
    this.name = name;
    this.Code = code;
  }
}

export type Call = { client: string; command: string; input: Item };

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
const now = () => new Date();
const arnOf = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;

/** The answer AWS would give `call` in `world` (which it updates), or an AwsError. */
export function answer(world: WorldState, call: Call): unknown {
  const handler = HANDLERS[`${call.client}.${call.command}`];
  if (!handler) throw new Error(`the benchmark's AWS model has no answer for ${call.client}.${call.command}; add one to bench/cold-start-world.ts`);
  return handler(world, call.input);
}

type Handler = (world: WorldState, input: Item) => unknown;

// ---------------------------------------------------------------------------------------------
// DynamoDB (through the document client: plain JavaScript values in and out)

/** `#name` placeholders resolved. */
function attributeName(token: string, names: Record<string, string> | undefined): string {
  return token.startsWith('#') ? (names?.[token] ?? token) : token;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (a === undefined) return false;
  switch (op) {
    case '=':
      return JSON.stringify(a) === JSON.stringify(b);
    case '<>':
      return JSON.stringify(a) !== JSON.stringify(b);
    case '<':
      return (a as number) < (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '>':
      return (a as number) > (b as number);
    case '>=':
      return (a as number) >= (b as number);
    default:
      throw new Error(`unsupported comparison ${op}`);
  }
}

/**
 * Evaluates the expressions the registry's stores write: OR of ANDs of `attribute_exists(a)`,
 * `attribute_not_exists(a)`, `begins_with(a, :v)`, `a BETWEEN :x AND :y` and `a <op> :v`. Anything
 * else is an error, so a new kind of expression shows up in discovery instead of passing silently.
 */
function holds(expression: string, item: Item | undefined, names: Record<string, string> | undefined, values: Item | undefined): boolean {
  const value = (token: string) => {
    if (!token.startsWith(':')) throw new Error(`expected a value placeholder, got ${token}`);
    return values?.[token];
  };
  return expression.split(/\s+OR\s+/i).some((conjunction) => {
    const atoms: string[] = [];
    // BETWEEN's own AND belongs to its atom.
    const parts = conjunction.split(/\s+AND\s+/i);
    for (let i = 0; i < parts.length; i++) {
      if (/\sBETWEEN\s/i.test(parts[i]!) && parts[i + 1] !== undefined) {
        atoms.push(`${parts[i]} AND ${parts[i + 1]}`);
        i++;
      } else atoms.push(parts[i]!);
    }
    return atoms.every((raw) => {
      const atom = raw.trim().replace(/^\((.*)\)$/, '$1').trim();
      let m = /^attribute_(not_)?exists\(\s*([#\w]+)\s*\)$/i.exec(atom);
      if (m) return (item !== undefined && item[attributeName(m[2]!, names)] !== undefined) !== Boolean(m[1]);
      m = /^begins_with\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)$/i.exec(atom);
      if (m) {
        const held = item?.[attributeName(m[1]!, names)];
        return typeof held === 'string' && held.startsWith(String(value(m[2]!)));
      }
      m = /^([#\w]+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)$/i.exec(atom);
      if (m) {
        const held = item?.[attributeName(m[1]!, names)];
        return compare(held, '>=', value(m[2]!)) && compare(held, '<=', value(m[3]!));
      }
      m = /^([#\w]+)\s*(=|<>|<=|>=|<|>)\s*(:\w+)$/.exec(atom);
      if (m) return compare(item?.[attributeName(m[1]!, names)], m[2]!, value(m[3]!));
      throw new Error(`the benchmark's DynamoDB model cannot evaluate "${atom}"`);
    });
  });
}

function conditionHolds(world: WorldState, input: Item, pk: string): void {
  const expression = input.ConditionExpression as string | undefined;
  if (!expression) return;
  const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
  const values = input.ExpressionAttributeValues as Item | undefined;
  if (!holds(expression, world.table[pk], names, values)) throw new AwsError('ConditionalCheckFailedException', 'The conditional request failed');
}

function keyOf(input: Item): string {
  const pk = (input.Key as Item | undefined)?.pk ?? (input.Item as Item | undefined)?.pk;
  if (typeof pk !== 'string') throw new Error('the registry model expects items keyed by a string pk');
  return pk;
}

function query(world: WorldState, input: Item) {
  const indexName = input.IndexName as string | undefined;
  const keys: IndexKeys = indexName ? world.indexes[indexName]! : { hash: 'pk' };
  if (!keys) throw new Error(`unknown index ${indexName}`);
  const names = input.ExpressionAttributeNames as Record<string, string> | undefined;
  const values = input.ExpressionAttributeValues as Item | undefined;
  let items = Object.values(world.table).filter(
    (item) => item[keys.hash] !== undefined && (!keys.range || item[keys.range] !== undefined) && holds(String(input.KeyConditionExpression), item, names, values),
  );
  if (input.FilterExpression) items = items.filter((item) => holds(String(input.FilterExpression), item, names, values));
  const range = keys.range;
  items.sort((a, b) => {
    const x = String(range ? a[range] : a.pk);
    const y = String(range ? b[range] : b.pk);
    return x < y ? -1 : x > y ? 1 : String(a.pk) < String(b.pk) ? -1 : 1;
  });
  if (input.ScanIndexForward === false) items.reverse();
  const start = input.ExclusiveStartKey as Item | undefined;
  if (start) {
    const at = items.findIndex((item) => item.pk === start.pk);
    items = at >= 0 ? items.slice(at + 1) : items;
  }
  const limit = typeof input.Limit === 'number' ? input.Limit : Infinity;
  const page = items.slice(0, limit);
  const more = items.length > page.length;
  const last = page[page.length - 1];
  return {
    Items: clone(page),
    Count: page.length,
    ScannedCount: page.length,
    ...(more && last ? { LastEvaluatedKey: { pk: last.pk, ...(range ? { [keys.hash]: last[keys.hash], [range]: last[range] } : {}) } } : {}),
  };
}

const DYNAMODB: Record<string, Handler> = {
  'DynamoDBDocument.Get': (world, input) => {
    const item = world.table[keyOf(input)];
    return item ? { Item: clone(item) } : {};
  },
  'DynamoDBDocument.Put': (world, input) => {
    const pk = keyOf(input);
    conditionHolds(world, input, pk);
    const old = world.table[pk];
    world.table[pk] = clone(input.Item as Item);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: clone(old) } : {};
  },
  'DynamoDBDocument.Delete': (world, input) => {
    const pk = keyOf(input);
    conditionHolds(world, input, pk);
    const old = world.table[pk];
    delete world.table[pk];
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: clone(old) } : {};
  },
  'DynamoDBDocument.Update': (world, input) => {
    const pk = keyOf(input);
    conditionHolds(world, input, pk);
    const old = world.table[pk];
    const item: Item = clone(old) ?? { ...(input.Key as Item) };
    applyUpdate(item, String(input.UpdateExpression ?? ''), input.ExpressionAttributeNames as Record<string, string> | undefined, input.ExpressionAttributeValues as Item | undefined);
    world.table[pk] = item;
    if (input.ReturnValues === 'ALL_NEW') return { Attributes: clone(item) };
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: clone(old) } : {};
  },
  'DynamoDBDocument.Query': query,
};

/**
 * Applies the update expressions the registry's stores write: `SET a = :v, b = if_not_exists(b, :w)`.
 * Anything else is an error, so a new kind of update shows up in discovery instead of passing silently.
 */
function applyUpdate(item: Item, expression: string, names: Record<string, string> | undefined, values: Item | undefined): void {
  const set = /^SET\s+(.+)$/i.exec(expression.trim());
  if (!set) throw new Error(`the benchmark's DynamoDB model cannot apply "${expression}"`);
  for (const clause of set[1]!.split(/\s*,\s*(?![^(]*\))/)) {
    let m = /^([#\w]+)\s*=\s*(:\w+)$/.exec(clause.trim());
    if (m) {
      item[attributeName(m[1]!, names)] = clone(values?.[m[2]!]);
      continue;
    }
    m = /^([#\w]+)\s*=\s*if_not_exists\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)$/i.exec(clause.trim());
    if (m) {
      const target = attributeName(m[1]!, names);
      if (item[attributeName(m[2]!, names)] === undefined) item[target] = clone(values?.[m[3]!]);
      continue;
    }
    throw new Error(`the benchmark's DynamoDB model cannot apply "${clause}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Organizations

function accountOut(world: WorldState, id: string) {
  const a = world.org.accounts[id]!;
  const state = a.state ?? 'ACTIVE';
  return {
    Id: id,
    Arn: `arn:aws:organizations::${ACCOUNT_ID}:account/${world.org.id}/${id}`,
    Email: a.email,
    Name: a.name,
    // Status is deprecated and knows no PENDING_CLOSURE: AWS reports a closing account there as ACTIVE.
    Status: state === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE',
    State: state,
    JoinedMethod: id === ACCOUNT_ID ? 'INVITED' : 'CREATED',
    JoinedTimestamp: new Date(a.joinedAt),
  };
}

function ouOut(world: WorldState, id: string) {
  return { Id: id, Arn: `arn:aws:organizations::${ACCOUNT_ID}:ou/${world.org.id}/${id}`, Name: world.org.ous[id]!.name };
}

function creationOut(world: WorldState, id: string) {
  const c = world.org.creations[id]!;
  return {
    Id: id,
    AccountName: c.name,
    State: c.accountId ? 'SUCCEEDED' : 'IN_PROGRESS',
    RequestedTimestamp: new Date(c.requestedAt),
    ...(c.accountId ? { AccountId: c.accountId, CompletedTimestamp: new Date(Date.parse(c.requestedAt) + 62_000) } : {}),
  };
}

function parentOf(world: WorldState, childId: string): string {
  const parent = world.org.accounts[childId]?.parentId ?? world.org.ous[childId]?.parentId;
  if (!parent) throw new AwsError('ChildNotFoundException', `No child ${childId}.`);
  return parent;
}

const ORGANIZATIONS: Record<string, Handler> = {
  'Organizations.ListRoots': (world) => ({ Roots: [{ Id: world.org.rootId, Arn: `arn:aws:organizations::${ACCOUNT_ID}:root/${world.org.id}/${world.org.rootId}`, Name: 'Root', PolicyTypes: [] }] }),
  'Organizations.DescribeOrganization': (world) => ({
    Organization: { Id: world.org.id, Arn: `arn:aws:organizations::${ACCOUNT_ID}:organization/${world.org.id}`, FeatureSet: 'ALL', MasterAccountId: ACCOUNT_ID, MasterAccountEmail: 'aws-root@example.com' },
  }),
  'Organizations.ListOrganizationalUnitsForParent': (world, input) => ({
    OrganizationalUnits: Object.keys(world.org.ous)
      .filter((id) => world.org.ous[id]!.parentId === input.ParentId)
      .map((id) => ouOut(world, id)),
  }),
  'Organizations.DescribeOrganizationalUnit': (world, input) => {
    const id = String(input.OrganizationalUnitId);
    if (!world.org.ous[id]) throw new AwsError('OrganizationalUnitNotFoundException', `No OU ${id}.`);
    return { OrganizationalUnit: ouOut(world, id) };
  },
  'Organizations.CreateOrganizationalUnit': (world, input) => {
    const id = `ou-sw01-new${String(world.serial++).padStart(5, '0')}`;
    world.org.ous[id] = { name: String(input.Name), parentId: String(input.ParentId) };
    return { OrganizationalUnit: ouOut(world, id) };
  },
  'Organizations.ListAccounts': (world) => ({ Accounts: Object.keys(world.org.accounts).map((id) => accountOut(world, id)) }),
  'Organizations.ListAccountsForParent': (world, input) => ({
    Accounts: Object.keys(world.org.accounts)
      .filter((id) => world.org.accounts[id]!.parentId === input.ParentId)
      .map((id) => accountOut(world, id)),
  }),
  /** The first look at a closing account finds it closed (as the first look at a creation finds it finished). */
  'Organizations.DescribeAccount': (world, input) => {
    const id = String(input.AccountId);
    const account = world.org.accounts[id];
    if (!account) throw new AwsError('AccountNotFoundException', `No account ${id}.`);
    if (account.state === 'PENDING_CLOSURE') account.state = 'SUSPENDED';
    return { Account: accountOut(world, id) };
  },
  'Organizations.CloseAccount': (world, input) => {
    const id = String(input.AccountId);
    const account = world.org.accounts[id];
    if (!account) throw new AwsError('AccountNotFoundException', `No account ${id}.`);
    if (id === world.org.managementAccountId) throw new AwsError('ConstraintViolationException', 'The management account cannot be closed with CloseAccount.');
    if (account.state && account.state !== 'ACTIVE') throw new AwsError('AccountAlreadyClosedException', `Account ${id} is already closed.`);
    account.state = 'PENDING_CLOSURE';
    return {};
  },
  'Organizations.ListParents': (world, input) => {
    const parent = parentOf(world, String(input.ChildId));
    return { Parents: [{ Id: parent, Type: parent.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
  },
  'Organizations.ListTagsForResource': (world, input) => ({
    Tags: Object.entries(world.org.accounts[String(input.ResourceId)]?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  }),
  'Organizations.TagResource': (world, input) => {
    const account = world.org.accounts[String(input.ResourceId)];
    if (!account) throw new AwsError('TargetNotFoundException', `No resource ${String(input.ResourceId)}.`);
    for (const tag of input.Tags as Array<{ Key: string; Value: string }>) account.tags[tag.Key] = tag.Value;
    return {};
  },
  'Organizations.MoveAccount': (world, input) => {
    const account = world.org.accounts[String(input.AccountId)];
    if (!account) throw new AwsError('AccountNotFoundException', `No account ${String(input.AccountId)}.`);
    if (account.parentId === input.DestinationParentId) throw new AwsError('DuplicateAccountException', 'The account is already in the destination.');
    account.parentId = String(input.DestinationParentId);
    return {};
  },
  'Organizations.CreateAccount': (world, input) => {
    const id = `car-${(world.serial++).toString(16).padStart(32, '0')}`;
    const tags = Object.fromEntries(((input.Tags as Array<{ Key: string; Value: string }> | undefined) ?? []).map((t) => [t.Key, t.Value]));
    world.org.creations[id] = { name: String(input.AccountName), email: String(input.Email), tags, requestedAt: now().toISOString() };
    return { CreateAccountStatus: creationOut(world, id) };
  },
  /** The first look at a creation finds it finished: the account then exists, under the root. */
  'Organizations.DescribeCreateAccountStatus': (world, input) => {
    const id = String(input.CreateAccountRequestId);
    const creation = world.org.creations[id];
    if (!creation) throw new AwsError('CreateAccountStatusNotFoundException', `No creation ${id}.`);
    if (!creation.accountId) {
      creation.accountId = String(world.org.nextAccount++);
      world.org.accounts[creation.accountId] = { name: creation.name, email: creation.email, parentId: world.org.rootId, tags: { ...creation.tags }, joinedAt: now().toISOString() };
    }
    return { CreateAccountStatus: creationOut(world, id) };
  },
  'Organizations.ListCreateAccountStatus': (world, input) => {
    const states = (input.States as string[] | undefined) ?? ['IN_PROGRESS', 'SUCCEEDED', 'FAILED'];
    return { CreateAccountStatuses: Object.keys(world.org.creations).map((id) => creationOut(world, id)).filter((s) => states.includes(s.State)) };
  },
};

// ---------------------------------------------------------------------------------------------
// IAM and STS

const IAM: Record<string, Handler> = {
  'IAM.GetPolicy': (world, input) => {
    const arn = String(input.PolicyArn);
    const policy = world.iam.policies[arn];
    if (!policy) throw new AwsError('NoSuchEntityException', `Policy ${arn} was not found.`, 'NoSuchEntity');
    return { Policy: { Arn: arn, PolicyName: arn.split('/').pop(), DefaultVersionId: policy.defaultVersion, AttachmentCount: 1, IsAttachable: true } };
  },
  'IAM.CreatePolicy': (world, input) => {
    const arn = `arn:aws:iam::${ACCOUNT_ID}:policy${String(input.Path ?? '/')}${String(input.PolicyName)}`;
    if (world.iam.policies[arn]) throw new AwsError('EntityAlreadyExistsException', `A policy called ${String(input.PolicyName)} already exists.`, 'EntityAlreadyExists');
    world.iam.policies[arn] = { versions: [{ id: 'v1', document: String(input.PolicyDocument), createdAt: now().toISOString() }], defaultVersion: 'v1' };
    return { Policy: { Arn: arn, PolicyName: input.PolicyName, DefaultVersionId: 'v1', CreateDate: now() } };
  },
  'IAM.GetPolicyVersion': (world, input) => {
    const version = world.iam.policies[String(input.PolicyArn)]?.versions.find((v) => v.id === input.VersionId);
    if (!version) throw new AwsError('NoSuchEntityException', 'No such policy version.', 'NoSuchEntity');
    return { PolicyVersion: { Document: encodeURIComponent(version.document), VersionId: version.id, IsDefaultVersion: true, CreateDate: new Date(version.createdAt) } };
  },
  'IAM.ListPolicyVersions': (world, input) => {
    const policy = world.iam.policies[String(input.PolicyArn)];
    return { Versions: (policy?.versions ?? []).map((v) => ({ VersionId: v.id, IsDefaultVersion: v.id === policy?.defaultVersion, CreateDate: new Date(v.createdAt) })) };
  },
  'IAM.CreatePolicyVersion': (world, input) => {
    const policy = world.iam.policies[String(input.PolicyArn)];
    if (!policy) throw new AwsError('NoSuchEntityException', 'No such policy.', 'NoSuchEntity');
    const id = `v${policy.versions.length + 1}`;
    policy.versions.push({ id, document: String(input.PolicyDocument), createdAt: now().toISOString() });
    if (input.SetAsDefault) policy.defaultVersion = id;
    return { PolicyVersion: { VersionId: id, IsDefaultVersion: Boolean(input.SetAsDefault), CreateDate: now() } };
  },
  'IAM.DeletePolicyVersion': (world, input) => {
    const policy = world.iam.policies[String(input.PolicyArn)];
    if (policy) policy.versions = policy.versions.filter((v) => v.id !== input.VersionId);
    return {};
  },
  'IAM.AttachGroupPolicy': (world, input) => {
    world.iam.attached.push(`group/${String(input.GroupName)}:${String(input.PolicyArn)}`);
    return {};
  },
  'IAM.AttachUserPolicy': (world, input) => {
    world.iam.attached.push(`user/${String(input.UserName)}:${String(input.PolicyArn)}`);
    return {};
  },
  /** Asked inside a new account (through its role), which has no alias yet. */
  'IAM.ListAccountAliases': () => ({ AccountAliases: [], IsTruncated: false }),
  'IAM.CreateAccountAlias': (world, input) => {
    const alias = String(input.AccountAlias);
    if (world.iam.aliases.includes(alias)) throw new AwsError('EntityAlreadyExistsException', `The account alias ${alias} already exists.`, 'EntityAlreadyExists');
    world.iam.aliases.push(alias);
    return {};
  },
  'STS.GetCallerIdentity': () => ({ Account: ACCOUNT_ID, Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/switchyard-dev-role/switchyard`, UserId: 'AROAEXAMPLE:switchyard' }),
  'STS.AssumeRole': (_world, input) => ({
    Credentials: { AccessKeyId: 'ASIABENCHEXAMPLE0001', SecretAccessKey: 'bench/secret/access/key/example0000000000', SessionToken: 'bench-session-token', Expiration: new Date(Date.now() + 900_000) },
    AssumedRoleUser: { AssumedRoleId: `AROAEXAMPLE:${String(input.RoleSessionName)}`, Arn: `${String(input.RoleArn).replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/${String(input.RoleSessionName)}` },
  }),
};

// ---------------------------------------------------------------------------------------------
// Everything else: secrets, the workflow, events, notifications, the drift queue

const OTHERS: Record<string, Handler> = {
  'SSM.GetParameter': (world, input) => {
    const name = String(input.Name);
    const value = world.parameters[name];
    if (value === undefined) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
    return { Parameter: { Name: name, Type: 'SecureString', Value: value, Version: 1, ARN: arnOf('ssm', `parameter${name}`), DataType: 'text' } };
  },
  'SFN.StartExecution': (_world, input) => ({
    executionArn: `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(input.name)}`,
    startDate: now(),
  }),
  'EventBridge.PutEvents': (world, input) => {
    const entries = input.Entries as Array<{ Source?: string; DetailType?: string; Detail?: string; EventBusName?: string }>;
    for (const e of entries) {
      world.events.push({ source: String(e.Source), detailType: String(e.DetailType), bus: String(e.EventBusName ?? 'default'), detail: JSON.parse(e.Detail ?? '{}') as Record<string, unknown> });
    }
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: `bench-event-${world.serial++}` })) };
  },
  'SESv2.SendEmail': (world) => ({ MessageId: `bench-message-${world.serial++}` }),
  'SNS.Publish': (world) => ({ MessageId: `bench-message-${world.serial++}` }),
  'SQS.SendMessage': (world) => ({ MessageId: `bench-message-${world.serial++}`, MD5OfMessageBody: '0'.repeat(32) }),
};

// ---------------------------------------------------------------------------------------------
// Requests outside the SDK: Slack's response_url (fetch) and UXC (node:https) answer; anything else is refused.

/** A POST to a Slack response_url: Slack answers 200 `ok`. */
export const SLACK_RESPONSE_URL = /^https:\/\/hooks\.slack\.com\/(commands|actions)\//;

/** AWS User Experience Customization's endpoint (UpdateAccountCustomizations has no SDK client: signed by hand). */
const UXC_ACCOUNT_CUSTOMIZATIONS = /^https:\/\/uxc\.[a-z0-9-]+\.api\.aws\/v1\/account-customizations$/;

/** A request to a receiver the model does not know: refused, named without its query. */
function refuseRequest(url: string): never {
  throw new Error(`the benchmark's AWS model answers no request to ${url.replace(/[?#].*$/, '')}`);
}

const HTTP: Record<string, Handler> = {
  'fetch.POST': (_world, input) => {
    const url = String(input.url);
    if (!SLACK_RESPONSE_URL.test(url)) refuseRequest(url);
    return { status: 200, body: 'ok' };
  },
  /** UpdateAccountCustomizations: the account's colour is set, and answered back (`{ accountColor }`). */
  'https.PATCH': (_world, input) => {
    const url = String(input.url);
    if (!UXC_ACCOUNT_CUSTOMIZATIONS.test(url)) refuseRequest(url);
    const accountColor = (JSON.parse(String(input.body || '{}')) as { accountColor?: string }).accountColor;
    return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'bench-request' }, body: JSON.stringify({ accountColor }) };
  },
};

const HANDLERS: Record<string, Handler> = { ...DYNAMODB, ...ORGANIZATIONS, ...IAM, ...OTHERS, ...HTTP };
