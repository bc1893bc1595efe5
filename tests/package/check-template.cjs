'use strict';
// Offline check of the deployment: packages the service with osls (dummy credentials, no network),
// then reads the generated CloudFormation template and the function zips and checks what a deploy
// would get wrong or make too broad. Prints one line per check and ends with "N passed, M failed".
//
//   node tests/package/check-template.cjs            (npm run test:package)
//   node tests/package/check-template.cjs --keep     keep the package directory for inspection
//
// It packages into a fresh temporary directory so no earlier run's zips are measured. osls itself
// empties the service's .serverless/ at the start of every package, so that folder is gone afterwards.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadDefinition, functionLogicalId, taskFunctionKeys } = require('../../statemachines/provision-environment.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const OSLS = path.join(ROOT, 'node_modules', '.bin', 'osls');
const STATE_MACHINE_ID = 'ProvisionEnvironmentStateMachine';
const TABLE_ID = 'RegistryTable';
/** Lambda's direct-upload limit is 50 MB; this budget keeps cold starts short and catches an accidental dependency. */
const ZIP_BUDGET_BYTES = 250 * 1024;

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
const REGISTRY_WRITE = ['dynamodb:GetItem', 'dynamodb:PutItem'];
const SEND_EMAIL = ['ses:SendEmail'];
const PUT_EVENTS = ['events:PutEvents'];
const DLQ_ID = 'RequestDeadLetterQueue';
/** The pre-flight, record and start that every request trigger shares with POST /environments. */
const REQUEST_ACTIONS = [
  'organizations:ListAccounts',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:DescribeOrganizationalUnit',
  // resolveOu names the path of an OU given by id by walking up with ListParents.
  'organizations:ListParents',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'states:StartExecution',
];

/**
 * Every function, its folder, its kind, and exactly the actions its role may allow besides
 * LOGS and XRAY. A new action in a function.yml must be added here too, on purpose.
 */
const FUNCTIONS = {
  createEnvironment: { dir: 'create-environment', http: 'POST /environments', startsWorkflow: true, actions: REQUEST_ACTIONS },
  provisionWebhook: {
    dir: 'provision-webhook',
    http: 'POST /webhooks/provision',
    // Authenticated by its Standard Webhooks signature, not IAM.
    open: true,
    startsWorkflow: true,
    secretParam: 'WEBHOOK_SECRET_PARAM',
    actions: [...REQUEST_ACTIONS, 'ssm:GetParameter'],
  },
  slackCommand: {
    dir: 'slack-command',
    http: 'POST /slack/commands',
    // Authenticated by Slack's signature, not IAM.
    open: true,
    secretParam: 'SLACK_SIGNING_SECRET_PARAM',
    actions: ['ssm:GetParameter', 'dynamodb:GetItem', 'dynamodb:Query', ...PUT_EVENTS],
  },
  requestFromEvent: { dir: 'request-from-event', async: true, startsWorkflow: true, actions: [...REQUEST_ACTIONS, ...PUT_EVENTS, 'sqs:SendMessage'] },
  listRejections: { dir: 'list-rejections', http: 'GET /rejections', actions: ['dynamodb:Query'] },
  getEnvironment: { dir: 'get-environment', http: 'GET /environments/{id}', actions: ['dynamodb:GetItem'] },
  listEnvironments: { dir: 'list-environments', http: 'GET /environments', actions: ['dynamodb:Query'] },
  createAccount: {
    dir: 'create-account',
    actions: [
      'organizations:CreateAccount',
      'organizations:DescribeCreateAccountStatus',
      'organizations:ListCreateAccountStatus',
      'organizations:ListAccounts',
      'organizations:ListTagsForResource',
      'organizations:TagResource',
      ...REGISTRY_WRITE,
    ],
  },
  checkAccountStatus: {
    dir: 'check-account-status',
    actions: [
      'organizations:DescribeCreateAccountStatus',
      // EMAIL_ALREADY_EXISTS after a retried create: find this environment's account by its tag.
      'organizations:ListAccounts',
      'organizations:ListTagsForResource',
      ...REGISTRY_WRITE,
    ],
  },
  placeAccount: {
    dir: 'place-account',
    actions: [
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:DescribeOrganizationalUnit',
      'organizations:CreateOrganizationalUnit',
      'organizations:ListParents',
      'organizations:MoveAccount',
      ...REGISTRY_WRITE,
    ],
  },
  notifyAdmin: { dir: 'notify-admin', actions: [...SEND_EMAIL, ...REGISTRY_WRITE] },
  notifyFailure: { dir: 'notify-failure', actions: [...SEND_EMAIL, ...REGISTRY_WRITE] },
  recordReady: { dir: 'record-ready', actions: [...REGISTRY_WRITE, ...PUT_EVENTS] },
  recordFailure: { dir: 'record-failure', actions: [...REGISTRY_WRITE, ...PUT_EVENTS] },
};

