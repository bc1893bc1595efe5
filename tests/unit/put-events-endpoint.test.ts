/**
 * The local PutEvents endpoint as the real EventBridge client (and `aws events put-events`) drives it:
 * what it refuses, and that a refusal is an AWS fault the SDK understands carrying Switchyard's
 * JSON error shape too.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { putEventsEndpoint } from '../../local/aws-events-endpoint';
import { createHttpServer } from '../../local/http-server';
import { LocalEventBus } from '../../shared/adapters/local/local-event-bus';
import { jsonDepth } from '../../shared/domain/json-depth';

let dir: string;
let server: Server;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-put-events-'));
  const bus = new LocalEventBus(join(dir, 'events'), [], () => ({}));
  server = createHttpServer({}, [], { '/_aws/events': putEventsEndpoint(bus) });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_aws/events`;
});

afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
});

const client = () => new EventBridgeClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
const eventFiles = () => readdirSync(join(dir, 'events'));
/** `{"a":[[…]]}`: an object `levels` deep (arrays inside, so 10,000 levels stay within the 64 KB body limit). */
const nested = (levels: number) => `{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
const entry = (detail: string) => ({ Source: 'switchyard.requests', DetailType: 'Environment Requested', Detail: detail });

async function post(body: string, headers: Record<string, string> = { 'x-amz-target': 'AWSEvents.PutEvents' }) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', ...headers }, body });
  return { status: res.status, body: (await res.json()) as any };
}

describe('a Detail nested too deep', () => {
  it('is refused whole with 400, naming the entry, before anything is put', async () => {
    const before = eventFiles().length;
    const reply = await post(JSON.stringify({ Entries: [entry('{"name":"Fine"}'), entry(nested(10_000))] }));
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      __type: 'ValidationException',
      message: expect.any(String),
      error: { code: 'INVALID_INPUT', message: expect.any(String), fields: [{ field: 'Entries.1.Detail', message: 'is nested deeper than 32 levels' }] },
    });
    expect(eventFiles()).toHaveLength(before);
  });

  it('reaches the EventBridge client as a ValidationException', async () => {
    await expect(client().send(new PutEventsCommand({ Entries: [entry(nested(10_000))] }))).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });

  it('is 32 levels at most: 32 are accepted, 33 are not', async () => {
    const at = await client().send(new PutEventsCommand({ Entries: [entry(nested(32))] }));
    expect(at.FailedEntryCount).toBe(0);
    await expect(client().send(new PutEventsCommand({ Entries: [entry(nested(33))] }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('the other faults', () => {
  it.each([
    ['a body that is JSON null', 'null', 'SerializationException'],
    ['a body that is not JSON', 'Entries=1', 'SerializationException'],
    ['no entries', '{"Entries":[]}', 'ValidationException'],
  ])('answer %s with 400 in both shapes', async (_title, body, type) => {
    const reply = await post(body);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ __type: expect.stringMatching(/Exception$/), error: { code: 'INVALID_INPUT', message: expect.any(String) } });
    if (type === 'ValidationException') expect(reply.body.__type).toBe(type);
  });

  it('answers another operation with 400 in both shapes', async () => {
    const reply = await post('{}', { 'x-amz-target': 'AWSEvents.ListRules' });
    expect(reply).toEqual({ status: 400, body: expect.objectContaining({ __type: 'UnknownOperationException', error: expect.objectContaining({ code: 'INVALID_INPUT' }) }) });
  });
});

describe('jsonDepth', () => {
  it.each([
    ['a scalar', 0, 1],
    ['null', 0, null],
    ['an empty object', 1, {}],
    ['an empty array', 1, []],
    ['an object holding an array', 2, { a: [1] }],
    ['the deepest branch of several', 4, { a: 1, b: { c: { d: [] } }, e: [[]] }],
  ])('of %s is %i', (_title, depth, value) => {
    expect(jsonDepth(value)).toBe(depth);
  });

  it('stops counting past the limit of 32, without recursing', () => {
    expect(jsonDepth(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toBe(33);
  });
});
