/**
 * Hostile input on every entry point: POST /environments, GET /environments/{id}, POST /slack/commands,
 * POST /webhooks/provision, EventBridge `Environment Requested` events and every Step Functions task.
 *
 * A hand-picked corpus (tests/fixtures/hostile-corpus.ts) and fast-check properties go through the
 * real handlers, built with the workflow harness's ports (dynalite registry, simulated organization,
 * the real state machine on the local workflow). Each hostile request gets a 4xx with the JSON error
 * shape, or a named terminal error; the handlers never throw, and at the end nothing was recorded or
 * started and Object.prototype is untouched.
 */
import { request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { createHttpServer } from '../../local/http-server';
import { ROUTES } from '../../local/routes';
import { EnvSecrets } from '../../shared/adapters/local/env-secrets';
import { ENVIRONMENT_ID_PATTERN } from '../../shared/domain/naming';
import { checkEnvironmentRequest } from '../../shared/domain/request';
import { signSlackRequest } from '../../shared/domain/slack-signature';
import { MAX_BODY_BYTES } from '../../shared/lambda/http';
import type { Rejection } from '../../shared/ports';
import {
  CREATE_ENVIRONMENT_CASES,
  EVENT_CASES,
  form,
  GET_ENVIRONMENT_CASES,
  SLACK_CASES,
  TASK_CASES,
  TASKS,
  UNKNOWN_ID_CASES,
  VALID_BODY,
  WEBHOOK_CASES,
  type EventCase,
  type HttpCase,
  type SlackCase,
  type WebhookCase,
} from '../fixtures/hostile-corpus';
import { harness, type Harness } from '../workflow/harness';

const SLACK_SECRET = 'hostile-input-slack-signing-secret';
const WEBHOOK_SECRET = `whsec_${Buffer.from('hostile-input-webhook-secret-32b').toString('base64')}`;
const OTHER_WEBHOOK_SECRET = `whsec_${Buffer.from('some-other-webhook-secret-32byte').toString('base64')}`;
const context = { functionName: 'hostile-input', awsRequestId: 'req-hostile' };

/**
 * What a task may fail with on hostile input: names the state machine catches by name and never
 * retries. A well-formed id that no environment has fails as NotFoundError from the store's update
 * (notifyAdmin, recordReady, recordFailure).
 */
const TASK_FAILURE_NAMES: readonly string[] = [
  'InvalidInputError',
  'NotFoundError',
  'EnvironmentStateError',
  'OuNotFoundError',
  'AccountQuotaExceededError',
  'AccountCreationTimedOutError',
  'AwsRequestRejectedError',
  'GrantCapacityError',
];

let h: Harness;
let server: Server;
let serverPort: number;
let initialAccounts: number;
const workflowStarts: string[] = [];
/** Event ids whose request was refused (a rejection may be recorded) and accepted (an environment may exist). */
const rejectedEventIds = new Set<string>();
const acceptedEnvironmentIds = new Set<string>();

beforeAll(async () => {
  h = await harness();
  initialAccounts = h.sim.accountsView().length;
  // The harness has no secrets; the functions read deps on every call, so setting them here is enough.
  h.deps.secrets = new EnvSecrets({ SLACK_SIGNING_SECRET: SLACK_SECRET, WEBHOOK_SECRET });
  const workflow = h.deps.workflow;
  h.deps.workflow = {
    start: (name, input) => {
      workflowStarts.push(name);
      return workflow.start(name, input);
    },
    sendTaskSuccess: (token, output) => workflow.sendTaskSuccess(token, output),
  };
  server = createHttpServer(h.functions, ROUTES);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  serverPort = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  await h.close();
});

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  headers: Record<string, string>;
  raw: string;
  body: any;
}

function httpEvent(method: string, opts: { body?: string; headers?: Record<string, string>; base64?: boolean; path?: Record<string, string> }): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: opts.headers ?? {},
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    isBase64Encoded: Boolean(opts.base64),
    ...(opts.path ? { pathParameters: opts.path } : {}),
    requestContext: { http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'hostile' } },
  } as unknown as APIGatewayProxyEventV2;
}

