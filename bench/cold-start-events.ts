// What each function's first invocation is, for the cold-start benchmark (bench/bundles.ts): the
// deployed environment variables, the event, and the order discovery runs the functions in.
//
// Discovery runs the functions once each, in the order a deployment meets them (a drift check builds
// the organization index, an environment is requested, provisioned step by step and read back, a
// second one is requested from an event and fails, a third arrives by webhook with a lease that is
// then extended, two requests in a protected OU are approved (one from Slack, one over HTTP), and
// the first environment is closed step by step while the closing of the third fails), against the
// AWS model in cold-start-world.ts. So every record a function reads was written by the product
// itself, and each handler takes its normal, successful path: a found environment, a verified
// signature, a 2xx reply. Seed steps run a function only to bring the world to where the next
// timed step meets it (a rejection to list, an environment provisioned to READY); they are not timed.

import { randomBytes } from 'node:crypto';
import { environmentId } from '../shared/domain/naming';
import { httpEvent } from '../tests/fixtures/http-event';
import type { Signing } from './cold-start-child';
import { ORG, type WorldState } from './cold-start-world';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '111122223333';
const STACK = 'switchyard-dev';

/**
 * Settings a real deployment gives that the template leaves empty by default. Without them the notify
 * steps would have no email channel and GrantAccess nobody to grant: they would return at once and the
 * benchmark would time a shortcut (serverless.yml's deploy line passes adminEmail and senderEmail).
 */
export const BENCH_PARAMETERS: Record<string, string> = {
  ADMIN_EMAIL: 'admin@example.com',
  SENDER_EMAIL: 'switchyard@example.com',
  ADMIN_GROUP: 'Admins',
  // A deployment whose approval functions run at all protects some OU and names its approvers.
  APPROVAL_OUS: 'Workloads/Production',
  APPROVERS: 'U0BENCH02,arn:aws:iam::111122223333:role/Approvers',
};

/** Who calls the IAM-authorised routes, as API Gateway's IAM authorizer reports them. */
const REQUESTER = 'arn:aws:sts::111122223333:assumed-role/Developers/ana';
const APPROVER = 'arn:aws:sts::111122223333:assumed-role/Approvers/lee';
/** The approver's Slack user id (one of APPROVERS). */
const SLACK_APPROVER = 'U0BENCH02';