const COMMON_ENVIRONMENT = [
  'REGISTRY_TABLE',
  'EMAIL_TEMPLATE',
  'ROLE_NAME',
  'CREATE_MISSING_OUS',
  'ACCOUNT_QUOTA',
  'ACCOUNT_CREATION_CAP_SECONDS',
  'POLL_FIRST_SECONDS',
  'POLL_MAX_SECONDS',
  'ADMIN_EMAIL',
  'SENDER_EMAIL',
  'SOURCE_PROFILE',
  'POWERTOOLS_SERVICE_NAME',
  'LOG_LEVEL',
];

// ---------------------------------------------------------------------------------------------
// Small helpers

const asArray = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
/** Whether a template value points at a resource: `Ref`/`Fn::GetAtt` to it, or `${Id}` / `${Id.Attr}` in an `Fn::Sub`. */
const refersTo = (value, logicalId) => {
  const text = JSON.stringify(value ?? null);
  return text.includes(`"${logicalId}"`) || text.includes(`\${${logicalId}}`) || text.includes(`\${${logicalId}.`);
};
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function fail(message) {
  throw new Error(message);
}

/** The file names and sizes in a zip, read from its central directory (no unzip binary needed). */
function readZipDirectory(file) {
  const buf = fs.readFileSync(file);
  const EOCD = 0x06054b50;
  const CENTRAL = 0x02014b50;
  // The end-of-central-directory record sits in the last 22 bytes plus an optional comment (< 64 KB).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(`${path.basename(file)} is not a zip (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) fail(`${path.basename(file)} is a zip64 archive; far over budget for a function`);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(offset) !== CENTRAL) fail(`${path.basename(file)}: corrupt central directory entry ${n}`);
    const compressedSize = buf.readUInt32LE(offset + 20);
    const size = buf.readUInt32LE(offset + 24);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    const name = buf.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({ name, size, compressedSize });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Every policy statement anywhere in the template: roles, policies, bucket and other resource policies. */
function allStatements(template) {
  const found = [];
  const walk = (node, where) => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${where}[${i}]`));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Statement') asArray(value).forEach((s, i) => found.push({ where: `${where}.Statement[${i}]`, statement: s }));
      else walk(value, `${where}.${key}`);
    }
  };
  for (const [id, resource] of Object.entries(template.Resources ?? {})) walk(resource, id);
  return found;
}

/** The identity-policy statements that apply to a role: its inline policies and any AWS::IAM::Policy naming it. */
function roleStatements(template, roleId) {
  const role = template.Resources[roleId];
  const statements = [];
  for (const policy of asArray(role.Properties.Policies)) statements.push(...asArray(policy.PolicyDocument?.Statement));
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Policy' && asArray(resource.Properties.Roles).some((r) => refersTo(r, roleId))) {
      statements.push(...asArray(resource.Properties.PolicyDocument?.Statement));
    }
  }
  return statements;
}

/** The CloudFormation logical id a function's Role points at (`Fn::GetAtt: [Id, Arn]`), if any. */
function roleIdOf(fn) {
  const role = fn.Properties.Role;
  return role && role['Fn::GetAtt'] ? role['Fn::GetAtt'][0] : undefined;
}

/** The state machine definition: the Fn::Sub string parsed as JSON, plus the Sub parameters. */
function stateMachineDefinition(template) {
  const sm = template.Resources[STATE_MACHINE_ID];
  if (!sm) fail(`no ${STATE_MACHINE_ID} resource`);
  const raw = sm.Properties.DefinitionString;
  let text;
  let params = {};
  if (typeof raw === 'string') text = raw;
  else if (raw && typeof raw['Fn::Sub'] === 'string') text = raw['Fn::Sub'];
  else if (raw && Array.isArray(raw['Fn::Sub'])) [text, params] = raw['Fn::Sub'];
  else fail(`DefinitionString has an unexpected shape: ${JSON.stringify(raw).slice(0, 200)}`);
  return { text, params, definition: JSON.parse(text) };
}

/** Task states of a definition, nested ones included. */
function tasksOf(definition, out = []) {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    if (state.Type === 'Task') out.push([name, state]);
    if (state.Type === 'Parallel') for (const b of state.Branches ?? []) tasksOf(b, out);
    if (state.Type === 'Map') tasksOf(state.ItemProcessor ?? state.Iterator ?? {}, out);
  }
  return out;
}

/**
 * The resources and parameters a value points at: `Ref`, `Fn::GetAtt` and `${Name}` in `Fn::Sub`
 * (minus the Sub's own variables and pseudo parameters).
 */
function referencesIn(value, found = new Set()) {
  if (Array.isArray(value)) {
    value.forEach((v) => referencesIn(v, found));
    return found;
  }
  if (!value || typeof value !== 'object') return found;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') {
      if (!inner.startsWith('AWS::')) found.add(inner);
    } else if (key === 'Fn::GetAtt') {
      found.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
    } else if (key === 'Fn::Sub') {
      const [text, vars = {}] = Array.isArray(inner) ? inner : [inner, {}];
      for (const [, name] of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
        if (!name.startsWith('AWS::') && !(name in vars)) found.add(name.split('.')[0]);
      }
      referencesIn(vars, found);
    } else {
      referencesIn(inner, found);
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Packaging

function runPackage(outDir) {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  // A profile or session token from the caller's shell must not mix with the dummy keys.
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE']) delete env[name];
  const started = process.hrtime.bigint();
  const result = spawnSync(OSLS, ['package', '--stage', 'dev', '--region', 'us-east-1', '--package', outDir], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { result, seconds };
}

// ---------------------------------------------------------------------------------------------
// Checks: each returns a short detail string or throws with what is wrong.

const checks = [];
const check = (name, run) => checks.push({ name, run });

check('template: every reference resolves and no resources depend on each other in a cycle', ({ template }) => {
  const resources = template.Resources;
  const known = new Set([...Object.keys(resources), ...Object.keys(template.Parameters ?? {})]);
  const problems = [];
  const edges = new Map();
  for (const [id, resource] of Object.entries(resources)) {
    const deps = new Set([...referencesIn(resource.Properties ?? {}), ...asArray(resource.DependsOn)]);
    for (const dep of deps) if (!known.has(dep)) problems.push(`${id} -> missing ${dep}`);
    edges.set(id, [...deps].filter((d) => resources[d]));
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    for (const dep of referencesIn(output.Value)) if (!known.has(dep)) problems.push(`output ${name} -> missing ${dep}`);
  }
  // CloudFormation refuses a template whose resources wait on each other; find one such loop.
  const state = new Map();
  const stack = [];
  const visit = (id) => {
    if (state.get(id) === 'done') return false;
    if (state.get(id) === 'open') {
      problems.push(`cycle: ${[...stack.slice(stack.indexOf(id)), id].join(' -> ')}`);
      return true;
    }
    state.set(id, 'open');
    stack.push(id);
    for (const dep of edges.get(id) ?? []) if (visit(dep)) return true;
    stack.pop();
    state.set(id, 'done');
    return false;
  };
  for (const id of edges.keys()) if (visit(id)) break;
  if (problems.length) fail(problems.join('; '));
  return `${edges.size} resources`;
});

check(`functions: all ${Object.keys(FUNCTIONS).length} exist on nodejs22.x arm64, each with its own role`, ({ template }) => {
  const problems = [];
  const roleOwners = new Map();
  const lambdas = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  for (const key of Object.keys(FUNCTIONS)) {
    const id = functionLogicalId(key);
    const fn = template.Resources[id];
    if (!fn || fn.Type !== 'AWS::Lambda::Function') {
      problems.push(`${key}: no ${id}`);
      continue;
    }
    const p = fn.Properties;
    if (p.Runtime !== 'nodejs22.x') problems.push(`${key}: runtime ${p.Runtime}`);
    if (JSON.stringify(p.Architectures) !== '["arm64"]') problems.push(`${key}: architectures ${JSON.stringify(p.Architectures)}`);
    if (p.Handler !== `functions/${FUNCTIONS[key].dir}/handler.handler`) problems.push(`${key}: handler ${p.Handler}`);
    const roleId = roleIdOf(fn);
    if (!roleId || template.Resources[roleId]?.Type !== 'AWS::IAM::Role') problems.push(`${key}: Role is not a role in this template`);
    else roleOwners.set(roleId, [...(roleOwners.get(roleId) ?? []), key]);
  }
  for (const [roleId, owners] of roleOwners) if (owners.length > 1) problems.push(`${roleId} shared by ${owners.join(', ')}`);
  const extra = lambdas.map(([id]) => id).filter((id) => !Object.keys(FUNCTIONS).some((k) => functionLogicalId(k) === id));
  if (extra.length) problems.push(`unexpected functions: ${extra.join(', ')}`);
  if (template.Resources.IamRoleLambdaExecution) problems.push('the shared IamRoleLambdaExecution role is still generated');
  if (problems.length) fail(problems.join('; '));
  return `${lambdas.length} functions, ${roleOwners.size} roles`;
});

check('functions: timeouts (HTTP 10 s, tasks 30 s), 256 MB, tracing Active', ({ template }) => {
  const problems = [];
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    const p = template.Resources[functionLogicalId(key)]?.Properties;
    if (!p) continue;
    const want = spec.http ? 10 : 30;
    if (p.Timeout !== want) problems.push(`${key}: timeout ${p.Timeout}, want ${want}`);
    if (p.MemorySize !== 256) problems.push(`${key}: memory ${p.MemorySize}`);
    if (p.TracingConfig?.Mode !== 'Active') problems.push(`${key}: tracing ${JSON.stringify(p.TracingConfig)}`);
  }
  if (problems.length) fail(problems.join('; '));
  return 'ok';
});

check('functions: common environment set; STATE_MACHINE_ARN only on the request entry points', ({ template }) => {
  const problems = [];
  for (const key of Object.keys(FUNCTIONS)) {
    const vars = template.Resources[functionLogicalId(key)]?.Properties.Environment?.Variables ?? {};
    const missing = COMMON_ENVIRONMENT.filter((name) => vars[name] === undefined);
    if (missing.length) problems.push(`${key}: missing ${missing.join(', ')}`);
    if (!refersTo(vars.REGISTRY_TABLE, TABLE_ID)) problems.push(`${key}: REGISTRY_TABLE does not reference ${TABLE_ID}`);
    const hasArn = vars.STATE_MACHINE_ARN !== undefined;
    if (FUNCTIONS[key].startsWorkflow) {
      if (!hasArn || !refersTo(vars.STATE_MACHINE_ARN, STATE_MACHINE_ID)) problems.push(`${key}: STATE_MACHINE_ARN does not reference ${STATE_MACHINE_ID}`);
    } else if (hasArn) problems.push(`${key}: has STATE_MACHINE_ARN`);
  }
  if (problems.length) fail(problems.join('; '));
  return 'ok';
});

check('state machine: STANDARD, logs ERROR without execution data, tracing on', ({ template }) => {
  const sm = template.Resources[STATE_MACHINE_ID];
  if (!sm || sm.Type !== 'AWS::StepFunctions::StateMachine') fail(`no ${STATE_MACHINE_ID}`);
  const p = sm.Properties;
  const problems = [];
  if (p.StateMachineType !== 'STANDARD') problems.push(`type ${p.StateMachineType}`);
  const logging = p.LoggingConfiguration ?? {};
  if (logging.Level !== 'ERROR') problems.push(`log level ${logging.Level}`);
  if (logging.IncludeExecutionData !== false) problems.push(`includeExecutionData ${logging.IncludeExecutionData}`);
  const destination = asArray(logging.Destinations)[0]?.CloudWatchLogsLogGroup?.LogGroupArn;
  const groupId = destination?.['Fn::GetAtt']?.[0];
  if (template.Resources[groupId]?.Type !== 'AWS::Logs::LogGroup') problems.push('no log group destination in this template');
  if (p.TracingConfiguration?.Enabled !== true) problems.push('tracing off');
  if (problems.length) fail(problems.join('; '));
  return 'ok';
});

check('state machine: every Task Resource resolves to its function ARN, no placeholders left', ({ template }) => {
  const { text, params, definition } = stateMachineDefinition(template);
  const problems = [];
  // Fn::Sub may only reference its own parameters, pseudo parameters and this template's resources.
  for (const [, name] of text.matchAll(/\$\{([^}]*)\}/g)) {
    const base = name.split('.')[0];
    if (!(name in params) && !name.startsWith('AWS::') && !template.Resources[base]) problems.push(`unresolved \${${name}}`);
  }
  if (/#\{[^}]*\}/.test(text)) problems.push('a #{...} placeholder is left');
  const lambdaIdByName = new Map();
  for (const [id, r] of Object.entries(template.Resources)) if (r.Type === 'AWS::Lambda::Function') lambdaIdByName.set(r.Properties.FunctionName, id);
  const expected = taskFunctionKeys(loadDefinition());
  const tasks = tasksOf(definition);
  for (const [state, task] of tasks) {
    const resource = task.Resource;
    let target;
    const sub = typeof resource === 'string' && resource.match(/^\$\{([^}]+)\}$/);
    if (sub && params[sub[1]]?.['Fn::GetAtt']?.[1] === 'Arn') target = params[sub[1]]['Fn::GetAtt'][0];
    const staticArn = typeof resource === 'string' && resource.match(/^arn:\$\{AWS::Partition\}:lambda:\$\{AWS::Region\}:\$\{AWS::AccountId\}:function:([^:]+)$/);
    if (staticArn) target = lambdaIdByName.get(staticArn[1]);
    if (!target || template.Resources[target]?.Type !== 'AWS::Lambda::Function') {
      problems.push(`${state}: Resource ${JSON.stringify(resource)} is not a function ARN`);
      continue;
    }
    const want = expected[state] && functionLogicalId(expected[state]);
    if (target !== want) problems.push(`${state}: invokes ${target}, the ASL names ${expected[state]}`);
  }
  if (tasks.length !== Object.keys(expected).length) problems.push(`${tasks.length} Task states, the ASL has ${Object.keys(expected).length}`);
  if (problems.length) fail(problems.join('; '));
  return `${tasks.length} tasks wired`;
});

check('state machine: its role may invoke exactly the task functions', ({ template }) => {
  const roleId = template.Resources[STATE_MACHINE_ID]?.Properties.RoleArn?.['Fn::GetAtt']?.[0];
  if (!roleId || !template.Resources[roleId]) fail('state machine role is not in this template');
  const invoke = roleStatements(template, roleId).filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes('lambda:InvokeFunction'));
  const targets = new Set();
  for (const s of invoke) {
    for (const r of asArray(s.Resource)) {
      if (r === '*') fail('lambda:InvokeFunction on "*"');
      const id = r['Fn::GetAtt']?.[0] ?? r['Fn::Sub']?.[1]?.functionArn?.['Fn::GetAtt']?.[0];
      if (id) targets.add(id);
    }
  }
  const want = new Set(Object.values(taskFunctionKeys(loadDefinition())).map(functionLogicalId));
  if (!sameSet(targets, want)) fail(`invokes [${[...targets].sort()}], want [${[...want].sort()}]`);
  return `${targets.size} functions`;
});

check('registry table: key, 3 GSIs, TTL, PITR, SSE, on-demand, retained', ({ template }) => {
  const t = template.Resources[TABLE_ID];
  if (!t || t.Type !== 'AWS::DynamoDB::Table') fail(`no ${TABLE_ID}`);
  const p = t.Properties;
  const problems = [];
  const eq = (label, got, want) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${label}: ${JSON.stringify(got)}`);
  };
  eq('DeletionPolicy', t.DeletionPolicy, 'Retain');
  eq('BillingMode', p.BillingMode, 'PAY_PER_REQUEST');
  eq('KeySchema', p.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  const attrs = Object.fromEntries(asArray(p.AttributeDefinitions).map((a) => [a.AttributeName, a.AttributeType]));
  eq('AttributeDefinitions', attrs, { pk: 'S', gsi1pk: 'S', gsi1sk: 'S', emailKey: 'S', activePk: 'S' });
  const gsis = Object.fromEntries(asArray(p.GlobalSecondaryIndexes).map((g) => [g.IndexName, { keys: g.KeySchema, projection: g.Projection }]));
  const all = { ProjectionType: 'ALL' };
  eq('GlobalSecondaryIndexes', gsis, {
    byCreated: { keys: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }], projection: all },
    byEmail: { keys: [{ AttributeName: 'emailKey', KeyType: 'HASH' }], projection: all },
    byActive: { keys: [{ AttributeName: 'activePk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }], projection: all },
  });
  eq('TimeToLiveSpecification', p.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
  eq('PointInTimeRecovery', p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled, true);
  eq('SSE', p.SSESpecification?.SSEEnabled, true);
  if (problems.length) fail(problems.join('; '));
  return 'byCreated, byEmail, byActive; TTL expiresAt';
});

check('http api: every route exists; AWS_IAM on all but the signature-verified Slack and webhook routes', ({ template }) => {
  const routes = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
  const problems = [];
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    if (!spec.http) continue;
    const route = routes.find((r) => r.Properties.RouteKey === spec.http);
    if (!route) {
      problems.push(`no route ${spec.http}`);
      continue;
    }
    const integrationId = JSON.stringify(route.Properties.Target).match(/"(HttpApiIntegration\w+)"/)?.[1];
    const integration = template.Resources[integrationId];
    if (!integration || !refersTo(integration.Properties.IntegrationUri, functionLogicalId(key))) problems.push(`${spec.http} does not reach ${key}`);
  }
  const open = new Set(Object.values(FUNCTIONS).filter((f) => f.open).map((f) => f.http));
  for (const r of routes) {
    const auth = r.Properties.AuthorizationType ?? 'NONE';
    if (open.has(r.Properties.RouteKey) ? auth !== 'NONE' : auth !== 'AWS_IAM') problems.push(`${r.Properties.RouteKey}: auth ${auth}`);
  }
  if (problems.length) fail(problems.join('; '));
  return routes.map((r) => r.Properties.RouteKey).sort().join(', ');
});

