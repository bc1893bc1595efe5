'use strict';
// Offline check of the deployment: packages the service with osls (dummy credentials, no network),
// then reads the generated CloudFormation template and the function zips and checks what a deploy
// would get wrong or make too broad. Prints one line per check and ends with "N passed, M failed".
//
//   node tests/package/check-template.cjs            (npm run test:package)
//   node tests/package/check-template.cjs --keep     keep the package directories for inspection
//
// It packages twice: with serverless.yml's defaults (every optional notification channel and the
// admin principal off), then with all of them on, and runs the IAM checks against both: a statement
// that serves an optional channel must exist exactly while the channel is configured.
//
// It packages into a fresh temporary directory so no earlier run's zips are measured. osls itself
// empties the service's .serverless/ at the start of every package, so that folder is gone afterwards.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadDefinition, functionLogicalId, taskFunctionKeys, WAIT_FOR_TASK_TOKEN } = require('../../statemachines/provision-environment.cjs');
const { readZipDirectory, readZipEntry } = require('./zip.cjs');
const { functionTable } = require('../../functions/index.cjs');

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
/** Organizations actions that have no resource type in the Service Authorization Reference: "*" is all IAM accepts. */
const ORGANIZATIONS_WITHOUT_RESOURCES = new Set([
  'organizations:CreateAccount',
  'organizations:DescribeCreateAccountStatus',
  'organizations:ListCreateAccountStatus',
  'organizations:ListAccounts',
  'organizations:ListRoots',
  'organizations:DescribeOrganization',
]);
/** Every other Organizations action: this management account's organization's accounts, OUs and root. */
const ORGANIZATION_RESOURCES = [
  { 'Fn::Sub': 'arn:${AWS::Partition}:organizations::${AWS::AccountId}:account/o-*/*' },
  { 'Fn::Sub': 'arn:${AWS::Partition}:organizations::${AWS::AccountId}:ou/o-*/ou-*' },
  { 'Fn::Sub': 'arn:${AWS::Partition}:organizations::${AWS::AccountId}:root/o-*/r-*' },
];
/** The pre-flight, record and start that every request trigger shares with POST /environments. */
const REQUEST_ACTIONS = [
  // Names, emails and the quota come from the organization index: never ListAccounts on a request.
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

/** checkDrift's three functions: the same folder, role, timeout and actions. */
const CHECK_DRIFT = {
  dir: 'check-drift',
  timeout: 300,
  secretParam: ['NOTIFY_WEBHOOK_SECRET_PARAM', 'SLACK_WEBHOOK_URL_PARAM'],
  notifies: true,
  actions: [
    'organizations:ListRoots',
    'organizations:ListOrganizationalUnitsForParent',
    'organizations:ListAccountsForParent',
    'organizations:ListTagsForResource',
    // Only with driftRemediate=move-back.
    'organizations:MoveAccount',
    // Only with driftCheckRole=true.
    'sts:AssumeRole',
    ...REGISTRY_WRITE,
    // The walk rewrites the organization index, deleting the accounts that left.
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    ...PUT_EVENTS,
    'sns:Publish',
    'sqs:SendMessage',
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
  ],
};

/** DecommissionEnvironment's task functions: one folder and role. */
const DECOMMISSION_STEPS = {
  dir: 'decommission-environment',
  secretParam: ['NOTIFY_WEBHOOK_SECRET_PARAM', 'SLACK_WEBHOOK_URL_PARAM'],
  notifies: true,
  actions: [
    'organizations:DescribeOrganization',
    'organizations:ListRoots',
    'organizations:ListTagsForResource',
    'organizations:TagResource',
    'organizations:ListOrganizationalUnitsForParent',
    'organizations:CreateOrganizationalUnit',
    'organizations:ListParents',
    'organizations:MoveAccount',
    'organizations:CloseAccount',
    'organizations:DescribeAccount',
    ...REGISTRY_WRITE,
    ...PUT_EVENTS,
    'sns:Publish',
  ],
};

/**
 * Every function, its folder, its kind, and exactly the actions its role may allow besides
 * LOGS and XRAY. A new action in a function.yml must be added here too, on purpose. `export` is the
 * handler's export where it is not `handler`; `entry` its module in the folder where it is not `handler`.
 */
const FUNCTIONS = {
  // PutEvents: a request in a protected OU is announced (Environment Approval Requested) instead of started.
  createEnvironment: { dir: 'create-environment', http: 'POST /environments', startsWorkflow: true, actions: [...REQUEST_ACTIONS, ...PUT_EVENTS] },
  provisionWebhook: {
    dir: 'provision-webhook',
    http: 'POST /webhooks/provision',
    // Authenticated by its Standard Webhooks signature, not IAM.
    open: true,
    startsWorkflow: true,
    secretParam: 'WEBHOOK_SECRET_PARAM',
    actions: [...REQUEST_ACTIONS, ...PUT_EVENTS, 'ssm:GetParameter'],
  },
  slackCommand: {
    dir: 'slack-command',
    http: 'POST /slack/commands',
    // Authenticated by Slack's signature, not IAM.
    open: true,
    secretParam: 'SLACK_SIGNING_SECRET_PARAM',
    // PutItem: claims each signed /env create, extend and close once, so a copy of it does nothing;
    // StartExecution: /env close starts DecommissionEnvironment.
    startsDecommission: true,
    actions: ['ssm:GetParameter', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', ...PUT_EVENTS, 'states:StartExecution'],
  },
  slackInteractions: {
    dir: 'slack-interactions',
    http: 'POST /slack/interactions',
    // Authenticated by Slack's signature, not IAM.
    open: true,
    // An Approve click starts the execution the request held back, or the closing it asked about.
    startsWorkflow: true,
    startsDecommission: true,
    secretParam: 'SLACK_SIGNING_SECRET_PARAM',
    // The decision: a read and a conditional put of the environment, StartExecution on approve, the outcome event.
    actions: ['ssm:GetParameter', 'dynamodb:GetItem', 'dynamodb:PutItem', 'states:StartExecution', ...PUT_EVENTS],
  },
  requestFromEvent: { dir: 'request-from-event', async: true, startsWorkflow: true, actions: [...REQUEST_ACTIONS, ...PUT_EVENTS, 'sqs:SendMessage'] },
  listRejections: { dir: 'list-rejections', http: 'GET /rejections', actions: ['dynamodb:Query'] },
  getEnvironment: { dir: 'get-environment', http: 'GET /environments/{id}', actions: ['dynamodb:GetItem'] },
  getSwitchRole: { dir: 'get-switch-role', http: 'GET /environments/{id}/switch-role', actions: ['dynamodb:GetItem'] },
  listSwitchRoles: { dir: 'list-switch-roles', http: 'GET /switch-roles', actions: ['dynamodb:Query'] },
  listEnvironments: { dir: 'list-environments', http: 'GET /environments', actions: ['dynamodb:Query'] },
  createAccount: {
    dir: 'create-account',
    actions: [
      'organizations:CreateAccount',
      'organizations:DescribeCreateAccountStatus',
      'organizations:ListCreateAccountStatus',
      'organizations:ListTagsForResource',
      'organizations:TagResource',
      ...REGISTRY_WRITE,
      // The creation's wake item, where its CreateAccountResult event finds the waiting workflow.
      'dynamodb:UpdateItem',
      // The organization index by email, after an attempt that died before recording its car- id.
      'dynamodb:Query',
    ],
  },
  // WaitForAccount's task: leaves its token in the creation's wake item, or wakes the workflow at once.
  // Its own machine is named, not referenced: the machine depends on this function.
  awaitAccount: { dir: 'await-account', wakesOwnWorkflow: true, actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'states:SendTaskSuccess'] },
  checkAccountStatus: {
    dir: 'check-account-status',
    actions: [
      'organizations:DescribeCreateAccountStatus',
      // EMAIL_ALREADY_EXISTS after a retried create: the index or the recent creations name the
      // candidate, its tag confirms it. Never ListAccounts.
      'organizations:ListCreateAccountStatus',
      'organizations:ListTagsForResource',
      ...REGISTRY_WRITE,
      'dynamodb:Query',
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
  grantAccess: {
    dir: 'grant-access',
    actions: [
      'organizations:DescribeOrganization',
      'organizations:ListRoots',
      'organizations:ListParents',
      ...REGISTRY_WRITE,
      'dynamodb:Query',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'iam:ListPolicyVersions',
      'iam:CreatePolicy',
      'iam:CreatePolicyVersion',
      'iam:DeletePolicyVersion',
    ],
    // ATTACH_ACTIONS while adminGroup or adminUser is set.
    attaches: true,
  },
  // Inside the new account it holds only the session CONFIGURE_SESSION_ACTIONS allow (checked below).
  configureAccount: { dir: 'configure-account', actions: ['sts:AssumeRole', 'organizations:TagResource', ...REGISTRY_WRITE] },
  notifyAdmin: { dir: 'notify-admin', timeout: 60, secretParam: ['NOTIFY_WEBHOOK_SECRET_PARAM', 'SLACK_WEBHOOK_URL_PARAM'], notifies: true, actions: [...REGISTRY_WRITE, 'sns:Publish'] },
  notifyFailure: { dir: 'notify-failure', timeout: 60, secretParam: ['NOTIFY_WEBHOOK_SECRET_PARAM', 'SLACK_WEBHOOK_URL_PARAM'], notifies: true, actions: [...REGISTRY_WRITE, 'sns:Publish'] },
  recordReady: { dir: 'record-ready', actions: [...REGISTRY_WRITE, ...PUT_EVENTS] },
  recordFailure: { dir: 'record-failure', actions: [...REGISTRY_WRITE, ...PUT_EVENTS] },
  // One function per trigger (POST /drift-checks, the schedule, the drift queue), sharing CheckDriftRole.
  checkDrift: { ...CHECK_DRIFT, export: 'api', http: 'POST /drift-checks' },
  checkDriftOnSchedule: { ...CHECK_DRIFT, export: 'onSchedule' },
  checkDriftFromQueue: { ...CHECK_DRIFT, export: 'fromQueue' },
  getDrift: { dir: 'get-drift', http: 'GET /drift', actions: ['dynamodb:GetItem'] },
  // Approvals: the decision over HTTP, the question on every channel, and the sweep that expires and follows up.
  decideEnvironment: {
    dir: 'decide-environment',
    http: ['POST /environments/{id}/approve', 'POST /environments/{id}/reject'],
    startsWorkflow: true,
    startsDecommission: true,
    actions: [...REGISTRY_WRITE, 'states:StartExecution', ...PUT_EVENTS],
  },
  // DELETE /environments/{id}: records the closing, starts DecommissionEnvironment (in a protected OU, asks the approvers first).
  closeEnvironment: { dir: 'close-environment', http: 'DELETE /environments/{id}', startsDecommission: true, actions: [...REGISTRY_WRITE, 'states:StartExecution', ...PUT_EVENTS] },
  // DecommissionEnvironment's tasks, sharing DecommissionEnvironmentRole.
  ...Object.fromEntries(
    [
      ['decommissionEnvironmentBegin', { entry: 'begin-close' }],
      ['decommissionEnvironmentPrepare', { entry: 'prepare-close' }],
      ['decommissionEnvironmentAccount', { entry: 'close-account' }],
      ['decommissionEnvironmentCheck', { entry: 'check-closure' }],
      ['decommissionEnvironmentRecord', { entry: 'record-closed', timeout: 60 }],
      ['decommissionEnvironmentFailure', { entry: 'record-close-failure' }],
    ].map(([key, spec]) => [key, { ...DECOMMISSION_STEPS, ...spec }]),
  ),
  // A lease's new end: a read and a conditional put of the environment, and Environment Lease Extended.
  extendEnvironment: { dir: 'extend-environment', http: 'POST /environments/{id}/extend', actions: [...REGISTRY_WRITE, ...PUT_EVENTS] },
  notifyApprovers: { dir: 'notify-approvers', timeout: 60, secretParam: ['NOTIFY_WEBHOOK_SECRET_PARAM', 'SLACK_WEBHOOK_URL_PARAM'], notifies: true, actions: [...REGISTRY_WRITE, 'sns:Publish'] },
  checkLifecycle: {
    dir: 'check-lifecycle',
    timeout: 120,
    startsWorkflow: true,
    startsDecommission: true,
    secretParam: ['NOTIFY_WEBHOOK_SECRET_PARAM', 'SLACK_WEBHOOK_URL_PARAM'],
    notifies: true,
    actions: [...REGISTRY_WRITE, 'dynamodb:Query', 'states:StartExecution', ...PUT_EVENTS, 'sns:Publish'],
  },
  // Organizations' CloudTrail events on the default bus: one DescribeAccount per account event.
  // ...and wakes the workflow waiting for a creation that ended (its wake item, SendTaskSuccess).
  indexOrganization: {
    dir: 'index-organization',
    wakesWorkflow: true,
    actions: ['organizations:DescribeAccount', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'states:SendTaskSuccess'],
  },
};

const ATTACH_ACTIONS = ['iam:AttachGroupPolicy', 'iam:AttachUserPolicy'];

/**
 * The two packagings. The second turns on every optional channel (email, Slack incoming webhook,
 * outgoing webhook) and names an admin group (no user, so each principal's condition is seen alone).
 */
const RUNS = [
  { label: '', params: {} },
  {
    label: 'channels on',
    params: {
      senderEmail: 'switchyard@example.com',
      adminEmail: 'cloud-admins@example.com',
      slackWebhookUrlParam: '/x/y',
      notifyWebhookUrl: 'https://hooks.example.com/switchyard',
      adminGroup: 'CloudAdmins',
    },
  },
];
/** serverless.yml's defaults for the values that switch optional statements, for the dev stage. */
const OPTIONAL_DEFAULTS = {
  senderEmail: '',
  adminEmail: '',
  slackWebhookUrlParam: '',
  notifyWebhookUrl: '',
  notifyWebhookSecretParam: '/switchyard/dev/notify-webhook-secret',
  adminGroup: '',
  adminUser: '',
};
/** Which optional statements a packaging should have, as the code decides which channels are on (shared/lambda/aws/notifier.ts). */
function switchesOf(params) {
  const p = { ...OPTIONAL_DEFAULTS, ...params };
  return {
    params: p,
    email: Boolean(p.senderEmail && p.adminEmail),
    slackWebhook: Boolean(p.slackWebhookUrlParam),
    notifyWebhook: Boolean(p.notifyWebhookUrl && p.notifyWebhookSecretParam),
    adminPrincipal: Boolean(p.adminGroup || p.adminUser),
  };
}
/** A function's actions besides LOGS and XRAY, given which optional channels are on. */
function expectedActions(spec, on) {
  return [
    ...spec.actions,
    ...(spec.notifies && on.email ? SEND_EMAIL : []),
    ...(spec.notifies && (on.slackWebhook || on.notifyWebhook) ? ['ssm:GetParameter'] : []),
    ...(spec.attaches && on.adminPrincipal ? ATTACH_ACTIONS : []),
  ];
}
/** Checks that depend on the packaging's parameters run for both packagings; the rest for the first. */
const EVERY_RUN = [/^template:/, /^iam:/, /^ssm:/];

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
  'PUBLIC_BASE_URL',
  'EVENT_BUS_NAME',
  'DEFAULT_OU',
  'SLACK_RESPONSE_URL_PREFIXES',
];
/** Values the package run (no --param) must produce from serverless.yml's defaults. */
const DEFAULT_ENVIRONMENT = { EVENT_BUS_NAME: 'default', DEFAULT_OU: '', SLACK_RESPONSE_URL_PREFIXES: 'https://hooks.slack.com/' };
/** serverless.yml's default parameter names for the signing secrets, for the dev stage this check packages. */
const SECRET_PARAM_NAMES = {
  SLACK_SIGNING_SECRET_PARAM: '/switchyard/dev/slack-signing-secret',
  WEBHOOK_SECRET_PARAM: '/switchyard/dev/webhook-secret',
  NOTIFY_WEBHOOK_SECRET_PARAM: '/switchyard/dev/notify-webhook-secret',
};
/** The env vars naming a function's SSM parameters (one name or several). */
const paramVars = (spec) => asArray(spec.secretParam);
/** Every queue-policy and permission SourceArn for the request rule must be this ARN (default bus, dev stage). */
const REQUEST_RULE_ARN = 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/switchyard-dev-request-from-event';

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

/**
 * An ARN written as a plain string, `Fn::Sub` (no variables map) or `Fn::Join` of strings and
 * pseudo-parameter `Ref`s, rendered as one `${AWS::...}` string so differently built ARNs compare.
 * Anything else (a resource Ref, GetAtt) renders as JSON and so never equals a rendered ARN.
 */
function arnText(value) {
  if (typeof value === 'string') return value;
  if (value && typeof value['Fn::Sub'] === 'string') return value['Fn::Sub'];
  if (value && value.Ref && String(value.Ref).startsWith('AWS::')) return `\${${value.Ref}}`;
  if (value && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map(arnText).join(separator);
  }
  return JSON.stringify(value);
}

/**
 * The template as CloudFormation would deploy it with the values it was packaged with: its conditions
 * evaluated, each `Fn::If` replaced by the branch chosen, `AWS::NoValue` removed, and resources and
 * outputs whose Condition is false left out. `${param:…}` values are literal by then; a condition over
 * anything else (a template Parameter) cannot be evaluated offline and fails the run instead.
 */
function resolveConditions(template) {
  const conditions = template.Conditions ?? {};
  const values = new Map();
  const condition = (name) => {
    if (!Object.hasOwn(conditions, name)) fail(`no condition ${name}`);
    if (!values.has(name)) values.set(name, evaluate(conditions[name], name));
    return values.get(name);
  };
  const evaluate = (node, name) => {
    const entries = node && typeof node === 'object' && !Array.isArray(node) ? Object.entries(node) : [];
    if (entries.length !== 1) fail(`condition ${name}: cannot evaluate ${JSON.stringify(node)}`);
    const [[fn, args]] = entries;
    if (fn === 'Condition') return condition(args);
    if (fn === 'Fn::Not') return !evaluate(args[0], name);
    if (fn === 'Fn::And') return args.every((a) => evaluate(a, name));
    if (fn === 'Fn::Or') return args.some((a) => evaluate(a, name));
    if (fn === 'Fn::Equals' && args.every((a) => typeof a === 'string')) return args[0] === args[1];
    return fail(`condition ${name}: ${JSON.stringify(node)} is not over literal values`);
  };
  const NO_VALUE = Symbol('AWS::NoValue');
  const resolve = (node) => {
    if (Array.isArray(node)) return node.map(resolve).filter((v) => v !== NO_VALUE);
    if (!node || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && node.Ref === 'AWS::NoValue') return NO_VALUE;
    if (keys.length === 1 && keys[0] === 'Fn::If') {
      const [name, ifTrue, ifFalse] = node['Fn::If'];
      return resolve(condition(name) ? ifTrue : ifFalse);
    }
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      const resolved = resolve(value);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  };
  const kept = (section) =>
    Object.fromEntries(
      Object.entries(section ?? {})
        .filter(([, item]) => item.Condition === undefined || condition(item.Condition))
        .map(([id, item]) => [id, resolve(item)]),
    );
  return { ...template, Resources: kept(template.Resources), Outputs: kept(template.Outputs) };
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

function runPackage(outDir, params = {}) {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  // A profile or session token from the caller's shell must not mix with the dummy keys.
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE']) delete env[name];
  // serverless-esbuild zips each function from a directory it makes in the temporary directory and
  // leaves behind (<function>-<pid>-<ms>-<hex>): given one of its own, the check removes them all.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-osls-'));
  env.TMPDIR = scratch;
  const started = process.hrtime.bigint();
  const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`);
  try {
    const result = spawnSync(OSLS, ['package', '--stage', 'dev', '--region', 'us-east-1', '--package', outDir, ...paramArgs], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { result, seconds };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
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

check(`functions: all ${Object.keys(FUNCTIONS).length} exist on nodejs22.x arm64, each folder's with its own role`, ({ template }) => {
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
    if (p.Handler !== `functions/${FUNCTIONS[key].dir}/${FUNCTIONS[key].entry ?? 'handler'}.${FUNCTIONS[key].export ?? 'handler'}`) problems.push(`${key}: handler ${p.Handler}`);
    const roleId = roleIdOf(fn);
    if (!roleId || template.Resources[roleId]?.Type !== 'AWS::IAM::Role') problems.push(`${key}: Role is not a role in this template`);
    else roleOwners.set(roleId, [...(roleOwners.get(roleId) ?? []), key]);
  }
  // The functions of one folder (one entry point per trigger) may share its role; no two folders may.
  for (const [roleId, owners] of roleOwners) if (new Set(owners.map((k) => FUNCTIONS[k].dir)).size > 1) problems.push(`${roleId} shared by ${owners.join(', ')}`);
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
    const want = spec.timeout ?? (spec.http ? 10 : 30);
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
    for (const [name, value] of Object.entries(DEFAULT_ENVIRONMENT)) {
      if (vars[name] !== undefined && vars[name] !== value) problems.push(`${key}: ${name} is ${JSON.stringify(vars[name])}, want ${JSON.stringify(value)}`);
    }
    const hasArn = vars.STATE_MACHINE_ARN !== undefined;
    if (FUNCTIONS[key].startsWorkflow || FUNCTIONS[key].wakesWorkflow) {
      if (!hasArn || !refersTo(vars.STATE_MACHINE_ARN, STATE_MACHINE_ID)) problems.push(`${key}: STATE_MACHINE_ARN does not reference ${STATE_MACHINE_ID}`);
    } else if (hasArn) problems.push(`${key}: has STATE_MACHINE_ARN`);
  }
  if (problems.length) fail(problems.join('; '));
  return 'ok';
});