/** A Step Functions task token as WaitForAccount hands it to AwaitAccount: opaque, base64, several hundred characters. */
const TASK_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAA${randomBytes(480).toString('base64')}`;

/** The signing secrets, as SSM would hold them (answered by the AWS model). */
export const SECRETS = {
  slack: randomBytes(16).toString('hex'),
  webhook: `whsec_${randomBytes(24).toString('base64')}`,
};

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** A CloudFormation value as a deployment would resolve it (Ref, Fn::Sub, Fn::GetAtt, Fn::Join), for one stack in us-east-1. */
export function resolveValue(template: Template, value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const v = value as Record<string, unknown>;
  if (typeof v?.Ref === 'string') return resolveRef(template, v.Ref);
  if (v?.['Fn::Sub'] !== undefined) {
    const [text, vars] = Array.isArray(v['Fn::Sub']) ? (v['Fn::Sub'] as [string, Record<string, unknown>]) : [v['Fn::Sub'] as string, {}];
    return text.replace(/\$\{([^}]+)\}/g, (_m, ref: string) => (ref in vars ? resolveValue(template, vars[ref], name) : ref.includes('.') ? fakeAttribute(ref) : resolveRef(template, ref)));
  }
  if (Array.isArray(v?.['Fn::GetAtt'])) return fakeAttribute((v['Fn::GetAtt'] as string[]).join('.'));
  if (Array.isArray(v?.['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveValue(template, p, name)).join(sep);
  }
  throw new Error(`cannot resolve the environment variable ${name}: ${JSON.stringify(value)}`);
}

function fakeAttribute(ref: string): string {
  return `arn:aws:bench:${REGION}:${ACCOUNT_ID}:${ref}`;
}

function resolveRef(template: Template, ref: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT_ID,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': STACK,
    'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/${STACK}/6f1e0a70-5c4b-11f0-9d2a-0a1b2c3d4e5f`,
  };
  if (pseudo[ref]) return pseudo[ref]!;
  const resource = template.Resources[ref];
  const props = resource?.Properties ?? {};
  const named = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : `${STACK}-${ref}`);
  switch (resource?.Type) {
    case 'AWS::DynamoDB::Table':
      return named('TableName');
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT_ID}:${named('TopicName')}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${named('QueueName')}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${named('StateMachineName')}`;
    case 'AWS::ApiGatewayV2::Api':
      return 'abc123';
    default:
      return ref === 'HttpApi' ? 'abc123' : `${STACK}-${ref}`;
  }
}

/** The Lambda function's environment as deployed (the template's variables, resolved), plus what the Lambda runtime sets. */
export function lambdaEnvironment(template: Template, functionKey: string, handler: string, timeoutSeconds: number, memoryMb = 256): Record<string, string> {
  const logicalId = `${functionKey[0]!.toUpperCase()}${functionKey.slice(1)}LambdaFunction`;
  const variables = (template.Resources[logicalId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const resolved = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, resolveValue(template, v, k)]));
  for (const [k, v] of Object.entries(BENCH_PARAMETERS)) if (k in resolved && !resolved[k]) resolved[k] = v;
  const name = `${STACK}-${functionKey}`;
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(timeoutSeconds),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    _HANDLER: handler,
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    // Credentials as Lambda passes them; nothing signs with them here (send() is mocked).
    AWS_ACCESS_KEY_ID: 'ASIABENCHEXAMPLE0000',
    AWS_SECRET_ACCESS_KEY: 'bench/secret/access/key/example0000000000',
    AWS_SESSION_TOKEN: 'bench-session-token',
    NODE_ENV: 'production',
    ...resolved,
  };
}

/** The SSM parameters the model answers GetParameter with: the signing secrets under the names the template gives. */
export function ssmParameters(environments: Array<Record<string, string>>): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const env of environments) {
    if (env.SLACK_SIGNING_SECRET_PARAM) parameters[env.SLACK_SIGNING_SECRET_PARAM] = SECRETS.slack;
    if (env.WEBHOOK_SECRET_PARAM) parameters[env.WEBHOOK_SECRET_PARAM] = SECRETS.webhook;
  }
  return parameters;
}

// ---------------------------------------------------------------------------------------------
// Events

export interface Invocation {
  function: string;
  /** A short description for the report. */
  what: string;
  event: unknown;
  /** The event taken from the AWS model as the step before left it (what an earlier step published on the bus), instead of `event`. */
  eventFrom?: (world: WorldState) => unknown;
  sign?: Signing;
  /** Seed steps leave records for later steps and are not timed. */
  seed?: boolean;
}

const STAGING = { name: 'staging', ou: 'Workloads/Staging', color: 'green', tags: { team: 'platform', costCenter: 'cc-1042' }, requestedBy: 'ana@example.com' };
const PLAYGROUND = { name: 'playground-ana', ou: 'Sandbox', tags: { team: 'research' } };
/** A CI preview environment: leased, as such environments are. */
const WEBHOOK_REQUEST = { name: 'ci-preview-42', ou: 'Workloads', tags: { pipeline: 'preview' }, ttl: 'P7D' };
/** Two requests in the protected OU (APPROVAL_OUS). */
const BILLING = { name: 'billing-prod', ou: 'Workloads/Production', color: 'red', tags: { team: 'billing' }, requestedBy: 'ana@example.com' };
const PAYMENTS = { name: 'payments-prod', ou: 'Workloads/Production', color: 'red', tags: { team: 'payments' }, requestedBy: 'ana@example.com' };
const STAGING_ID = environmentId(STAGING.name);
const PLAYGROUND_ID = environmentId(PLAYGROUND.name);
const WEBHOOK_ID = environmentId(WEBHOOK_REQUEST.name);
const BILLING_ID = environmentId(BILLING.name);
const PAYMENTS_ID = environmentId(PAYMENTS.name);

type ApiOptions = { pathParameters?: Record<string, string>; query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; principal?: string };

/** An HTTP API request; on the IAM-authorised routes with the caller API Gateway's IAM authorizer verified. */
function apiRequest(method: string, path: string, routePath: string, opts: ApiOptions = {}) {
  const event = httpEvent(path, `${method} ${routePath}`, {
    method,
    ...(opts.pathParameters ? { pathParameters: opts.pathParameters } : {}),
    ...(opts.query ? { query: opts.query } : {}),
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    timeEpoch: Date.now(),
  });
  const principal = opts.principal ?? REQUESTER;
  const session = principal.split('/').pop()!;
  const authorizer = { iam: { accessKey: 'ASIABENCHCALLER00000', accountId: ACCOUNT_ID, callerId: `AROABENCHCALLER0000:${session}`, cognitoIdentity: null, principalOrgId: 'o-sw01example', userArn: principal, userId: `AROABENCHCALLER0000:${session}` } };
  return { ...event, headers: { ...event.headers, ...opts.headers }, requestContext: { ...event.requestContext, authorizer } };
}

/** A signed route (Slack, a webhook) carries no IAM caller. */
function signedRequest(path: string, body: string, contentType: string, userAgent: string) {
  const event = httpEvent(path, `POST ${path}`, { method: 'POST', body, timeEpoch: Date.now() });
  return { ...event, headers: { ...event.headers, 'content-type': contentType, 'user-agent': userAgent } };
}

function eventBridgeEvent(source: string, detailType: string, detail: unknown, id: string) {
  return { version: '0', id, 'detail-type': detailType, source, account: ACCOUNT_ID, time: new Date().toISOString(), region: REGION, resources: [], detail };
}

function slackCommand(text: string) {
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0BENCH01',
    team_domain: 'example',
    channel_id: 'C0BENCH01',
    channel_name: 'platform',
    user_id: 'U0BENCH01',
    user_name: 'ana',
    command: '/env',
    text,
    api_app_id: 'A0BENCH01',
    response_url: 'https://hooks.slack.com/commands/T0BENCH01/1234567890/abcdefABCDEF0123456789',
    trigger_id: '1234567890.1234567890.abcdef0123456789',
  }).toString();
  return signedRequest('/slack/commands', body, 'application/x-www-form-urlencoded', 'Slackbot 1.0 (+https://api.slack.com/robots)');
}

/** A button click on a Switchyard message, as Slack posts it to the interactivity URL (block_actions, trimmed of the message's blocks). */
function slackClick(actionId: string, environment: string, userId: string) {
  const payload = {
    type: 'block_actions',
    user: { id: userId, username: 'lee', name: 'lee', team_id: 'T0BENCH01' },
    api_app_id: 'A0BENCH01',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: '1764322200.000100', channel_id: 'C0BENCH01', is_ephemeral: false },
    trigger_id: '2345678901.1234567890.bcdef01234567890',
    team: { id: 'T0BENCH01', domain: 'example' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: 'C0BENCH01', name: 'platform' },
    message: { type: 'message', subtype: 'bot_message', text: `Approval requested: ${environment}`, ts: '1764322200.000100', bot_id: 'B0BENCH01' },
    state: { values: {} },
    response_url: 'https://hooks.slack.com/actions/T0BENCH01/2345678901/BcDeFgHiJkLmNoPqRsTuVwXy',
    actions: [{ action_id: actionId, block_id: 'approval', text: { type: 'plain_text', text: 'Approve', emoji: true }, value: environment, style: 'primary', type: 'button', action_ts: '1764322260.123456' }],
  };
  return signedRequest('/slack/interactions', new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', 'Slackbot 1.0 (+https://api.slack.com/robots)');
}

/** The newest event of this detail-type about this environment that a step put on the bus, as EventBridge delivers it to a rule's target. */
function published(detailType: string, id: string, eventId: string) {
  return (world: WorldState) => {
    const event = world.events.findLast((e) => e.detailType === detailType && e.detail.id === id);
    if (!event) throw new Error(`no ${detailType} event about ${id} was published before this step`);
    return eventBridgeEvent(event.source, event.detailType, event.detail, eventId);
  };
}

/** The steps that take an environment from its request to READY, as the provisioning workflow runs them (seeds). */
function provisionedToReady(id: string): Invocation[] {
  return [
    { function: 'createAccount', seed: true, what: 'task input { id }', event: { id } },
    { function: 'checkAccountStatus', seed: true, what: 'task input { id, polls }', event: { id, polls: 0 } },
    { function: 'placeAccount', seed: true, what: 'task input { id }', event: { id } },
    { function: 'grantAccess', seed: true, what: 'task input { id }', event: { id } },
    { function: 'configureAccount', seed: true, what: 'task input { id }', event: { id } },
    { function: 'notifyAdmin', seed: true, what: 'task input { id }', event: { id } },
    { function: 'recordReady', seed: true, what: 'task input: the execution state', event: { id, input: { id, create: { state: 'SUCCEEDED' } } } },
  ];
}

/** How a Lambda task's error reaches the Catch's ResultPath: its name, and a Cause holding Lambda's JSON error. */
function caughtError(errorType: string, errorMessage: string) {
  return { Error: errorType, Cause: JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at Runtime.handler (/var/task/functions/decommission-environment/prepare-close.js:1:30512)'] }) };
}

/** Every invocation discovery makes, in order. Functions not listed here get defaultInvocation. */
export function discoveryPlan(): Invocation[] {
  return [
    { function: 'checkDriftOnSchedule', what: 'scheduled drift check (builds the organization index)', event: eventBridgeEvent('aws.events', 'Scheduled Event', {}, 'e7c5f1a2-0001-4bd1-9c2e-bench0000001') },
    // Every few minutes, and almost always with nothing due: a new deployment's first run.
    { function: 'checkLifecycle', what: 'scheduled lifecycle check (nothing due yet)', event: eventBridgeEvent('aws.events', 'Scheduled Event', {}, 'e7c5f1a2-0007-4bd1-9c2e-bench0000007') },
    {
      function: 'createEnvironment',
      what: 'POST /environments with an Idempotency-Key',
      event: apiRequest('POST', '/environments', '/environments', { body: STAGING, headers: { 'idempotency-key': 'bench-7f3a9c1e-create-staging' } }),
    },
    { function: 'createAccount', what: 'task input { id }', event: { id: STAGING_ID } },
    { function: 'awaitAccount', what: 'task input { id, token } (WaitForAccount, the creation still in progress)', event: { id: STAGING_ID, token: TASK_TOKEN } },
    { function: 'checkAccountStatus', what: 'task input { id, polls } (the creation has succeeded)', event: { id: STAGING_ID, polls: 0 } },
    { function: 'placeAccount', what: 'task input { id }', event: { id: STAGING_ID } },
    {
      function: 'indexOrganization',
      what: 'CloudTrail MoveAccount event (EventBridge)',
      event: eventBridgeEvent(
        'aws.organizations',
        'AWS API Call via CloudTrail',
        {
          eventVersion: '1.09',
          eventSource: 'organizations.amazonaws.com',
          eventName: 'MoveAccount',
          awsRegion: REGION,
          requestParameters: { accountId: ORG.firstNewAccount, sourceParentId: ORG.rootId, destinationParentId: ORG.staging },
          responseElements: null,
          eventType: 'AwsApiCall',
        },
        'a9b8c7d6-0005-4bd1-9c2e-bench0000005',
      ),
    },
    { function: 'grantAccess', what: 'task input { id } (ADMIN_GROUP set)', event: { id: STAGING_ID } },
    { function: 'configureAccount', what: 'task input { id }', event: { id: STAGING_ID } },
    { function: 'notifyAdmin', what: 'task input { id } (email and SNS channels)', event: { id: STAGING_ID } },
    { function: 'recordReady', what: 'task input: the execution state', event: { id: STAGING_ID, input: { id: STAGING_ID, create: { state: 'SUCCEEDED' } } } },
    { function: 'getEnvironment', what: 'GET /environments/{id} (READY)', event: apiRequest('GET', `/environments/${STAGING_ID}`, '/environments/{id}', { pathParameters: { id: STAGING_ID } }) },
    {
      function: 'getSwitchRole',
      what: 'GET /environments/{id}/switch-role',
      event: apiRequest('GET', `/environments/${STAGING_ID}/switch-role`, '/environments/{id}/switch-role', { pathParameters: { id: STAGING_ID } }),
    },
    { function: 'listEnvironments', what: 'GET /environments', event: apiRequest('GET', '/environments', '/environments') },
    { function: 'listSwitchRoles', what: 'GET /switch-roles', event: apiRequest('GET', '/switch-roles', '/switch-roles') },
    { function: 'checkDrift', what: 'POST /drift-checks', event: apiRequest('POST', '/drift-checks', '/drift-checks') },
    { function: 'getDrift', what: 'GET /drift', event: apiRequest('GET', '/drift', '/drift') },
    {
      function: 'requestFromEvent',
      seed: true,
      what: 'an invalid request event (leaves a rejection to list)',
      event: eventBridgeEvent('switchyard.requests', 'Environment Requested', { name: '', ou: 'Nowhere' }, 'b1d2c3e4-0002-4bd1-9c2e-bench0000002'),
    },
    { function: 'listRejections', what: 'GET /rejections', event: apiRequest('GET', '/rejections', '/rejections') },
    {
      function: 'requestFromEvent',
      what: 'Environment Requested event from other automation',
      event: eventBridgeEvent('switchyard.requests', 'Environment Requested', PLAYGROUND, 'b1d2c3e4-0003-4bd1-9c2e-bench0000003'),
    },
    {
      function: 'provisionWebhook',
      what: 'POST /webhooks/provision, signed (Standard Webhooks)',
      event: signedRequest('/webhooks/provision', JSON.stringify(WEBHOOK_REQUEST), 'application/json', 'Svix-Webhooks/1.24.0'),
      sign: { kind: 'standard-webhooks', secret: SECRETS.webhook, id: 'msg_2bench0000000000000000001' },
    },
    { function: 'slackCommand', what: 'POST /slack/commands `/env create`, signed', event: slackCommand('create demo-ana ou=Sandbox'), sign: { kind: 'slack', secret: SECRETS.slack } },
    {
      function: 'recordFailure',
      what: 'task input: the execution state after a failed creation',
      event: { id: PLAYGROUND_ID, input: { id: PLAYGROUND_ID, create: { state: 'FAILED', failureReason: 'ACCOUNT_LIMIT_EXCEEDED' } } },
    },
    { function: 'notifyFailure', what: 'task input { id } (email and SNS channels)', event: { id: PLAYGROUND_ID } },
    {
      function: 'checkDriftFromQueue',
      what: 'SQS batch: an Organizations change event',
      event: {
        Records: [
          {
            messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
            receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
            body: JSON.stringify(
              eventBridgeEvent('aws.organizations', 'AWS API Call via CloudTrail', { eventSource: 'organizations.amazonaws.com', eventName: 'TagResource', requestParameters: { resourceId: ACCOUNT_ID } }, 'f0e1d2c3-0004-4bd1-9c2e-bench0000004'),
            ),
            attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'AIDAIENQZJOLO23YVJ4VO', ApproximateFirstReceiveTimestamp: String(Date.now()) },
            messageAttributes: {},
            md5OfBody: '0'.repeat(32),
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${STACK}-drift`,
            awsRegion: REGION,
          },
        ],
      },
    },
    // The webhook's preview environment is provisioned, and its lease extended.
    ...provisionedToReady(WEBHOOK_ID),
    {
      function: 'extendEnvironment',
      what: 'POST /environments/{id}/extend { ttl } (a leased READY environment)',
      event: apiRequest('POST', `/environments/${WEBHOOK_ID}/extend`, '/environments/{id}/extend', { pathParameters: { id: WEBHOOK_ID }, body: { ttl: 'P7D' } }),
    },
    // Requests in the protected OU wait for an approver: one asked on every channel and approved from Slack, one approved over HTTP.
    {
      function: 'createEnvironment',
      seed: true,
      what: 'POST /environments in a protected OU (waits for approval)',
      event: apiRequest('POST', '/environments', '/environments', { body: BILLING, headers: { 'idempotency-key': 'bench-7f3a9c1e-create-billing' } }),
    },
    {
      function: 'notifyApprovers',
      what: 'Environment Approval Requested event (email and SNS channels)',
      event: null,
      eventFrom: published('Environment Approval Requested', BILLING_ID, 'c2d3e4f5-0008-4bd1-9c2e-bench0000008'),
    },
    { function: 'slackInteractions', what: 'POST /slack/interactions: an approver clicks Approve, signed', event: slackClick('approve', BILLING_ID, SLACK_APPROVER), sign: { kind: 'slack', secret: SECRETS.slack } },
    {
      function: 'createEnvironment',
      seed: true,
      what: 'POST /environments in a protected OU (waits for approval)',
      event: apiRequest('POST', '/environments', '/environments', { body: PAYMENTS, headers: { 'idempotency-key': 'bench-7f3a9c1e-create-payments' } }),
    },
    {
      function: 'decideEnvironment',
      what: 'POST /environments/{id}/approve by an approver (IAM)',
      event: apiRequest('POST', `/environments/${PAYMENTS_ID}/approve`, '/environments/{id}/approve', { pathParameters: { id: PAYMENTS_ID }, body: { comment: 'Budget approved by finance.' }, principal: APPROVER }),
    },
    // The staging environment is closed, step by step as DecommissionEnvironment runs them.
    { function: 'closeEnvironment', what: 'DELETE /environments/{id} (READY)', event: apiRequest('DELETE', `/environments/${STAGING_ID}`, '/environments/{id}', { pathParameters: { id: STAGING_ID } }) },
    { function: 'decommissionEnvironmentBegin', what: 'task input { id } (BeginClose)', event: { id: STAGING_ID } },
    { function: 'decommissionEnvironmentPrepare', what: 'task input { id } (PrepareClose)', event: { id: STAGING_ID } },
    { function: 'decommissionEnvironmentAccount', what: 'task input { id } (CloseAccount)', event: { id: STAGING_ID } },
    { function: 'decommissionEnvironmentCheck', what: 'task input { id, polls } (CheckClosure: SUSPENDED)', event: { id: STAGING_ID, polls: 0 } },
    { function: 'decommissionEnvironmentRecord', what: 'task input { id } (RecordClosed; email and SNS channels)', event: { id: STAGING_ID } },
    // The preview environment's closing fails: Organizations throttled PrepareClose's move through every retry.
    { function: 'closeEnvironment', seed: true, what: 'DELETE /environments/{id} (READY)', event: apiRequest('DELETE', `/environments/${WEBHOOK_ID}`, '/environments/{id}', { pathParameters: { id: WEBHOOK_ID } }) },
    { function: 'decommissionEnvironmentBegin', seed: true, what: 'task input { id } (BeginClose)', event: { id: WEBHOOK_ID } },
    {
      function: 'decommissionEnvironmentFailure',
      what: 'task input { id, error } (RecordCloseFailure after PrepareClose ran out of retries)',
      event: { id: WEBHOOK_ID, error: caughtError('RetryableAwsError', 'Organizations MoveAccount did not complete: TooManyRequestsException (AWS Organizations cannot complete the request because of too many requests). Retry later.') },
    },
  ];
}

/**
 * A function this plan does not know yet: its HTTP route with the staging environment's id, an event
 * its EventBridge rule matches, else a task input `{ id }`.
 */
export function defaultInvocation(functionKey: string, route: { method: string; path: string } | undefined, rule?: { source: string; detailType: string }): Invocation {
  if (route) {
    const path = route.path.replace('{id}', STAGING_ID);
    return {
      function: functionKey,
      what: `${route.method} ${route.path} (default event: not in bench/cold-start-events.ts)`,
      event: apiRequest(route.method, path, route.path, route.path.includes('{id}') ? { pathParameters: { id: STAGING_ID } } : {}),
    };
  }
  if (rule) {
    return {
      function: functionKey,
      what: `${rule.source} ${rule.detailType} event (default event: not in bench/cold-start-events.ts)`,
      event: eventBridgeEvent(rule.source, rule.detailType, {}, 'd4c3b2a1-0006-4bd1-9c2e-bench0000006'),
    };
  }
  return { function: functionKey, what: 'task input { id } (default event: not in bench/cold-start-events.ts)', event: { id: STAGING_ID } };
}
