// One cold start, in a fresh Node process (bench/bundles.ts builds this file into plain JavaScript
// and runs `node child.js spec.json` once per sample; it never runs under tsx, whose loader would
// sit inside the timed window).
//
// Before the timer starts: read the spec, load aws-sdk-client-mock, build (and sign) the event.
// Timed: require() the bundle, then invoke its handler once and wait for the promise to settle.
// The bundle was built with one extra statement that hands this process the bundled copy of
// Smithy's `Client` class (the base of every AWS SDK v3 client, DynamoDBDocumentClient included) as
// its module is evaluated; `mockClient(Client)` then stubs `Client.prototype.send`, so every client
// the bundle constructs is answered by the stub. That happens inside the window, for the product and
// the floor alike. Nothing reaches the network: a request outside the SDK (a `fetch`, a node:https
// request) is answered only where the AWS model knows the receiver (a Slack response_url, the UXC
// endpoint SigV4-signed by hand), and is recorded and replayed like an SDK command (the floor makes
// the same request the same way); any other is refused and reported.
//
// Modes. `discover`: answers come from the stateful AWS model in cold-start-world.ts, and every
// command sent is recorded with its answer. `replay`: answers come, in order, from a discovery
// recording; the product's own bundle must send the recorded commands again, and a floor bundle
// sends exactly them (its event is the list of recorded inputs).

import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export const HOOK_KEY = 'switchyard.bench.smithyClient';

export type Signing = { kind: 'slack'; secret: string } | { kind: 'standard-webhooks'; secret: string; id: string };

export interface RecordedCall {
  /** Which client instance sent it: 0 for the first that sent anything, and so on; -1 for a fetch. */
  instance: number;
  /** `DynamoDBDocument` for lib-dynamodb commands, `fetch` or `https` (`http`) for a request outside the SDK, else the client's serviceId (`Organizations`, `SFN`, …). */
  client: string;
  /** The operation (`DescribeCreateAccountStatus`), for the document client its command (`Get`, `Put`, `Query`), for a request outside the SDK its method. */
  command: string;
  input: unknown;
  output?: unknown;
  error?: { name: string; message: string; Code?: string };
}

export interface ChildSpec {
  /** The repository root, where aws-sdk-client-mock is installed. */
  root: string;
  bundle: string;
  exportName: string;
  functionName: string;
  timeoutSeconds: number;
  mode: 'discover' | 'replay';
  /** The event to invoke with (floor runs: ignored, their event is the recorded inputs). */
  event: unknown;
  /** A request signed at run time (the signature covers a timestamp that must be recent). */
  sign?: Signing;
  /** replay: the recording to answer from. */
  calls?: RecordedCall[];
  floor?: boolean;
  /** discover: the AWS model's state, read before and written after the invocation. */
  worldFile?: string;
  /** The bundle holds AWS SDK clients: loading it must have handed over Smithy's Client class (else a send would go to the network). */
  expectSdk: boolean;
  resultFile: string;
}

export interface ChildResult {
  /** require() of the bundle, mocks installed (milliseconds). */
  initMs: number;
  /** require() plus the first invocation until its promise settled. */
  coldStartMs: number;
  /** CPU time (user + system) the process spent in that window: less disturbed by other processes than the wall clock. */
  coldStartCpuMs: number;
  /** `HTTP 202`, `ok`, or `error <name>: <message>`. */
  outcome: string;
  /** What was sent, as `client.command`. */
  sent: string[];
  /** discover: every call with its answer. */
  recorded?: RecordedCall[];
  /** replay: how the calls differed from the recording, if they did. */
  divergence?: string;
  /** Requests outside the SDK that nothing answers (refused): to a receiver the AWS model does not know. */
  otherRequests: string[];
  /** The timed window on the monotonic clock, in microseconds (the clock of `node --cpu-prof` profiles). */
  windowUs: [number, number];
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** lib-dynamodb's commands by the DynamoDB operation they wrap. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetItem: 'Get',
  PutItem: 'Put',
  DeleteItem: 'Delete',
  UpdateItem: 'Update',
  Query: 'Query',
  Scan: 'Scan',
  BatchGetItem: 'BatchGet',
  BatchWriteItem: 'BatchWrite',
  TransactGetItems: 'TransactGet',
  TransactWriteItems: 'TransactWrite',
  ExecuteStatement: 'ExecuteStatement',
  BatchExecuteStatement: 'BatchExecuteStatement',
  ExecuteTransaction: 'ExecuteTransaction',
};