check('cursors: the list routes seal their page cursors with the per-stack CURSOR_KEY, and only they have one', ({ template }) => {
  const problems = [];
  const sealers = ['listEnvironments', 'listRejections'];
  for (const key of Object.keys(FUNCTIONS)) {
    const value = template.Resources[functionLogicalId(key)]?.Properties.Environment?.Variables?.CURSOR_KEY;
    if (sealers.includes(key)) {
      if (JSON.stringify(value) !== JSON.stringify({ Ref: 'AWS::StackId' })) problems.push(`${key}: CURSOR_KEY is ${JSON.stringify(value)}, want the stack id`);
    } else if (value !== undefined) problems.push(`${key}: has CURSOR_KEY`);
  }
  if (problems.length) fail(problems.join('; '));
  return sealers.join(', ');
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
    // A task that waits for its token invokes the function its Parameters name.
    const resource = task.Resource === WAIT_FOR_TASK_TOKEN ? task.Parameters?.FunctionName : task.Resource;
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

/**
 * What serverless-step-functions grants the state machine's role on "*" for loggingConfig and
 * tracingConfig: CloudWatch Logs log delivery (Step Functions sets up delivery to the log group with
 * the role's permissions) and X-Ray. docs/SECURITY.md lists these; a change here must change it too.
 */
const STATE_MACHINE_WILDCARD_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];

check('iam: the state machine role has "*" only for CloudWatch Logs log delivery and X-Ray', ({ template }) => {
  const roleId = template.Resources[STATE_MACHINE_ID]?.Properties.RoleArn?.['Fn::GetAtt']?.[0];
  if (!roleId || !template.Resources[roleId]) fail('state machine role is not in this template');
  const onStar = roleStatements(template, roleId)
    .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).includes('*'))
    .flatMap((s) => asArray(s.Action));
  if (!sameSet(new Set(onStar), new Set(STATE_MACHINE_WILDCARD_ACTIONS)) || onStar.length !== STATE_MACHINE_WILDCARD_ACTIONS.length) {
    fail(`on "*": [${onStar.join(', ')}], want [${STATE_MACHINE_WILDCARD_ACTIONS.join(', ')}]`);
  }
  return `${onStar.length} actions`;
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
    for (const routeKey of asArray(spec.http)) {
      const route = routes.find((r) => r.Properties.RouteKey === routeKey);
      if (!route) {
        problems.push(`no route ${routeKey}`);
        continue;
      }
      const integrationId = JSON.stringify(route.Properties.Target).match(/"(HttpApiIntegration\w+)"/)?.[1];
      const integration = template.Resources[integrationId];
      if (!integration || !refersTo(integration.Properties.IntegrationUri, functionLogicalId(key))) problems.push(`${routeKey} does not reach ${key}`);
    }
  }
  const open = new Set(Object.values(FUNCTIONS).filter((f) => f.open).flatMap((f) => asArray(f.http)));
  for (const r of routes) {
    const auth = r.Properties.AuthorizationType ?? 'NONE';
    if (open.has(r.Properties.RouteKey) ? auth !== 'NONE' : auth !== 'AWS_IAM') problems.push(`${r.Properties.RouteKey}: auth ${auth}`);
    if (open.has(r.Properties.RouteKey) && r.Properties.AuthorizerId) problems.push(`${r.Properties.RouteKey}: has an authorizer`);
  }
  if (problems.length) fail(problems.join('; '));
  return routes.map((r) => r.Properties.RouteKey).sort().join(', ');
});