check('iam: no Allow statement anywhere has a wildcard action ("*", "service:*") or NotAction', ({ template }) => {
  const problems = [];
  let denies = 0;
  for (const { where, statement } of allStatements(template)) {
    if (statement.NotAction) problems.push(`${where}: NotAction`);
    const wild = asArray(statement.Action).filter((a) => typeof a !== 'string' || a.includes('*'));
    if (!wild.length) continue;
    // A Deny with a wildcard only narrows access: osls's deployment bucket policy denies s3:* without TLS.
    if (statement.Effect === 'Deny') denies++;
    else problems.push(`${where}: ${JSON.stringify(wild)}`);
  }
  if (problems.length) fail(problems.join('; '));
  return denies ? `ok (${denies} Deny statement(s) with wildcards, which only narrow access)` : 'ok';
});

check('iam: each function role allows exactly its expected actions (plus logs, xray)', ({ template }) => {
  const problems = [];
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    const roleId = roleIdOf(template.Resources[functionLogicalId(key)] ?? { Properties: {} });
    if (!roleId || !template.Resources[roleId]) {
      problems.push(`${key}: no role`);
      continue;
    }
    const role = template.Resources[roleId];
    if (asArray(role.Properties.ManagedPolicyArns).length) problems.push(`${key}: managed policies attached`);
    const statements = roleStatements(template, roleId);
    const allowed = new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asArray(s.Action)));
    const want = new Set([...LOGS, ...XRAY, ...spec.actions]);
    const extra = [...allowed].filter((a) => !want.has(a));
    const missing = [...want].filter((a) => !allowed.has(a));
    if (extra.length) problems.push(`${key}: extra ${extra.join(', ')}`);
    if (missing.length) problems.push(`${key}: missing ${missing.join(', ')}`);
    const principals = JSON.stringify(role.Properties.AssumeRolePolicyDocument?.Statement?.map((s) => s.Principal));
    if (principals !== '[{"Service":"lambda.amazonaws.com"}]') problems.push(`${key}: role trusts ${principals}`);
  }
  if (problems.length) fail(problems.join('; '));
  return 'ok';
});

