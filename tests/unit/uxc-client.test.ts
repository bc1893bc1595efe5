/**
 * The UXC call as AWS would receive it: a loopback server stands in for uxc.us-east-1.api.aws,
 * records every request and answers as the API reference says UXC answers (restJson1 errors), and a
 * SigV4 check written from AWS's documentation (tests/fixtures/sigv4-verifier.ts, itself tried on
 * AWS's published example) decides whether the signature is good.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveUxcEndpoint, updateAccountColor, UxcCallError, type UxcEndpoint } from '../../shared/adapters/aws/uxc-client';
import { mapUxcError } from '../../shared/adapters/aws/uxc-errors';
import { verifySigV4, type SignedRequest } from '../fixtures/sigv4-verifier';

const CREDENTIALS = { accessKeyId: 'ASIAEXAMPLECOLOUR', secretAccessKey: 'colour/secret+key/EXAMPLE', sessionToken: 'session-token-of-the-assumed-role' };
const UXC_SCOPE = { region: 'us-east-1', service: 'uxc' };
/** The key UXC knows: the assumed role's, session token and all. */
const KEYS = [CREDENTIALS];
const NO_WAIT = { backoffMs: () => 0 };

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the client's timeout must end it). */
  hang?: boolean;
}

interface FakeUxc {
  url: string;
  endpoint: UxcEndpoint;
  received: SignedRequest[];
  /** Answers in order; the last one repeats. */
  answers: Answer[];
  close(): Promise<void>;
}

async function fakeUxc(answers: Answer[] = [{ status: 200, headers: { 'content-type': 'application/json' }, body: '{"accountColor":"lightBlue","visibleServices":null,"visibleRegions":null}' }]): Promise<FakeUxc> {
  const received: SignedRequest[] = [];
  const fake = { answers } as FakeUxc;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      const answer = fake.answers[Math.min(received.length - 1, fake.answers.length - 1)]!;
      if (answer.hang) return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url,
    endpoint: { url: new URL(url), region: 'us-east-1' },
    received,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  });
}

const json = (headers: IncomingHttpHeaders) => headers['content-type'];
let uxc: FakeUxc | undefined;
afterEach(async () => {
  await uxc?.close();
  uxc = undefined;
});