check('local runtime: the functions, HTTP API routes and EventBridge rules it reads from function.yml are the template\'s', ({ template }) => {
  const local = functionTable();
  const keyById = new Map(local.map((f) => [functionLogicalId(f.key), f.key]));
  const fnOf = (value) => [...keyById].find(([id]) => refersTo(value, id))?.[1] ?? JSON.stringify(value);
  const deployed = { functions: [], routes: [], rules: [] };
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Lambda::Function') deployed.functions.push(keyById.get(id) ?? id);
    if (r.Type === 'AWS::ApiGatewayV2::Route') {
      const integrationId = JSON.stringify(r.Properties.Target).match(/"(HttpApiIntegration\w+)"/)?.[1];
      deployed.routes.push(`${r.Properties.RouteKey} -> ${fnOf(template.Resources[integrationId]?.Properties.IntegrationUri)}`);
    }
    if (r.Type === 'AWS::Events::Rule') {
      const pattern = r.Properties.EventPattern ?? {};
      for (const target of asArray(r.Properties.Targets).filter((t) => [...keyById.keys()].some((fnId) => refersTo(t.Arn, fnId)))) {
        for (const source of asArray(pattern.source)) for (const type of asArray(pattern['detail-type'])) deployed.rules.push(`${source} / ${type} -> ${fnOf(target.Arn)}`);
      }
    }
  }
  const served = {
    functions: local.map((f) => f.key),
    routes: local.flatMap((f) => f.routes.map((r) => `${r.method} ${r.path} -> ${f.key}`)),
    rules: local.flatMap((f) => f.rules.map((r) => `${r.source} / ${r.detailType} -> ${f.key}`)),
  };
  const problems = [];
  for (const what of Object.keys(served)) {
    const want = [...deployed[what]].sort();
    const got = [...served[what]].sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${what}: local [${got.join(', ')}], template [${want.join(', ')}]`);
  }
  if (problems.length) fail(problems.join('; '));
  return `${served.functions.length} functions, ${served.routes.length} routes, ${served.rules.length} rule(s)`;
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

check('iam: each function role allows exactly its expected actions (plus logs, xray)', ({ template, on }) => {
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
    const want = new Set([...LOGS, ...XRAY, ...expectedActions(spec, on)]);
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
    // The log groups of the functions on this role: its own, and its folder's others where they share it.
    const logGroupIds = Object.keys(FUNCTIONS)
      .filter((other) => roleIdOf(template.Resources[functionLogicalId(other)] ?? { Properties: {} }) === roleId)
      .map((other) => `${functionLogicalId(other).replace(/LambdaFunction$/, '')}LogGroup`);
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
      if (service === 'organizations') {
        // "*" only for actions AWS gives no resource type; everything else only on this organization's resources.
        const global = actions.filter((a) => ORGANIZATIONS_WITHOUT_RESOURCES.has(a));
        if (global.length && global.length !== actions.length) problems.push(`${label}: mixes actions that take resources with ones that do not`);
        else if (global.length && JSON.stringify(resources) !== '["*"]') problems.push(`${label}: expected "*"`);
        else if (!global.length && JSON.stringify(resources) !== JSON.stringify(ORGANIZATION_RESOURCES)) problems.push(`${label}: not scoped to this organization's accounts, OUs and root (${JSON.stringify(resources)})`);
      } else if (service === 'xray') {
        if (JSON.stringify(resources) !== '["*"]') problems.push(`${label}: expected "*"`);
      } else if (service === 'logs') {
        if (!resources.length || !resources.every((r) => logGroupIds.includes(r['Fn::GetAtt']?.[0]))) problems.push(`${label}: not only the log groups of its role's functions (${logGroupIds.join(', ')})`);
      } else if (service === 'dynamodb') {
        if (!resources.length || !resources.every((r) => r !== '*' && refersTo(r, TABLE_ID))) problems.push(`${label}: not scoped to ${TABLE_ID}`);
      } else if (service === 'states' && FUNCTIONS[key].wakesOwnWorkflow) {
        // By name (a Ref would make the machine depend on its own task): exactly the provisioning machine, only SendTaskSuccess.
        const name = template.Resources[STATE_MACHINE_ID]?.Properties?.StateMachineName;
        const byName = resources.length === 1 && resources[0]['Fn::Sub'] === `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name}`;
        if (!name || !byName) problems.push(`${label}: not exactly the provisioning state machine by name (${JSON.stringify(resources)})`);
        if (actions.some((a) => a !== 'states:SendTaskSuccess')) problems.push(`${label}: more than states:SendTaskSuccess`);
      } else if (service === 'states') {
        const machines = [...(FUNCTIONS[key].startsWorkflow || FUNCTIONS[key].wakesWorkflow ? [STATE_MACHINE_ID] : []), ...(FUNCTIONS[key].startsDecommission ? ['DecommissionEnvironmentStateMachine'] : [])];
        if (!resources.length || !resources.every((r) => r !== '*' && machines.some((m) => refersTo(r, m)))) problems.push(`${label}: not scoped to the state machine(s) it starts (${machines.join(', ') || 'none'})`);
      } else if (service === 'iam') {
        // Only Switchyard's policies and the admin principal in this account; attachments only of those policies.
        const scoped = resources.every((r) => /^arn:\$\{AWS::Partition\}:iam::\$\{AWS::AccountId\}:(policy\/switchyard\/\*|group\/[\w+=,.@-]+|user\/[\w+=,.@-]+)$/.test(r['Fn::Sub'] ?? ''));
        if (!resources.length || !scoped) problems.push(`${label}: not scoped to Switchyard's policies and the admin principal`);
        const attaches = actions.some((a) => a.startsWith('iam:Attach'));
        if (attaches && !JSON.stringify(s.Condition ?? {}).includes('iam:PolicyARN')) problems.push(`${label}: attaches without pinning iam:PolicyARN`);
      } else if (service === 'sts') {
        const role = resources.length === 1 && /:role\/OrganizationAccountAccessRole$/.test(resources[0]['Fn::Sub'] ?? '');
        if (!role) problems.push(`${label}: not only the organization access role`);
        if (JSON.stringify(s.Condition?.StringEquals?.['aws:ResourceOrgID']) !== JSON.stringify({ 'Fn::Sub': '${!aws:PrincipalOrgID}' })) problems.push(`${label}: not limited to this organization`);
      } else if (service === 'ssm') {
        const param = resources.length === 1 && typeof resources[0] === 'object' ? resources[0]['Fn::Sub'] ?? '' : '';
        if (!/^arn:\$\{AWS::Partition\}:ssm:\$\{AWS::Region\}:\$\{AWS::AccountId\}:parameter\/[\w/.-]+$/.test(param)) problems.push(`${label}: not exactly one named parameter (${JSON.stringify(resources)})`);
      } else if (service === 'sns') {
        if (JSON.stringify(resources) !== JSON.stringify([{ Ref: 'NotificationTopic' }])) problems.push(`${label}: not the stack's notification topic`);
      } else if (service === 'events') {
        const bus = resources.length === 1 && typeof resources[0] === 'object' ? resources[0]['Fn::Sub'] ?? '' : '';
        if (!/:event-bus\/[\w.-]+$/.test(bus)) problems.push(`${label}: not one event bus (${JSON.stringify(resources)})`);
      } else if (service === 'sqs') {
        // The request entry points send only to the request dead-letter queue; the drift check uses its own queue.
        const queue = FUNCTIONS[key].dir === 'check-drift' ? 'DriftCheckQueue' : DLQ_ID;
        if (!resources.length || !resources.every((r) => refersTo(r, queue))) problems.push(`${label}: not the ${queue}`);
      } else if (service === 'ses') {
        const identities = resources.every((r) => typeof r === 'object' && /:ses:\$\{AWS::Region\}:\$\{AWS::AccountId\}:identity\//.test(r['Fn::Sub'] ?? ''));
        if (!identities) problems.push(`${label}: not this account's SES identities`);
        if (!s.Condition?.StringEquals?.['ses:FromAddress']) problems.push(`${label}: From address not pinned to an address`);
      } else {
        problems.push(`${label}: unexpected service`);
      }
    }
  }
  if (problems.length) fail(problems.join('; '));
  return 'ok';
});

