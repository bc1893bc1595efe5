import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDeliveryStore } from '../../shared/adapters/aws/dynamodb-delivery-store';
import { createDynamoDocumentClient, ensureRegistryTable } from '../../shared/adapters/aws/dynamodb-table';
import { SesNotifier } from '../../shared/adapters/aws/ses-notifier';
import { postJson } from '../../shared/adapters/http/json-post';
import { OutboxNotifier } from '../../shared/adapters/local/outbox-notifier';
import { nothingSent } from '../../shared/domain/delivery';
import { advance, newEnvironment } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import type { Notification } from '../../shared/ports';
import { sendOnce } from '../../shared/use-cases/deliver';

const dynalite = require('dynalite') as typeof import('dynalite');

const TABLE = 'switchyard-registry';
const server = dynalite({ createTableMs: 0 });
let deliveries: DynamoDeliveryStore;
const now = () => new Date('2026-11-28T09:00:00Z');

beforeAll(async () => {
  await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
  const doc = createDynamoDocumentClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  await ensureRegistryTable(doc as never, TABLE);
  deliveries = new DynamoDeliveryStore(doc, TABLE);
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe('delivery records in the registry', () => {
  const key = (subject: string) => ({ subject, kind: 'ready', channel: 'email' });

  it('lets one claim through; later ones learn whether it was delivered or is still being sent', async () => {
    const k = key('staging-00000001');
    expect(await deliveries.claim(k, now())).toEqual({ claimed: true });
    expect(await deliveries.claim(k, now())).toEqual({ claimed: false, state: 'sending' });
    await deliveries.markDelivered(k, now());
    expect(await deliveries.claim(k, now())).toEqual({ claimed: false, state: 'delivered' });
    // A delivered message is never released, whoever asks.
    await deliveries.release(k);
    expect(await deliveries.claim(k, now())).toEqual({ claimed: false, state: 'delivered' });
  });

  it('keeps the channels, kinds and subjects apart', async () => {
    expect(await deliveries.claim(key('staging-00000002'), now())).toEqual({ claimed: true });
    expect(await deliveries.claim({ ...key('staging-00000002'), channel: 'slack' }, now())).toEqual({ claimed: true });
    expect(await deliveries.claim({ ...key('staging-00000002'), kind: 'failed' }, now())).toEqual({ claimed: true });
    expect(await deliveries.claim(key('staging-00000003'), now())).toEqual({ claimed: true });
  });

  it('makes a released claim claimable again, by exactly one of many asking at once', async () => {
    const k = key('staging-00000004');
    await deliveries.claim(k, now());
    await deliveries.release(k);
    const claims = await Promise.all(Array.from({ length: 6 }, () => deliveries.claim(k, now())));
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
  });

  it('sends once with many senders racing for the same message', async () => {
    let sends = 0;
    const send = async () => {
      sends++;
    };
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => sendOnce(deliveries, key('staging-00000005'), now, send)));
    expect(sends).toBe(1);
    expect(outcomes.filter((o) => o.outcome === 'sent')).toHaveLength(1);
  });
});

describe('what a failed send says about what went out', () => {
  const request = parseEnvironmentRequest({ name: 'Staging', ou: 'Workloads/Staging' }, { emailTemplate: 'admin+{slug}@example.com' });
  const failed = advance(newEnvironment(request, { now: now(), source: 'test' }), 'FAILED', now(), 'EMAIL_ALREADY_EXISTS', {
    failure: { code: 'EMAIL_ALREADY_EXISTS', message: 'The email is taken.', fix: 'Use another email.' },
  });
  const FAILED: Notification = { kind: 'failed', environment: failed };
  const noWait = async () => undefined;
  const target = { receiver: 'The receiver', destination: 'the test URL', service: 'Test' };
  const answering = (statuses: number[]) => {
    let n = 0;
    return (async () => new Response('x', { status: statuses[Math.min(n++, statuses.length - 1)]! })) as unknown as typeof fetch;
  };
  /** Takes the request and never answers: whether it arrived is unknown. */
  const silent = (async (_url: unknown, init?: RequestInit) =>
    new Promise<Response>((_ok, fail) => init?.signal?.addEventListener('abort', () => fail(Object.assign(new Error('aborted'), { name: 'AbortError' }))))) as unknown as typeof fetch;
  const failureOf = (run: Promise<unknown>) => run.then(() => undefined, (error: Error) => error);

  it('an answer refusing the message every time (503, 429, 404) sent nothing', async () => {
    for (const statuses of [[503], [429, 503], [404]]) {
      const error = await failureOf(postJson({ url: 'https://receiver.example.com/', body: '{}' }, target, { fetch: answering(statuses), sleep: noWait }));
      expect(error).toBeDefined();
      expect(nothingSent(error)).toBe(true);
    }
  });

  it('a request that got no answer in time may have arrived, and so may one refused after it', async () => {
    const timedOut = await failureOf(postJson({ url: 'https://receiver.example.com/', body: '{}' }, target, { fetch: silent, timeoutMs: 10, retries: 0, sleep: noWait }));
    expect(timedOut?.name).toBe('RetryableAwsError');
    expect(nothingSent(timedOut)).toBe(false);

    let first = true;
    const thenRefused = (async (url: unknown, init?: RequestInit) => {
      if (!first) return new Response('duplicate', { status: 409 });
      first = false;
      return silent(url as string, init);
    }) as unknown as typeof fetch;
    const refusedAfter = await failureOf(postJson({ url: 'https://receiver.example.com/', body: '{}' }, target, { fetch: thenRefused, timeoutMs: 10, retries: 1, sleep: noWait }));
    expect(refusedAfter?.name).toBe('AwsRequestRejectedError');
    expect(nothingSent(refusedAfter)).toBe(false);
  });

  it('a connection refused (nothing listening) sent nothing', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const error = await failureOf(postJson({ url: `http://127.0.0.1:${port}/`, body: '{}' }, target, { retries: 1, sleep: noWait }));
    expect(error?.message).toContain('ECONNREFUSED');
    expect(nothingSent(error)).toBe(true);
  });

  it('SES answering with an error sent nothing; SES not answering may have sent it', async () => {
    const throwing = (error: Error) => new SesNotifier({ send: async () => Promise.reject(error) } as unknown as SESv2Client, { from: 'a@example.com', to: 'b@example.com' });
    const throttled = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 } });
    const timedOut = Object.assign(new Error('socket timed out'), { name: 'TimeoutError', $metadata: {} });
    const throttledError = await failureOf(throwing(throttled).send(FAILED));
    expect(throttledError?.name).toBe('RetryableAwsError');
    expect(nothingSent(throttledError)).toBe(true);
    const timedOutError = await failureOf(throwing(timedOut).send(FAILED));
    expect(timedOutError?.name).toBe('RetryableAwsError');
    expect(nothingSent(timedOutError)).toBe(false);
  });

  it('an outbox file that could not be written sent nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-outbox-'));
    try {
      const outbox = new OutboxNotifier(dir, { channel: 'email' });
      // A folder where the file goes: the rename that would publish it fails.
      mkdirSync(outbox.fileFor(FAILED));
      const error = await failureOf(outbox.send(FAILED));
      expect(error).toBeDefined();
      expect(nothingSent(error)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an error no channel vouches for (a plain crash) may have sent it', () => {
    expect(nothingSent(new Error('the process stopped'))).toBe(false);
    expect(nothingSent(Object.assign(new Error('x'), { name: 'RetryableAwsError' }))).toBe(false);
    expect(nothingSent(Object.assign(new Error('x'), { name: 'NotConfiguredError' }))).toBe(true);
  });
});