async function invoke(fn: string, event: APIGatewayProxyEventV2): Promise<Reply> {
  const result = (await h.functions[fn]!(event, context)) as APIGatewayProxyStructuredResultV2;
  const raw = typeof result.body === 'string' ? result.body : '';
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = raw;
  }
  return { status: result.statusCode ?? 200, headers: (result.headers ?? {}) as Record<string, string>, raw, body };
}

/** A 4xx whose body is `{ error: { code, message, fields? } }`, served as JSON. */
function expectClientError(reply: Reply, status?: number) {
  if (status !== undefined) expect(reply.status).toBe(status);
  expect(reply.status).toBeGreaterThanOrEqual(400);
  expect(reply.status).toBeLessThan(500);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expectErrorShape(reply.body);
}

function expectErrorShape(body: any) {
  expect(body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
  expect(body.error.code).toMatch(/^[A-Z_]+$/);
  if (body.error.fields !== undefined) {
    expect(Array.isArray(body.error.fields)).toBe(true);
    for (const f of body.error.fields) expect(f).toEqual({ field: expect.any(String), message: expect.any(String) });
  }
}

function postEnvironment(c: Pick<HttpCase, 'body' | 'contentType' | 'headers' | 'base64'>): Promise<Reply> {
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  const headers = { ...(contentType === null ? {} : { 'content-type': contentType }), ...c.headers };
  return invoke('createEnvironment', httpEvent('POST', { body: c.body, headers, base64: c.base64 }));
}

const slackNow = () => Math.floor(h.clock.now().getTime() / 1000);

function slackHeaders(c: SlackCase): Record<string, string> {
  const ts = String(slackNow());
  const sign = (body: string, secret = SLACK_SECRET, timestamp = ts) => signSlackRequest(secret, timestamp, body);
  const valid = sign(c.body);
  const auth = c.auth;
  switch (auth.kind) {
    case 'valid':
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': valid };
    case 'none':
      return {};
    case 'timestamp-only':
      return { 'x-slack-request-timestamp': ts };
    case 'signature-only':
      return { 'x-slack-signature': valid };
    case 'wrong-secret':
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': sign(c.body, 'not-the-signing-secret') };
    case 'skew': {
      const skewed = String(slackNow() + auth.seconds);
      return { 'x-slack-request-timestamp': skewed, 'x-slack-signature': sign(c.body, SLACK_SECRET, skewed) };
    }
    case 'timestamp':
      return { 'x-slack-request-timestamp': auth.value, 'x-slack-signature': sign(c.body, SLACK_SECRET, auth.value) };
    case 'signature':
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': auth.value };
    case 'mangle': {
      const mangled = {
        'upper-case': `v0=${valid.slice(3).toUpperCase()}`,
        truncate: valid.slice(0, -1),
        v1: valid.replace(/^v0=/, 'v1='),
        'prefix-only': 'v0=',
        'non-ascii': `${valid.slice(0, -1)}é`,
      }[auth.how];
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': mangled };
    }
    case 'sign-other-body':
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': sign(auth.body) };
    case 'sign-base64-text':
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': sign(c.body) };
  }
}

function postSlack(c: SlackCase): Promise<Reply> {
  const headers = { 'content-type': c.contentType ?? 'application/x-www-form-urlencoded', ...slackHeaders(c) };
  return invoke('slackCommand', httpEvent('POST', { body: c.body, headers, base64: c.base64 }));
}

let webhookIds = 0;

function webhookHeaders(c: WebhookCase): Record<string, string> {
  const auth = c.auth;
  const id = auth.kind === 'valid' && auth.id !== undefined ? auth.id : `msg_hostile_${++webhookIds}`;
  const at = new Date(Date.now() - (auth.kind === 'valid' ? (auth.ageSeconds ?? 0) : 0) * 1000);
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const sign = (body: string, secret = WEBHOOK_SECRET, msgId = id) => new Webhook(secret).sign(msgId, at, body);
  const all = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': sign(c.body) };
  switch (auth.kind) {
    case 'valid':
      return all;
    case 'none':
      return {};
    case 'omit': {
      const { [auth.header]: _omitted, ...rest } = all;
      return rest;
    }
    case 'wrong-secret':
      return { ...all, 'webhook-signature': sign(c.body, OTHER_WEBHOOK_SECRET) };
    case 'timestamp':
      return { ...all, 'webhook-timestamp': auth.value };
    case 'timestamp-around':
      return { ...all, 'webhook-timestamp': `${auth.prefix ?? ''}${timestamp}${auth.suffix ?? ''}` };
    case 'signature':
      return { ...all, 'webhook-signature': auth.value };
    case 'sign-other-body':
      return { ...all, 'webhook-signature': sign(auth.body) };
    case 'sign-other-id':
      return { ...all, 'webhook-id': auth.sentId };
    case 'version':
      return { ...all, 'webhook-signature': all['webhook-signature'].replace(/^v1,/, `${auth.prefix},`) };
  }
}

function postWebhook(c: WebhookCase): Promise<Reply> {
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  const headers = { ...(contentType === null ? {} : { 'content-type': contentType }), ...webhookHeaders(c) };
  return invoke('provisionWebhook', httpEvent('POST', { body: c.body, headers }));
}

async function allRejections(): Promise<Rejection[]> {
  const out: Rejection[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.deps.rejections.list({ limit: 100, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Sends one raw request to the local server: the path goes out byte for byte, dot segments included. */
function rawHttp(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: serverPort, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // left as text so a failing assertion shows it
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    // The server may answer 413 and close before the whole body is written.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Writes bytes to the local server as they are, malformed or not, and reads the answer until it closes. */
function rawSocket(bytes: string): Promise<{ statusLine: string; headers: Record<string, string>; body: any }> {
  return new Promise((resolve, reject) => {
    const socket = connect(serverPort, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', rest = ''] = text.split(/\r\n\r\n(.*)/s);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      let body: unknown = rest;
      try {
        body = JSON.parse(rest);
      } catch {
        // left as text so a failing assertion shows it
      }
      resolve({ statusLine, headers, body });
    });
    // The server closes after answering; a server that never answers fails the test by its timeout.
  });
}

// ---------------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------------

describe('the hostile corpus', () => {
  it('has at least 100 hand-picked cases spread over every entry point', () => {
    const perEntryPoint = {
      'POST /environments': CREATE_ENVIRONMENT_CASES.length,
      'GET /environments/{id}': GET_ENVIRONMENT_CASES.length,
      'POST /slack/commands': SLACK_CASES.length,
      'POST /webhooks/provision': WEBHOOK_CASES.length,
      'EventBridge Environment Requested': EVENT_CASES.length,
      'Step Functions tasks': TASK_CASES.length + UNKNOWN_ID_CASES.length,
    };
    for (const count of Object.values(perEntryPoint)) expect(count).toBeGreaterThanOrEqual(10);
    expect(Object.values(perEntryPoint).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100);
    expect(new Set(TASK_CASES.map((c) => c.task))).toEqual(new Set(TASKS));
  });
});

describe('POST /environments refuses hostile bodies with a 4xx and the JSON error shape', () => {
  it.each(CREATE_ENVIRONMENT_CASES.map((c) => [c.title, c.status, c] as const))('%s gets %i', async (_title, _status, c) => {
    const reply = await postEnvironment(c);
    expectClientError(reply, c.status);
  });

  it('keeps the error small however many bad fields a body has', async () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `"unknown_field_number_${i}":1`).join(',');
    const reply = await postEnvironment({ body: `{"name":"Many Keys","ou":"Workloads/Staging",${keys}}` });
    expectClientError(reply, 400);
    expect(reply.raw.length).toBeLessThan(8 * 1024);
    expect(reply.body.error.message).toContain('unknown_field_number_0');
    expect(reply.body.error.message).toMatch(/and 1990 more/);
  });
});

describe('GET /environments/{id} refuses traversal and malformed ids before reading the registry', () => {
  it.each(GET_ENVIRONMENT_CASES.map((c) => [c.title, c.status, c] as const))('%s gets %i', async (_title, _status, c) => {
    const reply = await invoke('getEnvironment', httpEvent('GET', { path: c.id === undefined ? undefined : { id: c.id } }));
    expectClientError(reply, c.status);
  });
});

describe('POST /slack/commands: 401 for anything Slack did not sign, a usage or rejection message for signed nonsense, nothing handed on', () => {
  const answer = (c: SlackCase) => (c.expect === 'ephemeral' ? '200 with an ephemeral message' : String(c.expect));
  it.each(SLACK_CASES.map((c) => [c.title, answer(c), c] as const))('%s gets %s', async (_title, _answer, c) => {
    const reply = await postSlack(c);
    if (c.expect === 'ephemeral') {
      // Slack's contract for a verified but unusable command: 200 with a message only the sender sees.
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(expect.objectContaining({ response_type: 'ephemeral', text: expect.any(String) }));
    } else {
      expectClientError(reply, c.expect);
      if (c.expect === 401) expect(reply.body.error.code).toBe('UNAUTHORIZED');
    }
    expect(h.events.published.filter((e) => e.detailType === 'Environment Requested')).toEqual([]);
  });
});

describe('POST /webhooks/provision: 401 for a bad or stale signature, 4xx for bad content under a good one', () => {
  it.each(WEBHOOK_CASES.map((c) => [c.title, c.status, c] as const))('%s gets %i', async (_title, _status, c) => {
    const reply = await postWebhook(c);
    expectClientError(reply, c.status);
    if (c.status === 401) expect(reply.body.error.code).toBe('UNAUTHORIZED');
  });
});

describe('POST /webhooks/provision: the header at fault is named, and a malformed secret is the operator\'s error', () => {
  it.each([
    ['letters after the signed timestamp', { suffix: 'abc' }],
    ['a plus sign before it', { prefix: '+' }],
  ])('names webhook-timestamp when it carries %s', async (_title, around) => {
    const reply = await postWebhook({ title: '', body: VALID_BODY, auth: { kind: 'timestamp-around', ...around }, status: 401 });
    expectClientError(reply, 401);
    expect(reply.body.error.fields).toEqual([{ field: 'webhook-timestamp', message: expect.stringMatching(/digits/) }]);
  });

  it.each([
    ['no whsec_ prefix', Buffer.from('hostile-input-webhook-secret-32b').toString('base64')],
    ['a password instead of a key', 'correct horse battery staple'],
    ['only the prefix', 'whsec_'],
    ['a key that is not base64', 'whsec_not*base64!'],
    ['a key cut short (unpadded)', 'whsec_aG9zdGlsZS1pbnB1dA'],
  ])('answers 503 NOT_CONFIGURED, not 401, while the configured secret has %s', async (_title, secret) => {
    const secrets = h.deps.secrets;
    h.deps.secrets = new EnvSecrets({ SLACK_SIGNING_SECRET: SLACK_SECRET, WEBHOOK_SECRET: secret });
    try {
      const reply = await postWebhook({ title: '', body: VALID_BODY, auth: { kind: 'valid' }, status: 503 });
      expect(reply.status).toBe(503);
      expect(reply.body.error.code).toBe('NOT_CONFIGURED');
      expect(reply.raw).not.toContain(secret);
    } finally {
      h.deps.secrets = secrets;
    }
  });
});

describe('EventBridge Environment Requested: a bad request is recorded once as a rejection, never as an environment', () => {
  it('records a detail nested 10,000 levels deep as a rejection naming the detail, without overflowing the stack', async () => {
    const deep = JSON.parse(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`) as unknown;
    const event = { version: '0', id: 'evt-hostile-deep', source: 'switchyard.requests', 'detail-type': 'Environment Requested', detail: { name: 'Evt Deep', ou: 'Workloads/Staging', tags: deep } };
    rejectedEventIds.add(event.id);
    await expect(h.functions.requestFromEvent!(event, context)).resolves.toEqual({ accepted: false, code: 'INVALID_INPUT' });
    const recorded = (await allRejections()).filter((r) => r.id === event.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.fields).toEqual([{ field: 'detail', message: 'is nested deeper than 32 levels' }]);
  });

  const outcome = (c: EventCase) => (c.expect === 'envelope' ? 'fails as InvalidInputError (not an event)' : 'is recorded once as a rejection');
  it.each(EVENT_CASES.map((c) => [c.title, outcome(c), c] as const))('%s %s', async (_title, _outcome, c) => {
    const before = (await allRejections()).length;
    const run = h.functions.requestFromEvent!(c.event, context);
    if (c.expect === 'envelope') {
      // Not an event at all: a named terminal error, nothing recorded.
      await expect(run).rejects.toMatchObject({ name: 'InvalidInputError' });
      expect(await allRejections()).toHaveLength(before);
    } else {
      const id = (c.event as { id: string }).id;
      rejectedEventIds.add(id);
      await expect(run).resolves.toEqual({ accepted: false, code: expect.stringMatching(/^[A-Z_]+$/) });
      const recorded = (await allRejections()).filter((r) => r.id === id);
      expect(recorded).toHaveLength(1);
      expect(JSON.stringify(recorded[0]).length).toBeLessThan(16 * 1024);
    }
  });

  it('records a redelivered bad event as one rejection', async () => {
    const event = { id: 'evt-hostile-redelivered', source: 'switchyard.requests', 'detail-type': 'Environment Requested', detail: JSON.parse('{"__proto__":{"polluted":1}}') };
    rejectedEventIds.add(event.id);
    for (let i = 0; i < 3; i++) await expect(h.functions.requestFromEvent!(event, context)).resolves.toMatchObject({ accepted: false });
    expect((await allRejections()).filter((r) => r.id === event.id)).toHaveLength(1);
  });
});

describe('Step Functions tasks fail hostile input with a named terminal error', () => {
  it.each(TASK_CASES.map((c) => [c.task, c.title, c] as const))('%s refuses %s as InvalidInputError', async (_task, _title, c) => {
    await expect(h.functions[c.task]!(c.input, context)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.any(String) });
  });

  it.each(UNKNOWN_ID_CASES.map((c) => [c.task, c] as const))('%s fails for an environment nobody created, without creating it', async (_task, c) => {
    const error = (await h.functions[c.task]!(c.input, context).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error | undefined;
    expect(error).toBeInstanceOf(Error);
    expect(TASK_FAILURE_NAMES).toContain(error!.name);
    expect(await h.deps.environments.get('staging-1a2b3c4d')).toBeUndefined();
  });
});

describe('the local HTTP server', () => {
  it.each([
    ['PUT /environments', 'PUT', '/environments', 405],
    ['PUT /environments/{id}', 'PUT', '/environments/staging-1a2b3c4d', 405],
    ['DELETE of an environment nobody created', 'DELETE', '/environments/staging-1a2b3c4d', 404],
    ['DELETE with an id that is not one', 'DELETE', '/environments/..%2f..%2fetc', 400],
    ['GET /slack/commands', 'GET', '/slack/commands', 405],
    ['GET /webhooks/provision', 'GET', '/webhooks/provision', 405],
    ['a dot-segment path out of /environments', 'GET', '/environments/../../etc/passwd', 404],
    ['an encoded dot-segment path', 'GET', '/environments/%2e%2e/%2e%2e/etc/passwd', 404],
    ['an id with encoded slashes', 'GET', '/environments/..%2f..%2fetc%2fpasswd', 400],
    ['an id with an encoded NUL', 'GET', '/environments/staging-1a2b3c4d%00', 400],
    ['an id that is not valid percent-encoding', 'GET', '/environments/%E0%A4%A', 400],
    ['an unknown route', 'GET', '/admin', 404],
  ] as const)('answers %s with a 4xx and the JSON error shape', async (_title, method, path, status) => {
    const reply = await rawHttp(method, path);
    expect(reply.status).toBe(status);
    expectErrorShape(reply.body);
  });

  it.each([
    ['a chunk size that is not hex', 400, 'POST /environments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['Content-Length with Transfer-Encoding', 400, 'POST /environments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['a header line without a colon', 400, 'GET /environments HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n'],
    ['bytes that are not HTTP at all', 400, 'hello\r\n\r\n'],
    ['an unknown method', 501, 'FROB /environments HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a 20 KB URL', 414, `GET /environments?pad=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['3,000 headers', 431, `GET /environments HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-Header-${i}: ${i}\r\n`).join('')}\r\n`],
    ['3,000 tiny headers (within the size limit)', 431, `GET /environments HTTP/1.1\r\nHost: x\r\n${'a:b\r\n'.repeat(3000)}\r\n`],
    ['one 20 KB header', 431, `GET /environments HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`],
  ] as const)('answers %s, which Node refuses itself, with %i and the JSON error shape', async (_title, status, bytes) => {
    const reply = await rawSocket(bytes);
    expect(reply.statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expectErrorShape(reply.body);
    expect((await rawHttp('GET', '/environments')).status).toBe(200);
  });

  it('answers a body over 64 KB with 413 and keeps serving', async () => {
    const reply = await rawHttp('POST', '/environments', `{"pad":"${'p'.repeat(MAX_BODY_BYTES)}"}`, { 'content-type': 'application/json' });
    expect(reply.status).toBe(413);
    expectErrorShape(reply.body);
    const after = await rawHttp('GET', '/environments');
    expect(after.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------

/** Strings that tend to break things, alongside arbitrary ones. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\u202E', '\r\n', '../..', '%2e%2e', '__proto__', 'constructor', 'prototype', 'N'.repeat(60), 'staging-1a2b3c4d'),
);
const keyArb = fc.oneof(
  fc.constantFrom('name', 'ou', 'email', 'color', 'tags', 'requestedBy', '__proto__', 'constructor', 'prototype', 'id', 'status', 'admin'),
  fc.string({ maxLength: 12 }),
);
/** Values as raw JSON text, so `__proto__` keys stay own keys the way JSON.parse makes them. */
const rawJson = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v));
const rawString = (arb: fc.Arbitrary<string>) => arb.map((s) => JSON.stringify(s));
const rawObject = (entries: [string, string][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
/** Plausible names (so some requests pass validation) and OUs that never exist (so none is ever provisioned). */
const nameArb = fc.oneof(fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,20}$/), hostileString);
const ouArb = fc.oneof(fc.constantFrom('Workloads/Nowhere', 'Nowhere', 'ou-abcd-12345678', 'Workloads//Staging', '../..', 'Workloads/../Staging', 'A/B/C/D/E/F'), hostileString);
const optional = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined });
/** Request-shaped JSON objects, mostly wrong in some field, as raw text. */
const requestText = fc
  .record({
    name: optional(fc.oneof(rawString(nameArb), rawJson)),
    ou: optional(fc.oneof(rawString(ouArb), rawJson)),
    email: optional(fc.oneof(rawString(fc.emailAddress()), rawString(hostileString), rawJson)),
    color: optional(fc.oneof(rawString(fc.constantFrom('red', 'blue', 'F2B0A9', '#zzzzzz', '<script>')), rawString(hostileString))),
    tags: optional(fc.array(fc.tuple(keyArb, fc.oneof(rawString(hostileString), rawJson)), { maxLength: 4 }).map(rawObject)),
    requestedBy: optional(fc.oneof(rawString(hostileString), rawJson)),
    extra: fc.array(fc.tuple(keyArb, rawJson), { maxLength: 2 }),
  })
  .map(({ extra, ...known }) => rawObject([...Object.entries(known).filter((e): e is [string, string] => e[1] !== undefined), ...extra]));

/** Valid requests for OUs that do not exist: they pass validation and are refused by the pre-flight (422). */
const validButNowhereText = fc
  .record(
    {
      name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,20}$/),
      ou: fc.constantFrom('Workloads/Nowhere', 'Nowhere', 'ou-abcd-12345678', 'Sandbox/Elsewhere'),
      color: fc.constantFrom('red', 'blue', 'F2B0A9'),
      tags: fc.dictionary(fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-z0-9 ]{0,10}$/), { maxKeys: 3 }),
    },
    { requiredKeys: ['name', 'ou'] },
  )
  .map((request) => JSON.stringify(request));

const NUM_RUNS = 200;

describe('properties', () => {
  it('POST /environments never answers 5xx or throws, whatever the body; anything accepted is a valid request', async () => {
    const body = fc.oneof(
      { arbitrary: requestText, weight: 4 },
      { arbitrary: validButNowhereText, weight: 2 },
      { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 2 },
      { arbitrary: fc.string({ unit: 'binary' }), weight: 1 },
      { arbitrary: fc.string(), weight: 1 },
    );
    const contentType = fc.constantFrom<string | null>('application/json', 'application/json; charset=utf-8', 'application/vnd.switchyard+json', 'text/plain', null);
    const idempotencyKey = fc.option(fc.oneof(fc.string(), fc.uuid()), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(body, contentType, idempotencyKey, async (raw, type, key) => {
        const reply = await postEnvironment({ body: raw, contentType: type, headers: key === undefined ? {} : { 'idempotency-key': key } });
        expect(reply.status).toBeGreaterThanOrEqual(200);
        expect(reply.status).toBeLessThan(500);
        if (reply.status >= 400) {
          expectClientError(reply);
        } else {
          expect(checkEnvironmentRequest(JSON.parse(raw)).ok).toBe(true);
          acceptedEnvironmentIds.add(reply.body.id);
        }
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('POST /slack/commands answers 401 to every body whose signature it did not make', async () => {
    const now = () => slackNow();
    const timestamp = fc.oneof(
      fc.constant('now'),
      fc.integer({ min: -1000, max: 1000 }).map((d) => `now${d}`),
      fc.string(),
      fc.constant(undefined),
    );
    const signature = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `v0=${hex}`),
      fc.string(),
      fc.constant(undefined),
    );
    const body = fc.oneof(
      fc.string().map((text) => ({ text: form(text), base64: false })),
      fc.string({ unit: 'binary' }).map((text) => ({ text, base64: false })),
      fc.uint8Array({ maxLength: 256 }).map((bytes) => ({ text: Buffer.from(bytes).toString('base64'), base64: true })),
    );
    await fc.assert(
      fc.asyncProperty(body, timestamp, signature, async (b, ts, sig) => {
        const t = ts === 'now' ? String(now()) : ts?.startsWith('now') ? String(now() + Number(ts.slice(3))) : ts;
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
        if (t !== undefined) headers['x-slack-request-timestamp'] = t;
        if (sig !== undefined) headers['x-slack-signature'] = sig;
        const reply = await invoke('slackCommand', httpEvent('POST', { body: b.text, headers, base64: b.base64 }));
        expectClientError(reply, 401);
        expect(reply.body.error.code).toBe('UNAUTHORIZED');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('POST /slack/commands answers 401 when a signed body is changed in any way', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string({ minLength: 1 }), async (text, suffix) => {
        const signed = form(text);
        const ts = String(slackNow());
        const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signSlackRequest(SLACK_SECRET, ts, signed) };
        const reply = await invoke('slackCommand', httpEvent('POST', { body: `${signed}${suffix}`, headers }));
        expectClientError(reply, 401);
      }),
      { numRuns: NUM_RUNS / 2 },
    );
  });

  it('every Step Functions task refuses arbitrary input with a named terminal error', async () => {
    const input = fc.oneof(
      fc.anything({ withBoxedValues: true, withNullPrototype: true, withObjectString: true, withMap: true, withSet: true, withSparseArray: true, withTypedArray: true, withDate: true, withBigInt: true }),
      fc.jsonValue(),
      requestText.map((text) => JSON.parse(text) as unknown),
      fc.record(
        {
          id: fc.oneof(hostileString, fc.stringMatching(ENVIRONMENT_ID_PATTERN)),
          polls: fc.oneof(fc.integer(), fc.double(), fc.string()),
          input: fc.oneof(fc.jsonValue({ maxDepth: 3 }), rawJson.map((t) => JSON.parse(`{"__proto__":${t},"error":${t}}`) as unknown)),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TASKS), input, async (task, value) => {
        const error = (await h.functions[task]!(value, context).then(
          () => undefined,
          (e: unknown) => e,
        )) as Error | undefined;
        expect(error).toBeInstanceOf(Error);
        expect(TASK_FAILURE_NAMES).toContain(error!.name);
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('EventBridge events with any detail are recorded as a rejection or accepted, never lost to a crash', async () => {
    let n = 0;
    const detail = fc.oneof(
      { arbitrary: requestText.map((text) => JSON.parse(text) as unknown), weight: 3 },
      { arbitrary: validButNowhereText.map((text) => JSON.parse(text) as unknown), weight: 1 },
      { arbitrary: fc.jsonValue(), weight: 2 },
      { arbitrary: fc.anything({ withNullPrototype: true, withBoxedValues: true }), weight: 1 },
    );
    const event = fc.oneof(
      {
        arbitrary: detail.map((d) => ({ wellFormed: true, event: { version: '0', id: `evt-prop-${++n}`, source: 'switchyard.requests', 'detail-type': 'Environment Requested', detail: d } as unknown })),
        weight: 5,
      },
      { arbitrary: fc.anything().map((e) => ({ wellFormed: false, event: e })), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(event, async ({ wellFormed, event: e }) => {
        const outcome = await h.functions.requestFromEvent!(e, context).then(
          (value) => ({ value: value as { accepted: boolean; id?: string } }),
          (error: Error) => ({ error }),
        );
        if ('error' in outcome) {
          // Only something that is not an event at all may throw, and then as a named terminal error.
          expect(wellFormed).toBe(false);
          expect(outcome.error.name).toBe('InvalidInputError');
        } else if (outcome.value.accepted) {
          acceptedEnvironmentIds.add(outcome.value.id!);
        } else {
          rejectedEventIds.add((e as { id: string }).id);
        }
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Afterwards
// ---------------------------------------------------------------------------------------------------

describe('after all of it', () => {
  it('recorded no environment and started no provisioning', async () => {
    // The properties use OUs that do not exist, so nothing can be accepted; an acceptance would show here.
    expect(acceptedEnvironmentIds).toEqual(new Set());
    expect((await h.deps.environments.list({ limit: 100 })).items).toEqual([]);
    expect(await h.deps.environments.listActive()).toEqual([]);
    expect(workflowStarts).toEqual([]);
    expect(h.workflow.executions.size).toBe(0);
    expect(h.sim.accountsView()).toHaveLength(initialAccounts);
  });

  it('handed nothing to the request function from Slack and announced no outcome', () => {
    const types = new Set(h.events.published.map((e) => e.detailType));
    expect([...types].filter((t) => t !== 'Environment Request Rejected')).toEqual([]);
  });

  it('recorded rejections only for refused events, each once', async () => {
    const rejections = await allRejections();
    const ids = rejections.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(rejectedEventIds).toContain(id);
    for (const c of EVENT_CASES.filter((c) => c.expect === 'rejected')) expect(ids).toContain((c.event as { id: string }).id);
    const announced = h.events.published.filter((e) => e.detailType === 'Environment Request Rejected').map((e) => (e.detail as { eventId: string }).eventId);
    for (const id of announced) expect(rejectedEventIds).toContain(id);
  });

  it('left Object.prototype unpolluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });
});