/**
 * What ConfigureAccount does inside a new account, where the organization access role it assumes has
 * AdministratorAccess: read and set the account alias, and set the account colour (UXC's
 * UpdateAccountCustomizations, which the Service Authorization Reference maps to these three uxc
 * actions). The session policy it passes to AssumeRole must allow exactly these, and nothing else.
 */
const CONFIGURE_SESSION_ACTIONS = ['iam:ListAccountAliases', 'iam:CreateAccountAlias', 'uxc:UpdateAccountCustomizations', 'uxc:PutAccountColor', 'uxc:DeleteAccountColor'];
const CONFIGURE_SESSION_POLICY = path.join(ROOT, 'shared', 'adapters', 'aws', 'configure-account-session-policy.json');

check("iam: configureAccount's session in a new account allows exactly the alias and colour actions, and its bundle carries that policy", ({ outDir }) => {
  const policy = JSON.parse(fs.readFileSync(CONFIGURE_SESSION_POLICY, 'utf8'));
  const problems = [];
  if (policy.Version !== '2012-10-17') problems.push(`Version ${policy.Version}`);
  const statements = asArray(policy.Statement);
  for (const s of statements) {
    const label = `statement ${s.Sid ?? JSON.stringify(s.Action)}`;
    if (s.Effect !== 'Allow') problems.push(`${label}: Effect ${s.Effect}`);
    if (s.NotAction || s.NotResource) problems.push(`${label}: NotAction/NotResource`);
    if (asArray(s.Action).some((a) => typeof a !== 'string' || a.includes('*'))) problems.push(`${label}: wildcard action`);
    // Neither IAM's account-alias actions nor UXC's have a resource type: "*" is all IAM accepts.
    if (JSON.stringify(asArray(s.Resource)) !== '["*"]') problems.push(`${label}: Resource ${JSON.stringify(s.Resource)}`);
    if (s.Condition) problems.push(`${label}: a Condition this check does not expect`);
  }
  const allowed = statements.flatMap((s) => asArray(s.Action));
  const extra = allowed.filter((a) => !CONFIGURE_SESSION_ACTIONS.includes(a));
  const missing = CONFIGURE_SESSION_ACTIONS.filter((a) => !allowed.includes(a));
  if (extra.length) problems.push(`extra ${extra.join(', ')}`);
  if (missing.length) problems.push(`missing ${missing.join(', ')}`);
  // AWS limits an inline session policy to 2,048 characters.
  const packed = JSON.stringify(policy).length;
  if (packed > 2048) problems.push(`${packed} characters, over AssumeRole's 2,048`);
  // The function sends what this file says: esbuild inlines the JSON into the bundle.
  const code = readZipEntry(path.join(outDir, 'configureAccount.zip'), 'functions/configure-account/handler.js').toString('utf8');
  const absent = CONFIGURE_SESSION_ACTIONS.filter((a) => !code.includes(a));
  if (absent.length) problems.push(`the bundle does not carry ${absent.join(', ')}`);
  if (problems.length) fail(problems.join('; '));
  return `${allowed.length} actions, ${packed} characters`;
});