check('iam: function role resources are scoped (table, own log group, state machine; "*" only where AWS allows nothing narrower)', ({ template }) => {
  const problems = [];
  for (const key of Object.keys(FUNCTIONS)) {
    const roleId = roleIdOf(template.Resources[functionLogicalId(key)] ?? { Properties: {} });
    if (!roleId || !template.Resources[roleId]) continue;
    const logGroupId = `${functionLogicalId(key).replace(/LambdaFunction$/, '')}LogGroup`;
    for (const s of roleStatements(template, roleId).filter((x) => x.Effect === 'Allow')) {
      const actions = asArray(s.Action);
      const resources = asArray(s.Resource);
      const services = new Set(actions.map((a) => a.split(':')[0]));
      const label = `${key} ${actions.join(',')}`;
      if (services.size !== 1) {
        problems.push(`${label}: mixes services`);
        continue;
      }
      const [service] = services;
      if (service === 'organizations' || service === 'xray') {
        if (JSON.stringify(resources) !== '["*"]') problems.push(`${label}: expected "*"`);
      } else if (service === 'logs') {
        if (!resources.length || !resources.every((r) => r['Fn::GetAtt']?.[0] === logGroupId)) problems.push(`${label}: not its own log group ${logGroupId}`);
      } else if (service === 'dynamodb') {
        if (!resources.length || !resources.every((r) => r !== '*' && refersTo(r, TABLE_ID))) problems.push(`${label}: not scoped to ${TABLE_ID}`);
      } else if (service === 'states') {
        if (!resources.length || !resources.every((r) => refersTo(r, STATE_MACHINE_ID) && r !== '*')) problems.push(`${label}: not scoped to the state machine`);
      } else if (service === 'ssm') {
        const param = resources.length === 1 && typeof resources[0] === 'object' ? resources[0]['Fn::Sub'] ?? '' : '';
        if (!/^arn:\$\{AWS::Partition\}:ssm:\$\{AWS::Region\}:\$\{AWS::AccountId\}:parameter\/[\w/.-]+$/.test(param)) problems.push(`${label}: not exactly one parameter (${JSON.stringify(resources)})`);
      } else if (service === 'events') {
        const bus = resources.length === 1 && typeof resources[0] === 'object' ? resources[0]['Fn::Sub'] ?? '' : '';
        if (!/:event-bus\/[\w.-]+$/.test(bus)) problems.push(`${label}: not one event bus (${JSON.stringify(resources)})`);
      } else if (service === 'sqs') {
        if (!resources.length || !resources.every((r) => refersTo(r, DLQ_ID))) problems.push(`${label}: not the dead-letter queue`);
      } else if (service === 'ses') {
        const identities = resources.every((r) => typeof r === 'object' && /:ses:\$\{AWS::Region\}:\$\{AWS::AccountId\}:identity\//.test(r['Fn::Sub'] ?? ''));
        if (!identities) problems.push(`${label}: not this account's SES identities`);
        if (!s.Condition?.StringEquals || !('ses:FromAddress' in s.Condition.StringEquals)) problems.push(`${label}: From address not pinned`);
      } else {
        problems.push(`${label}: unexpected service`);
      }
    }
  }
  if (problems.length) fail(problems.join('; '));
  return 'ok';
});

check('eventbridge: the request rule matches Environment Requested, retries, and dead-letters to the queue', ({ template }) => {
  const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
  const rule = rules.find((r) => asArray(r.Properties.Targets).some((t) => refersTo(t.Arn, functionLogicalId('requestFromEvent'))));
  if (!rule) fail('no rule targets requestFromEvent');
  const problems = [];
  const pattern = rule.Properties.EventPattern;
  if (JSON.stringify(pattern.source) !== '["switchyard.requests"]') problems.push(`source ${JSON.stringify(pattern.source)}`);
  if (JSON.stringify(pattern['detail-type']) !== '["Environment Requested"]') problems.push(`detail-type ${JSON.stringify(pattern['detail-type'])}`);
  const target = asArray(rule.Properties.Targets)[0];
  if (!refersTo(target.DeadLetterConfig?.Arn, DLQ_ID)) problems.push('the target has no dead-letter queue');
  if (!target.RetryPolicy) problems.push('the target has no retry policy');
  const invoke = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && refersTo(r.Properties.FunctionName, functionLogicalId('requestFromEvent')));
  if (!invoke || !refersTo(invoke.Properties.DestinationConfig?.OnFailure?.Destination, DLQ_ID)) problems.push('failed invocations do not go to the dead-letter queue');
  const queue = template.Resources[DLQ_ID];
  if (!queue || queue.Type !== 'AWS::SQS::Queue' || !queue.Properties.SqsManagedSseEnabled) problems.push('no encrypted dead-letter queue');
  const queuePolicy = Object.values(template.Resources).find((r) => r.Type === 'AWS::SQS::QueuePolicy' && refersTo(r.Properties.Queues, DLQ_ID));
  const allowsEvents = asArray(queuePolicy?.Properties.PolicyDocument.Statement).some((st) => st.Principal?.Service === 'events.amazonaws.com' && st.Condition);
  if (!allowsEvents) problems.push('the queue does not let EventBridge (for this account’s rules) send to it');
  if (problems.length) fail(problems.join('; '));
  return `${rule.Properties.Name} -> requestFromEvent, DLQ ${DLQ_ID}`;
});

