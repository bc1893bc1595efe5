/**
 * The local runtime's server answers an error that escapes a function or a local route the way every
 * route answers: a 5xx carries its code and a fixed sentence, never the error's own text.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHttpServer } from '../../local/http-server';
import { RetryableAwsError } from '../../shared/domain/errors';

const INTERNAL_TEXT = "ENOENT: no such file or directory, open '/home/ana/.switchyard/registry/000123.ldb'";
let server: Server;
let base: string;

beforeAll(async () => {
  server = createHttpServer(
    {
      explode: async () => {
        throw new Error(INTERNAL_TEXT);
      },
    },
    [{ method: 'GET', path: '/explode', fn: 'explode' }],
    {
      '/local-busy': async () => {
        throw new RetryableAwsError('PutEvents did not go through this time (ThrottlingException: Rate exceeded for arn:aws:events:us-east-1:123456789012:event-bus/default); it is safe to retry.', 'ThrottlingException');
      },
    },
  );
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
});

beforeEach(() => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

it('answers a function that throws with 500 INTERNAL and a fixed sentence', async () => {
  const res = await fetch(`${base}/explode`);
  const text = await res.text();
  expect(res.status).toBe(500);
  expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side; the request may be retried safely.' } });
  expect(text).not.toContain('ENOENT');
  expect(text).not.toContain('.switchyard');
});

it('answers a local route that throws a retryable AWS error with 503 RETRY_LATER, without AWS text', async () => {
  const res = await fetch(`${base}/local-busy`, { method: 'POST', body: '{}' });
  const text = await res.text();
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('2');
  expect(JSON.parse(text)).toEqual({ error: { code: 'RETRY_LATER', message: 'AWS did not complete a call this request needed; retry in a few seconds.' } });
  for (const internal of ['arn:aws', '123456789012', 'Throttling', 'PutEvents']) expect(text).not.toContain(internal);
});