/** The rule whose target is requestFromEvent, and that target. */
function requestRule(template) {
  const fnId = functionLogicalId('requestFromEvent');
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Events::Rule') continue;
    const target = asArray(r.Properties.Targets).find((t) => refersTo(t.Arn, fnId));
    if (target) return { id, rule: r, target };
  }
  return fail('no rule targets requestFromEvent');
}

check('eventbridge: a rule on the default bus sends Environment Requested (source switchyard.requests) to requestFromEvent, retrying, with the queue as its DeadLetterConfig', ({ template }) => {
  const { id, rule, target } = requestRule(template);
  const p = rule.Properties;
  const problems = [];
  if (JSON.stringify(p.EventPattern) !== JSON.stringify({ source: ['switchyard.requests'], 'detail-type': ['Environment Requested'] })) problems.push(`pattern ${JSON.stringify(p.EventPattern)}`);
  // No EventBusName means the default bus, which is serverless.yml's default eventBusName.
  if (p.EventBusName !== undefined) problems.push(`on bus ${JSON.stringify(p.EventBusName)}`);
  if (p.State !== 'ENABLED') problems.push(`state ${p.State}`);
  if (JSON.stringify(target.DeadLetterConfig?.Arn) !== JSON.stringify({ 'Fn::GetAtt': [DLQ_ID, 'Arn'] })) problems.push(`target DeadLetterConfig ${JSON.stringify(target.DeadLetterConfig)}`);
  if (JSON.stringify(target.RetryPolicy) !== JSON.stringify({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 4 })) problems.push(`target RetryPolicy ${JSON.stringify(target.RetryPolicy)}`);
  const permission = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'events.amazonaws.com' && refersTo(r.Properties.FunctionName, functionLogicalId('requestFromEvent')),
  );
  if (!permission) problems.push('EventBridge may not invoke requestFromEvent');
  else if (arnText(permission.Properties.SourceArn) !== REQUEST_RULE_ARN) problems.push(`invoke permission is for ${arnText(permission.Properties.SourceArn)}, not ${REQUEST_RULE_ARN}`);
  if (problems.length) fail(problems.join('; '));
  return `${id} (${p.Name}), retries 4 within 3600 s, DLQ ${DLQ_ID}`;
});