/** JSON with Dates kept (SDK answers carry Date objects: CreateDate, RequestedTimestamp, …). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : v;
  });
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) && typeof v.$date === 'string' && Object.keys(v).length === 1 ? new Date(v.$date) : v)) as T;
}

type SdkCommand = { input?: unknown; schema?: unknown[]; clientCommand?: { schema?: unknown[] } };
type SdkClient = { config?: { serviceId?: string } };

/** Which client and command, read from the bundled objects: minified class names say nothing, the operation schema does. */
function describe(client: SdkClient, command: SdkCommand): { client: string; command: string } {
  const inner = command?.clientCommand;
  const operation = (inner ?? command)?.schema?.[2];
  const service = String(client?.config?.serviceId ?? 'unknown');
  if (typeof operation !== 'string') return { client: service, command: '(unknown command)' };
  return inner ? { client: 'DynamoDBDocument', command: DOCUMENT_COMMANDS[operation] ?? operation } : { client: service, command: operation };
}

function awsError(recorded: NonNullable<RecordedCall['error']>): Error {
  return Object.assign(new Error(recorded.message), {
    name: recorded.name,
    ...(recorded.Code ? { Code: recorded.Code } : {}),
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'bench-request' },
  });
}

function signed(event: Record<string, unknown>, sign: Signing): unknown {
  const body = String(event.body ?? '');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = { ...(event.headers as Record<string, string>) };
  if (sign.kind === 'slack') {
    headers['x-slack-request-timestamp'] = timestamp;
    headers['x-slack-signature'] = `v0=${createHmac('sha256', sign.secret).update(`v0:${timestamp}:${body}`, 'utf8').digest('hex')}`;
  } else {
    const key = Buffer.from(sign.secret.replace(/^whsec_/, ''), 'base64');
    headers['webhook-id'] = sign.id;
    headers['webhook-timestamp'] = timestamp;
    headers['webhook-signature'] = `v1,${createHmac('sha256', key).update(`${sign.id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
  }
  return { ...event, headers };
}

/** What a fetch answered with: only what the product's JSON poster reads of a Response (built without touching undici). */
function fetchResponse(url: string, answer: OutsideAnswer) {
  return {
    ok: answer.status >= 200 && answer.status < 300,
    status: answer.status,
    statusText: '',
    url,
    redirected: false,
    headers: { get: () => null, has: () => false },
    body: null,
    text: async () => answer.body,
    json: async () => JSON.parse(answer.body) as unknown,
  };
}

/** A request outside the SDK as recorded: through what, URL, method, headers and body (text). */
type OutsideRequest = { via: 'fetch' | 'http' | 'https'; url: string; method: string; headers: Record<string, string>; body: string };
/** What the AWS model answers a request outside the SDK with. */
type OutsideAnswer = { status: number; headers?: Record<string, string>; body: string };

function fetchInput(input: unknown, init: { method?: string; headers?: unknown; body?: unknown } | undefined): OutsideRequest {
  const url = typeof input === 'string' ? input : String((input as { url?: string })?.url ?? input);
  const headers = init?.headers && typeof init.headers === 'object' && !Array.isArray(init.headers) ? { ...(init.headers as Record<string, string>) } : {};
  return { via: 'fetch', url, method: String(init?.method ?? 'GET').toUpperCase(), headers, body: typeof init?.body === 'string' ? init.body : '' };
}

/**
 * node:http and node:https `request` (and `get`) answered by `answer` instead of the network: the
 * request's body is collected until `end()`, then the response callback gets a message that emits
 * the answer's body; a request the model does not answer fails as a refused connection would.
 */
function interceptNodeRequests(answer: (request: OutsideRequest) => Promise<unknown>): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EventEmitter } = require('node:events') as typeof import('node:events');
  for (const via of ['http', 'https'] as const) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`node:${via}`) as typeof import('node:https');
    const intercepted = (...args: unknown[]) => {
      const first = args[0] as { method?: string; hostname?: string; host?: string; port?: number | string; path?: string; headers?: Record<string, unknown> } | string | URL;
      const options = (typeof first === 'string' || first instanceof URL ? args[1] : first) as { method?: string; hostname?: string; host?: string; port?: number | string; path?: string; headers?: Record<string, unknown> } | undefined;
      const onResponse = args.find((a) => typeof a === 'function') as ((response: unknown) => void) | undefined;
      const url =
        typeof first === 'string' || first instanceof URL
          ? String(first)
          : `${via}://${options?.hostname ?? options?.host ?? 'localhost'}${options?.port ? `:${options.port}` : ''}${options?.path ?? '/'}`;
      const headers = Object.fromEntries(Object.entries(options?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
      const chunks: string[] = [];
      const request = new EventEmitter() as InstanceType<typeof EventEmitter> & Record<string, unknown>;
      let ended = false;
      Object.assign(request, {
        setTimeout: () => request,
        setHeader: () => undefined,
        write: (chunk: unknown) => (chunks.push(String(chunk)), true),
        destroy: () => request,
        abort: () => undefined,
        end: (chunk?: unknown) => {
          if (ended) return request;
          ended = true;
          if (chunk !== undefined && typeof chunk !== 'function') chunks.push(String(chunk));
          answer({ via, url, method: String(options?.method ?? 'GET').toUpperCase(), headers, body: chunks.join('') }).then(
            (out) => {
              const reply = out as OutsideAnswer;
              const response = new EventEmitter() as InstanceType<typeof EventEmitter> & Record<string, unknown>;
              Object.assign(response, { statusCode: reply.status, headers: reply.headers ?? {}, setEncoding: () => response, resume: () => response });
              onResponse?.(response);
              request.emit('response', response);
              process.nextTick(() => {
                if (reply.body) response.emit('data', Buffer.from(reply.body));
                response.emit('end');
              });
            },
            (error: unknown) => request.emit('error', error),
          );
          return request;
        },
      });
      return request;
    };
    mod.request = intercepted as unknown as typeof mod.request;
    mod.get = ((...args: unknown[]) => (intercepted(...args) as unknown as { end(): unknown }).end()) as unknown as typeof mod.get;
  }
}