describe('UpdateAccountCustomizations over the wire', () => {
  it('PATCHes /v1/account-customizations with only accountColor as JSON, SigV4-signed for uxc in us-east-1 with the session token', async () => {
    uxc = await fakeUxc();
    const out = await updateAccountColor(CREDENTIALS, 'lightBlue', { endpoint: uxc.endpoint });
    expect(out).toEqual({ accountColor: 'lightBlue' });
    expect(uxc.received).toHaveLength(1);
    const [request] = uxc.received as [SignedRequest];
    expect(request.method).toBe('PATCH');
    expect(request.url).toBe('/v1/account-customizations');
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({ accountColor: 'lightBlue' });
    expect(json(request.headers)).toBe('application/json');
    expect(request.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);

    const verdict = verifySigV4(request, KEYS, UXC_SCOPE);
    expect(verdict).toMatchObject({ ok: true, accessKeyId: CREDENTIALS.accessKeyId });
    // The body's type and the session token are covered by the signature, not only sent.
    expect((verdict as { signedHeaders: string[] }).signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type', 'x-amz-security-token']));
  });

  it('fails the check with a wrong secret, another service or another region', async () => {
    uxc = await fakeUxc();
    await updateAccountColor(CREDENTIALS, 'red', { endpoint: uxc.endpoint });
    const [request] = uxc.received as [SignedRequest];
    expect(verifySigV4(request, [{ ...CREDENTIALS, secretAccessKey: `${CREDENTIALS.secretAccessKey}x` }], UXC_SCOPE)).toEqual({
      ok: false,
      type: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    });
    expect(verifySigV4(request, KEYS, { region: 'us-east-1', service: 'execute-api' })).toMatchObject({ ok: false });
    expect(verifySigV4(request, KEYS, { region: 'eu-west-1', service: 'uxc' })).toMatchObject({ ok: false });
    // And a body changed on the way no longer matches what was signed.
    expect(verifySigV4({ ...request, body: Buffer.from('{"accountColor":"pink"}') }, KEYS, UXC_SCOPE)).toMatchObject({ ok: false });
  });

  it('goes where AWS_ENDPOINT_URL_UXC points, under its path, signed for us-east-1', async () => {
    uxc = await fakeUxc();
    const endpoint = resolveUxcEndpoint({ AWS_ENDPOINT_URL_UXC: `${uxc.url}/emulator/` });
    await updateAccountColor(CREDENTIALS, 'green', { endpoint });
    const [request] = uxc.received as [SignedRequest];
    expect(request.url).toBe('/emulator/v1/account-customizations');
    expect(verifySigV4(request, KEYS, UXC_SCOPE)).toMatchObject({ ok: true });
  });

  it('retries a throttle and answers with the colour once UXC lets it through', async () => {
    const throttled: Answer = { status: 429, headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.service/', 'content-type': 'application/json' }, body: '{"message":"Rate exceeded"}' };
    uxc = await fakeUxc([throttled, throttled, { status: 200, body: '{"accountColor":"orange"}' }]);
    expect(await updateAccountColor(CREDENTIALS, 'orange', { endpoint: uxc.endpoint, ...NO_WAIT })).toEqual({ accountColor: 'orange' });
    expect(uxc.received).toHaveLength(3);
    // Each attempt is signed on its own, so each is valid by itself.
    for (const request of uxc.received) expect(verifySigV4(request, KEYS, UXC_SCOPE)).toMatchObject({ ok: true });
  });
});

/** What the step shows in the timeline once the adapter's error is mapped. */
async function refusal(answers: Answer[], options: { maxAttempts?: number; timeoutMs?: number } = {}): Promise<{ error: Error; requests: number }> {
  uxc = await fakeUxc(answers);
  const thrown = await updateAccountColor(CREDENTIALS, 'yellow', { endpoint: uxc.endpoint, ...NO_WAIT, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(UxcCallError);
  return { error: mapUxcError(thrown, 'yellow'), requests: uxc.received.length };
}

describe('what a refusal becomes', () => {
  it('AccessDeniedException (403, type in x-amzn-errortype): rejected at once, with AWS message and a fix', async () => {
    const { error, requests } = await refusal([
      { status: 403, headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/' }, body: '{"message":"User is not authorized to perform: uxc:UpdateAccountCustomizations"}' },
    ]);
    expect(requests).toBe(1);
    expect(error.name).toBe('AwsRequestRejectedError');
    expect(error.message).toMatch(/^UXC AccessDeniedException — User is not authorized to perform: uxc:UpdateAccountCustomizations\. Fix: .*service control policy.*aws uxc update-account-customizations --account-color yellow\)$/);
  });

  it('ValidationException (400, type in the body as namespace#Name): rejected at once, naming the fields', async () => {
    const { error, requests } = await refusal([
      {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ __type: 'com.amazonaws.uxc#ValidationException', message: 'Invalid input', fieldList: [{ name: 'accountColor', message: 'Member must satisfy enum value set' }] }),
      },
    ]);
    expect(requests).toBe(1);
    expect(error.name).toBe('AwsRequestRejectedError');
    expect(error.message).toMatch(/^UXC ValidationException — Invalid input \(fields accountColor\)\. Fix: this is a defect/);
  });

  it('ThrottlingException on every attempt: three attempts, then retryable with nothing to change', async () => {
    const { error, requests } = await refusal([{ status: 429, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' }]);
    expect(requests).toBe(3);
    expect(error.name).toBe('RetryableAwsError');
    expect(error.message).toMatch(/^UXC ThrottlingException — Rate exceeded\. Fix: nothing to change/);
  });

  it('InternalServerException (500) on every attempt: retried, then retryable', async () => {
    const { error, requests } = await refusal([{ status: 500, headers: { 'x-amzn-errortype': 'InternalServerException' }, body: '{"message":"Internal error"}' }], { maxAttempts: 2 });
    expect(requests).toBe(2);
    expect(error).toMatchObject({ name: 'RetryableAwsError', awsError: 'InternalServerException' });
  });

  it('an answer that is no AWS error at all (an emulator without UXC) says what came back', async () => {
    const { error, requests } = await refusal([{ status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Not Found</body></html>' }]);
    expect(requests).toBe(1);
    expect(error.name).toBe('AwsRequestRejectedError');
    expect(error.message).toContain('UXC Http404 — HTTP 404 without an AWS error type: <html><body>Not Found</body></html>.');
  });

  it('an endpoint that never answers times out, is tried again, then is retryable', async () => {
    const { error, requests } = await refusal([{ status: 200, hang: true }], { maxAttempts: 2, timeoutMs: 100 });
    expect(requests).toBe(2);
    expect(error.name).toBe('RetryableAwsError');
    expect(error.message).toMatch(/^UXC ETIMEDOUT — No answer from http:\/\/127\.0\.0\.1:\d+: no answer within 100 ms\. Fix: nothing to change/);
  });

  it('an endpoint nobody listens on is retried, then retryable', async () => {
    const closed = await fakeUxc();
    const endpoint = closed.endpoint;
    await closed.close();
    let attempts = 0;
    const thrown = await updateAccountColor(CREDENTIALS, 'yellow', { endpoint, backoffMs: () => (attempts++, 0) }).catch((e: unknown) => e);
    expect(thrown).toMatchObject({ name: 'ECONNREFUSED', network: true });
    // Two waits: three attempts.
    expect(attempts).toBe(2);
    const error = mapUxcError(thrown, 'yellow');
    expect(error.name).toBe('RetryableAwsError');
    expect(error.message).toMatch(/^UXC ECONNREFUSED — No answer from http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });

  it('something that is not a UXC answer (a defect) stays what it was', () => {
    const defect = new TypeError('Cannot read properties of undefined');
    expect(mapUxcError(defect, 'red')).toBe(defect);
  });
});

describe('where the call goes', () => {
  it.each([
    ['nothing set: the only host AWS serves UXC from', {}, 'https://uxc.us-east-1.api.aws/'],
    ['AWS_ENDPOINT_URL for every service', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, 'http://127.0.0.1:4566/'],
    ['AWS_ENDPOINT_URL_UXC before AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_UXC: 'http://127.0.0.1:5000' }, 'http://127.0.0.1:5000/'],
    ['neither when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true', { AWS_ENDPOINT_URL_UXC: 'http://127.0.0.1:5000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'https://uxc.us-east-1.api.aws/'],
  ])('%s', (_label, env, url) => {
    expect(resolveUxcEndpoint(env)).toEqual({ url: new URL(url), region: 'us-east-1' });
  });

  it('in the China partition, its own host and region', () => {
    expect(resolveUxcEndpoint({}, 'aws-cn')).toEqual({ url: new URL('https://uxc.cn-northwest-1.api.amazonwebservices.com.cn'), region: 'cn-northwest-1' });
  });

  it('refuses an endpoint variable that is not an http(s) URL, naming the variable', () => {
    expect(() => resolveUxcEndpoint({ AWS_ENDPOINT_URL_UXC: 'not a url' })).toThrow('AWS_ENDPOINT_URL_UXC is not a URL: "not a url".');
    expect(() => resolveUxcEndpoint({ AWS_ENDPOINT_URL: 'ftp://127.0.0.1' })).toThrow('neither http nor https');
  });
});