check('lambda: requestFromEvent retries a failed invocation twice, then sends it to the same queue', ({ template }) => {
  const fnId = functionLogicalId('requestFromEvent');
  const problems = [];
  const configs = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig' && refersTo(r.Properties.FunctionName, fnId));
  if (configs.length !== 1) fail(`${configs.length} EventInvokeConfig(s) for requestFromEvent`);
  const [configId, config] = configs[0];
  const onFailure = config.Properties.DestinationConfig?.OnFailure?.Destination;
  const dlq = template.Resources[fnId].Properties.DeadLetterConfig?.TargetArn;
  // Either wiring delivers to the queue; whichever is used must name it, and the other must not point elsewhere.
  const destinations = [onFailure, dlq].filter((d) => d !== undefined);
  if (!destinations.length) problems.push('neither an onFailure destination nor a DeadLetterConfig');
  for (const d of destinations) if (JSON.stringify(d) !== JSON.stringify({ 'Fn::GetAtt': [DLQ_ID, 'Arn'] })) problems.push(`failures go to ${JSON.stringify(d)}`);
  if (config.Properties.MaximumRetryAttempts !== 2) problems.push(`MaximumRetryAttempts ${config.Properties.MaximumRetryAttempts}`);
  if (config.Properties.Qualifier !== '$LATEST') problems.push(`qualifier ${config.Properties.Qualifier}`);
  if (problems.length) fail(problems.join('; '));
  return `${configId}: ${onFailure ? 'OnFailure destination' : 'DeadLetterConfig'} -> ${DLQ_ID}, 2 retries`;
});