check('secrets: only SSM parameter names in the template, never values', ({ template }) => {
  const problems = [];
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    const vars = template.Resources[functionLogicalId(key)]?.Properties.Environment?.Variables ?? {};
    for (const [name, value] of Object.entries(vars)) {
      if (!/SECRET/.test(name)) continue;
      if (name !== spec.secretParam) problems.push(`${key}: ${name} should not be here`);
      else if (typeof value !== 'string' || !value.startsWith('/')) problems.push(`${key}: ${name} is not a parameter name`);
    }
    if (spec.secretParam && !vars[spec.secretParam]) problems.push(`${key}: no ${spec.secretParam}`);
  }
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::SSM::Parameter' || r.Type === 'AWS::SecretsManager::Secret') problems.push(`${id}: a secret defined in the template`);
  }
  if (problems.length) fail(problems.join('; '));
  return 'slack and webhook secrets read from SSM at run time';
});

check('outputs: API URL, state machine ARN, registry table name', ({ template }) => {
  const outputs = Object.values(template.Outputs ?? {});
  const problems = [];
  if (!outputs.some((o) => refersTo(o.Value, 'HttpApi') && JSON.stringify(o.Value).includes('execute-api'))) problems.push('no API URL');
  if (!outputs.some((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: STATE_MACHINE_ID }))) problems.push('no state machine ARN');
  if (!outputs.some((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: TABLE_ID }))) problems.push('no table name');
  if (problems.length) fail(problems.join('; '));
  return Object.keys(template.Outputs).join(', ');
});