function summarize(result: unknown): string {
  const status = (result as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? `HTTP ${status}` : 'ok';
}

async function main(): Promise<void> {
  const spec = decodeJson<ChildSpec>(fs.readFileSync(process.argv[2]!, 'utf8'));
  const rootRequire = createRequire(path.join(spec.root, 'package.json'));
  const { mockClient } = rootRequire('aws-sdk-client-mock') as typeof import('aws-sdk-client-mock');

  // Everything the answers need, prepared before the timer starts.
  const replay = spec.mode === 'replay' ? (spec.calls ?? []) : undefined;
  const used = new Set<number>();
  let divergence: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const world = spec.mode === 'discover' ? (require('./cold-start-world') as typeof import('./cold-start-world')) : undefined;
  const state = world && spec.worldFile ? decodeJson<import('./cold-start-world').WorldState>(fs.readFileSync(spec.worldFile, 'utf8')) : undefined;
  const recorded: RecordedCall[] = [];
  const sent: string[] = [];
  const otherRequests: string[] = [];
  const instances = new WeakMap<object, number>();
  let nextInstance = 0;

  const answer = (client: SdkClient | undefined, command: SdkCommand, outside?: OutsideRequest): Promise<unknown> => {
    const id = outside ? { client: outside.via, command: outside.method } : describe(client!, command);
    sent.push(`${id.client}.${id.command}`);
    let instance = outside ? -1 : instances.get(client as object);
    if (instance === undefined) instances.set(client as object, (instance = nextInstance++));
    if (replay) {
      // The next recorded call of this client and command (in order; the order itself is checked too).
      const index = replay.findIndex((c, i) => !used.has(i) && c.client === id.client && c.command === id.command);
      if (index < 0) {
        divergence ??= `sent ${id.client}.${id.command} (call ${sent.length}), which the recording does not hold`;
        return Promise.reject(awsError({ name: 'BenchUnrecordedCall', message: `not in the recording: ${id.client}.${id.command}` }));
      }
      if (index !== used.size) divergence ??= `call ${sent.length} (${id.client}.${id.command}) came out of the recorded order`;
      used.add(index);
      const call = replay[index]!;
      return call.error ? Promise.reject(awsError(call.error)) : Promise.resolve(call.output);
    }
    if (outside) {
      // Only receivers the model answers are part of the recording; anything else is refused and reported.
      let output: unknown;
      try {
        output = world!.answer(state!, { client: id.client, command: id.command, input: clone(outside) });
      } catch {
        sent.pop();
        otherRequests.push(`${outside.via} ${outside.method} ${outside.url.replace(/[?#].*$/, '')}`);
        return Promise.reject(
          outside.via === 'fetch'
            ? new TypeError('fetch failed (the cold-start benchmark allows no network)')
            : Object.assign(new Error('connect ECONNREFUSED (the cold-start benchmark allows no network)'), { code: 'ECONNREFUSED' }),
        );
      }
      recorded.push({ instance, ...id, input: clone(outside), output });
      return Promise.resolve(output);
    }
    const input = (command?.input ?? {}) as Record<string, unknown>;
    const call: RecordedCall = { instance, ...id, input: JSON.parse(encodeJson(input)) };
    recorded.push(call);
    try {
      const output = world!.answer(state!, { client: id.client, command: id.command, input });
      call.output = JSON.parse(encodeJson(output));
      return Promise.resolve(output);
    } catch (error) {
      const e = error as { name?: string; message?: string; Code?: string };
      if (!(error instanceof world!.AwsError)) throw error;
      call.error = { name: String(e.name), message: String(e.message), ...(e.Code ? { Code: e.Code } : {}) };
      return Promise.reject(error);
    }
  };

  let mocked = false;
  (globalThis as Record<symbol, unknown>)[Symbol.for(HOOK_KEY)] = (Client: new (...args: never[]) => unknown) => {
    mocked = true;
    const mock = mockClient(Client as never);
    // The stub itself (sinon), so the answer sees the command object, not only its input.
    (mock.send as unknown as { callsFake(fn: (this: SdkClient, command: SdkCommand) => Promise<unknown>): void }).callsFake(function (command) {
      return answer(this, command);
    });
  };
  globalThis.fetch = (async (input: unknown, init?: { method?: string; headers?: unknown; body?: unknown }) => {
    const request = fetchInput(input, init);
    return fetchResponse(request.url, (await answer(undefined, {}, request)) as OutsideAnswer);
  }) as unknown as typeof fetch;
  interceptNodeRequests((request) => answer(undefined, {}, request));

  const event = spec.floor ? (replay ?? []).map((c) => c.input) : spec.sign ? signed(spec.event as Record<string, unknown>, spec.sign) : spec.event;
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: spec.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111122223333:function:${spec.functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: `/aws/lambda/${spec.functionName}`,
    logStreamName: '2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  const load = createRequire(__filename);
  // What this process allocated to get here (aws-sdk-client-mock, sinon, the spec) is collected now, so
  // the collections inside the window are the ones the bundle's own allocations cause. Lambda starts
  // Node with --expose-gc too; the runner passes it.
  (globalThis as { gc?: () => void }).gc?.();

  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const handler = (load(spec.bundle) as Record<string, unknown>)[spec.exportName] as (event: unknown, context: unknown) => Promise<unknown>;
  const t1 = process.hrtime.bigint();
  if (spec.expectSdk && !mocked) {
    process.stderr.write(`${spec.bundle} was not built with the hook that exposes Smithy's Client class (bench/bundles.ts exposeSmithyClient): nothing is mocked, so nothing is invoked\n`);
    process.exit(3);
  }
  let outcome: string;
  try {
    outcome = summarize(await handler(event, context));
  } catch (error) {
    outcome = `error ${(error as Error)?.name}: ${String((error as Error)?.message).slice(0, 300)}`;
  }
  const t2 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);

  if (typeof handler !== 'function') outcome = `error: ${spec.bundle} has no function ${spec.exportName}`;
  if (replay && used.size !== replay.length) divergence ??= `sent ${used.size} of the ${replay.length} recorded calls`;
  if (state && spec.worldFile) fs.writeFileSync(spec.worldFile, encodeJson(state));
  const result: ChildResult = {
    initMs: Number(t1 - t0) / 1e6,
    coldStartMs: Number(t2 - t0) / 1e6,
    coldStartCpuMs: (cpu.user + cpu.system) / 1000,
    outcome,
    sent,
    ...(world ? { recorded } : {}),
    ...(divergence ? { divergence } : {}),
    otherRequests,
    windowUs: [Number(t0 / 1000n), Number(t2 / 1000n)],
  };
  fs.writeFileSync(spec.resultFile, encodeJson(result));
  process.exit(0);
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`cold-start child failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