check('dlq: the queue is encrypted, keeps messages 14 days, and lets EventBridge send only for the request rule', ({ template }) => {
  const queue = template.Resources[DLQ_ID];
  if (!queue || queue.Type !== 'AWS::SQS::Queue') fail(`no ${DLQ_ID}`);
  const problems = [];
  // SSE-SQS: EventBridge cannot write to a queue encrypted with the aws/sqs KMS key.
  if (queue.Properties.SqsManagedSseEnabled !== true || queue.Properties.KmsMasterKeyId) problems.push('not SSE-SQS encrypted');
  if (queue.Properties.MessageRetentionPeriod !== 14 * 24 * 3600) problems.push(`retention ${queue.Properties.MessageRetentionPeriod} s`);
  const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy' && refersTo(r.Properties.Queues, DLQ_ID));
  if (policies.length !== 1) problems.push(`${policies.length} queue policies`);
  for (const st of policies.flatMap((pol) => asArray(pol.Properties.PolicyDocument.Statement))) {
    const label = `statement ${JSON.stringify(st.Principal)}`;
    if (st.Effect !== 'Allow') continue;
    if (JSON.stringify(st.Principal) !== '{"Service":"events.amazonaws.com"}') problems.push(`${label}: only EventBridge may be allowed`);
    if (JSON.stringify(asArray(st.Action)) !== '["sqs:SendMessage"]') problems.push(`${label}: actions ${JSON.stringify(st.Action)}`);
    if (!refersTo(st.Resource, DLQ_ID)) problems.push(`${label}: resource ${JSON.stringify(st.Resource)}`);
    const conditions = Object.entries(st.Condition ?? {});
    const sourceArn = conditions.length === 1 && ['ArnEquals', 'StringEquals'].includes(conditions[0][0]) ? conditions[0][1]['aws:SourceArn'] : undefined;
    if (arnText(sourceArn) !== REQUEST_RULE_ARN) problems.push(`${label}: condition ${JSON.stringify(st.Condition)} is not exactly the request rule`);
  }
  if (problems.length) fail(problems.join('; '));
  return `SSE-SQS, 14 days, aws:SourceArn = ${REQUEST_RULE_ARN}`;
});

check('ssm: each GetParameter statement names exactly one parameter ARN, the one its function is configured with', ({ template }) => {
  const problems = [];
  let statements = 0;
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    const fn = template.Resources[functionLogicalId(key)];
    const roleId = fn && roleIdOf(fn);
    if (!roleId || !template.Resources[roleId]) continue;
    const vars = fn.Properties.Environment?.Variables ?? {};
    for (const s of roleStatements(template, roleId)) {
      const actions = asArray(s.Action);
      if (actions.some((a) => a.startsWith('kms:'))) problems.push(`${key}: kms actions ${actions.join(', ')} (aws/ssm needs none)`);
      if (!actions.some((a) => a.startsWith('ssm:'))) continue;
      statements++;
      if (!spec.secretParam) {
        problems.push(`${key}: reads SSM but has no secret parameter`);
        continue;
      }
      if (JSON.stringify(actions) !== '["ssm:GetParameter"]') problems.push(`${key}: ssm actions ${actions.join(', ')}`);
      const resources = asArray(s.Resource);
      const wants = paramVars(spec)
        .filter((v) => vars[v])
        .map((v) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${vars[v]}`);
      if (resources.length !== 1 || !wants.includes(arnText(resources[0]))) problems.push(`${key}: ${JSON.stringify(resources)}, want exactly one of ${wants.join(', ')}`);
    }
  }
  if (problems.length) fail(problems.join('; '));
  return `${statements} statement(s)`;
});

check('iam: optional channels and the admin principal have statements exactly while configured, on exactly what is configured; no ARN without a name', ({ template, on }) => {
  const problems = [];
  // Anywhere in the template: an SSM ARN ending in ":parameter", a group or user ARN ending in "/", an empty From address.
  for (const { where, statement } of allStatements(template)) {
    for (const resource of asArray(statement.Resource)) {
      const arn = arnText(resource);
      if (/:parameter$/.test(arn)) problems.push(`${where}: ${arn} names no parameter`);
      if (/:(group|user)\/$/.test(arn)) problems.push(`${where}: ${arn} names no principal`);
    }
    const from = statement.Condition?.StringEquals?.['ses:FromAddress'];
    if (from !== undefined && !from) problems.push(`${where}: ses:FromAddress is empty`);
  }
  const p = on.params;
  const ssmArn = (name) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`;
  const wantParameters = [...(on.notifyWebhook ? [ssmArn(p.notifyWebhookSecretParam)] : []), ...(on.slackWebhook ? [ssmArn(p.slackWebhookUrlParam)] : [])].sort();
  const wantFrom = on.email ? [p.senderEmail] : [];
  const statementsOf = (key) => {
    const roleId = roleIdOf(template.Resources[functionLogicalId(key)] ?? { Properties: {} });
    return roleId && template.Resources[roleId] ? roleStatements(template, roleId) : fail(`${key}: no role`);
  };
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    if (!spec.notifies) continue;
    const statements = statementsOf(key);
    const parameters = statements
      .filter((s) => asArray(s.Action).includes('ssm:GetParameter'))
      .flatMap((s) => asArray(s.Resource).map(arnText))
      .sort();
    if (JSON.stringify(parameters) !== JSON.stringify(wantParameters)) problems.push(`${key}: reads ${JSON.stringify(parameters)}, want ${JSON.stringify(wantParameters)}`);
    const froms = statements.filter((s) => asArray(s.Action).includes('ses:SendEmail')).map((s) => s.Condition?.StringEquals?.['ses:FromAddress']);
    if (JSON.stringify(froms) !== JSON.stringify(wantFrom)) problems.push(`${key}: sends email from ${JSON.stringify(froms)}, want ${JSON.stringify(wantFrom)}`);
  }
  const wantPrincipals = [
    ...(p.adminGroup ? [`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:group/${p.adminGroup}`] : []),
    ...(p.adminUser ? [`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:user/${p.adminUser}`] : []),
  ];
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    if (!spec.attaches) continue;
    const principals = statementsOf(key)
      .filter((s) => asArray(s.Action).some((a) => ATTACH_ACTIONS.includes(a)))
      .flatMap((s) => asArray(s.Resource).map(arnText));
    if (JSON.stringify(principals) !== JSON.stringify(wantPrincipals)) problems.push(`${key}: attaches to ${JSON.stringify(principals)}, want ${JSON.stringify(wantPrincipals)}`);
  }
  if (problems.length) fail(problems.join('; '));
  const state = (flag) => (flag ? 'on' : 'off');
  return `email ${state(on.email)}, slack webhook ${state(on.slackWebhook)}, notify webhook ${state(on.notifyWebhook)}, admin principal ${state(on.adminPrincipal)}`;
});