check(`zips: one per function, each <= ${kb(ZIP_BUDGET_BYTES)}, no source maps`, ({ outDir }) => {
  const problems = [];
  const sizes = [];
  for (const key of Object.keys(FUNCTIONS)) {
    const file = path.join(outDir, `${key}.zip`);
    if (!fs.existsSync(file)) {
      problems.push(`${key}.zip missing`);
      continue;
    }
    const bytes = fs.statSync(file).size;
    const entries = readZipDirectory(file);
    sizes.push(`${key} ${kb(bytes)}`);
    if (bytes > ZIP_BUDGET_BYTES) problems.push(`${key}.zip is ${kb(bytes)}`);
    const maps = entries.filter((e) => e.name.endsWith('.map'));
    if (maps.length) problems.push(`${key}.zip has ${maps.map((e) => e.name).join(', ')}`);
    if (!entries.some((e) => e.name === `functions/${FUNCTIONS[key].dir}/handler.js`)) problems.push(`${key}.zip has no functions/${FUNCTIONS[key].dir}/handler.js`);
  }
  if (problems.length) {
    const hint = 'see what dominates: npx esbuild functions/<dir>/handler.ts --bundle --minify --platform=node --main-fields=module,main --analyze --outfile=/dev/null';
    fail(`${problems.join('; ')} [${sizes.join(', ')}] (${hint})`);
  }
  return sizes.join(', ');
});

