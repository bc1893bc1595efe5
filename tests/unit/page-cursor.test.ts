/**
 * The page cursors GET /environments and GET /rejections hand out: they page, and a cursor the API
 * did not hand out (tampered with, made up, oversized, sealed under another deployment's key) is a
 * 400 naming `cursor`, never a database error. The registry is the real one on dynalite.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { newEnvironment } from '../../shared/domain/environment';
import { InvalidInputError } from '../../shared/domain/errors';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { harness, type Harness } from '../workflow/harness';

let h: Harness;
const NAMES = ['Alpha', 'Bravo', 'Charlie'];

beforeAll(async () => {
  h = await harness();
  for (const [i, name] of NAMES.entries()) {
    const request = parseEnvironmentRequest({ name, ou: 'Workloads/Staging' }, { emailTemplate: h.deps.config.EMAIL_TEMPLATE });
    await h.deps.environments.create(newEnvironment(request, { now: new Date(Date.UTC(2026, 10, 28, 9, i)), source: 'test' }));
    await h.deps.rejections.record({ id: `evt-${i}`, at: new Date(Date.UTC(2026, 10, 28, 9, i)).toISOString(), source: 'test', code: 'INVALID_INPUT', message: 'no' });
  }
});

afterAll(() => h.close());

async function list(fn: 'listEnvironments' | 'listRejections', query: Record<string, string>) {
  const event = {
    version: '2.0',
    routeKey: 'GET /',
    rawPath: '/',
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: query,
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
  } as unknown as APIGatewayProxyEventV2;
  const result = (await h.functions[fn]!(event, { functionName: fn, awsRequestId: 'req-1' } as Context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(String(result.body)) };
}

function expectCursorRefused(reply: { status?: number; body: any }) {
  expect(reply.status).toBe(400);
  expect(reply.body.error).toEqual({ code: 'INVALID_INPUT', message: expect.any(String), fields: [{ field: 'cursor', message: expect.any(String) }] });
}

/** A registry key as the registry would take it, base64url JSON, with an id of `length` characters. */
function forgedKey(length: number, kind = { prefix: 'ENV#', all: 'ENV' }) {
  const id = 'a'.repeat(length);
  return Buffer.from(JSON.stringify({ pk: `${kind.prefix}${id}`, gsi1pk: kind.all, gsi1sk: `2026-11-28T09:00:00.000Z#${id}` })).toString('base64url');
}

async function firstCursor(fn: 'listEnvironments' | 'listRejections' = 'listEnvironments'): Promise<string> {
  const page = await list(fn, { limit: '1' });
  expect(page.status).toBe(200);
  return page.body.cursor;
}

it('pages through every environment, newest first, with the cursors handed out', async () => {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list('listEnvironments', { limit: '1', ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    names.push(...page.body.items.map((e: { name: string }) => e.name));
    cursor = page.body.cursor;
  } while (cursor);
  expect(names).toEqual(['Charlie', 'Bravo', 'Alpha']);
});

it('pages through rejections the same way', async () => {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list('listRejections', { limit: '2', ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    ids.push(...page.body.items.map((r: { id: string }) => r.id));
    cursor = page.body.cursor;
  } while (cursor);
  expect(ids).toEqual(['evt-2', 'evt-1', 'evt-0']);
});

it.each([
  ['an oversized made-up key (the database would refuse it)', () => forgedKey(3000)],
  ['a made-up key of a plausible size', () => forgedKey(20)],
  ['a cursor of 20,000 characters', () => 'c'.repeat(20_000)],
  ['garbage', () => 'garbage'],
])('refuses %s on GET /environments with 400', async (_what, cursor) => {
  expectCursorRefused(await list('listEnvironments', { cursor: cursor() }));
});

it.each([
  ['one character of the key changed', (c: string) => `${c.slice(0, 5)}${c[5] === 'A' ? 'B' : 'A'}${c.slice(6)}`],
  ['one character of the seal changed', (c: string) => `${c.slice(0, -1)}${c.endsWith('A') ? 'B' : 'A'}`],
  ['the seal cut off', (c: string) => c.slice(0, c.lastIndexOf('.'))],
  ['the seal given twice', (c: string) => `${c}${c.slice(c.lastIndexOf('.'))}`],
  ['another key put in front of the seal', (c: string) => `${forgedKey(3000)}${c.slice(c.lastIndexOf('.'))}`],
])('refuses a cursor it handed out with %s', async (_what, tamper) => {
  const cursor = await firstCursor();
  expect((await list('listEnvironments', { limit: '1', cursor })).status).toBe(200);
  expectCursorRefused(await list('listEnvironments', { limit: '1', cursor: tamper(cursor) }));
});

it('refuses an environments cursor on GET /rejections', async () => {
  expectCursorRefused(await list('listRejections', { cursor: await firstCursor('listEnvironments') }));
});

it('refuses a cursor sealed under another deployment\'s key', async () => {
  const config = h.deps.config;
  h.deps.config = { ...config, CURSOR_KEY: 'the-first-deployment-cursor-key' };
  const cursor = await firstCursor();
  try {
    h.deps.config = { ...config, CURSOR_KEY: 'another-deployment-cursor-key!!' };
    expectCursorRefused(await list('listEnvironments', { cursor }));
    h.deps.config = { ...config, CURSOR_KEY: 'the-first-deployment-cursor-key' };
    expect((await list('listEnvironments', { cursor })).status).toBe(200);
  } finally {
    h.deps.config = config;
  }
});

it('the registry itself refuses an oversized made-up key before asking the database', async () => {
  await expect(h.deps.environments.list({ limit: 1, cursor: forgedKey(3000) })).rejects.toBeInstanceOf(InvalidInputError);
  await expect(h.deps.rejections.list({ limit: 1, cursor: forgedKey(3000, { prefix: 'REJ#', all: 'REJ' }) })).rejects.toBeInstanceOf(InvalidInputError);
  await expect(h.deps.environments.list({ limit: 1, cursor: forgedKey(20) })).resolves.toEqual(expect.objectContaining({ items: expect.any(Array) }));
});