check('secrets: env vars named *SECRET* hold parameter names (start with "/"); no secret resource in the template', ({ template }) => {
  const problems = [];
  const keyById = new Map(Object.keys(FUNCTIONS).map((k) => [functionLogicalId(k), k]));
  // Every function in the template, including any a plugin adds, not only the expected ones.
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const key = keyById.get(id) ?? id;
    const vars = r.Properties.Environment?.Variables ?? {};
    for (const [name, value] of Object.entries(vars)) {
      if (!/SECRET/i.test(name)) continue;
      if (typeof value !== 'string' || !value.startsWith('/')) problems.push(`${key}: ${name} is not a parameter name`);
      else if (!paramVars(FUNCTIONS[key] ?? {}).includes(name)) problems.push(`${key}: ${name} should not be here (only the function that reads it gets the name)`);
      else if (value !== SECRET_PARAM_NAMES[name]) problems.push(`${key}: ${name} is ${value}, want ${SECRET_PARAM_NAMES[name]}`);
    }
  }
  for (const [key, spec] of Object.entries(FUNCTIONS)) {
    const vars = template.Resources[functionLogicalId(key)]?.Properties.Environment?.Variables ?? {};
    for (const v of paramVars(spec)) if (vars[v] === undefined) problems.push(`${key}: no ${v}`);
  }
  const names = new Set(Object.values(SECRET_PARAM_NAMES));
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::SSM::Parameter' && (r.Properties?.Type === 'SecureString' || names.has(r.Properties?.Name))) problems.push(`${id}: a secret parameter defined in the template`);
    if (r.Type === 'AWS::SecretsManager::Secret') problems.push(`${id}: a secret defined in the template`);
  }
  if (problems.length) fail(problems.join('; '));
  return 'slack and webhook secrets read from SSM at run time';
});

check('outputs: API URL, state machine ARN, registry table name, dead-letter queue URL', ({ template }) => {
  const outputs = Object.values(template.Outputs ?? {});
  const problems = [];
  if (!outputs.some((o) => refersTo(o.Value, 'HttpApi') && JSON.stringify(o.Value).includes('execute-api'))) problems.push('no API URL');
  if (!outputs.some((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: STATE_MACHINE_ID }))) problems.push('no state machine ARN');
  if (!outputs.some((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: TABLE_ID }))) problems.push('no table name');
  // Ref of a queue is its URL, what `aws sqs receive-message` takes.
  if (!outputs.some((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: DLQ_ID }))) problems.push('no dead-letter queue URL');
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
    const entry = `functions/${FUNCTIONS[key].dir}/${FUNCTIONS[key].entry ?? 'handler'}.js`;
    if (!entries.some((e) => e.name === entry)) problems.push(`${key}.zip has no ${entry}`);
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
  let passed = 0;
  let failed = 0;
  const report = (ok, name, detail) => {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? ` - ${detail}` : ''}`);
  };
  const outDirs = [];

  for (const [index, packaging] of RUNS.entries()) {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-package-'));
    outDirs.push(outDir);
    const prefix = packaging.label ? `[${packaging.label}] ` : '';
    const params = Object.entries(packaging.params).map(([k, v]) => `${k}=${v}`).join(' ');
    const { result, seconds } = runPackage(outDir, packaging.params);
    const templatePath = path.join(outDir, 'cloudformation-template-update-stack.json');
    const packaged = result.status === 0 && fs.existsSync(templatePath);
    const warnings = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n').filter((l) => /warn/i.test(l));
    report(packaged, `${prefix}package: osls package succeeds offline${params ? ` (${params})` : ''}`, `${seconds.toFixed(1)} s${warnings.length ? `, ${warnings.length} warning line(s)` : ''}`);
    if (!packaged) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
      console.log(output.trim().split('\n').slice(-30).map((l) => `      ${l}`).join('\n'));
    }
    if (index === 0) for (const line of warnings) console.log(`      ${line.trim()}`);

    let template;
    let unresolved = packaged ? undefined : 'no template';
    if (packaged) {
      try {
        template = resolveConditions(JSON.parse(fs.readFileSync(templatePath, 'utf8')));
      } catch (error) {
        unresolved = error.message;
      }
    }
    const on = switchesOf(packaging.params);
    for (const { name, run } of checks) {
      if (index > 0 && !EVERY_RUN.some((pattern) => pattern.test(name))) continue;
      if (!template) {
        report(false, `${prefix}${name}`, `not run: ${unresolved}`);
        continue;
      }
      try {
        report(true, `${prefix}${name}`, run({ template, outDir, on }));
      } catch (error) {
        report(false, `${prefix}${name}`, error.message);
      }
    }
  }

  if (keep || failed) console.log(`package directories: ${outDirs.join(', ')}`);
  else for (const dir of outDirs) fs.rmSync(dir, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main();