// ---------------------------------------------------------------------------------------------

function main() {
  const keep = process.argv.includes('--keep');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-package-'));
  let passed = 0;
  let failed = 0;
  const report = (ok, name, detail) => {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? ` - ${detail}` : ''}`);
  };

  const { result, seconds } = runPackage(outDir);
  const templatePath = path.join(outDir, 'cloudformation-template-update-stack.json');
  const packaged = result.status === 0 && fs.existsSync(templatePath);
  const warnings = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n').filter((l) => /warn/i.test(l));
  report(packaged, 'package: osls package succeeds offline', `${seconds.toFixed(1)} s${warnings.length ? `, ${warnings.length} warning line(s)` : ''}`);
  if (!packaged) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
    console.log(output.trim().split('\n').slice(-30).map((l) => `      ${l}`).join('\n'));
  }
  for (const line of warnings) console.log(`      ${line.trim()}`);

  const template = packaged ? JSON.parse(fs.readFileSync(templatePath, 'utf8')) : undefined;
  for (const { name, run } of checks) {
    if (!template) {
      report(false, name, 'not run: no template');
      continue;
    }
    try {
      report(true, name, run({ template, outDir }));
    } catch (error) {
      report(false, name, error.message);
    }
  }

  if (keep || failed) console.log(`package directory: ${outDir}`);
  else fs.rmSync(outDir, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main();
