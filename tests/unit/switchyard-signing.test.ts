/**
 * The `switchyard` command signs its requests as API Gateway's IAM authorisation checks them. A
 * loopback server stands in for execute-api and verifies each signature with a SigV4 implementation
 * written here from AWS's documentation (canonical request, string to sign, derived key) on
 * node:crypto alone, so the signer under test is checked against something other than itself.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

// ---------------------------------------------------------------------------------------------
// SigV4, from https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// ---------------------------------------------------------------------------------------------

/** URI-encode as SigV4 asks: every byte except A-Z a-z 0-9 - _ . ~ as %XY (upper-case hex). */
function uriEncode(value: string): string {
  return Array.from(Buffer.from(value, 'utf8'))
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

interface Received {
  method: string;
  /** The request target as sent: path and query, still encoded. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Secret {
  secretAccessKey: string;
  sessionToken?: string;
}

type Verdict = { ok: true; accessKeyId: string; signedHeaders: string[]; region: string } | { ok: false; type: string; message: string };

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Verifies the Authorization header of `req` as API Gateway would (service execute-api). */
function verifySigV4(req: Received, secrets: Record<string, Secret>, opts: { region: string; service?: string; now?: Date }): Verdict {
  const service = opts.service ?? 'execute-api';
  const auth = headerValue(req.headers, 'authorization');
  if (!auth) return { ok: false, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { ok: false, type: 'IncompleteSignatureException', message: `Authorization header is not SigV4: ${auth}` };
  const [, accessKeyId, date, region, scopeService, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const secret = secrets[accessKeyId];
  if (!secret) return { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (region !== opts.region || scopeService !== service) return { ok: false, type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region/service (${region}/${scopeService}).` };
  const signedHeaders = signedList.split(';');
  for (const required of ['host', 'x-amz-date']) if (!signedHeaders.includes(required)) return { ok: false, type: 'IncompleteSignatureException', message: `${required} must be signed` };
  if (secret.sessionToken !== undefined) {
    if (headerValue(req.headers, 'x-amz-security-token') !== secret.sessionToken || !signedHeaders.includes('x-amz-security-token')) {
      return { ok: false, type: 'UnrecognizedClientException', message: 'The security token is missing, wrong or unsigned.' };
    }
  }
  const amzDate = headerValue(req.headers, 'x-amz-date') ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return { ok: false, type: 'IncompleteSignatureException', message: 'X-Amz-Date does not match the credential scope' };
  const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs((opts.now ?? new Date()).getTime() - signedAt) > 5 * 60_000) return { ok: false, type: 'InvalidSignatureException', message: 'Signature expired' };

  // The hash of the bytes that arrived, whatever the request claims.
  const payloadHash = sha256Hex(req.body);
  const claimed = headerValue(req.headers, 'x-amz-content-sha256');
  if (claimed !== undefined && claimed !== payloadHash) return { ok: false, type: 'InvalidSignatureException', message: 'x-amz-content-sha256 does not match the body' };

  const [rawPath, rawQuery = ''] = req.url.split(/\?(.*)/s) as [string, string?];
  // Every service but S3: normalise the path, then encode each segment once more (twice in all).
  const segments: string[] = [];
  for (const segment of rawPath.split('/').filter((s) => s !== '' && s !== '.')) {
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(segment));
  }
  const canonicalUri = `/${segments.join('/')}${segments.length && rawPath.endsWith('/') ? '/' : ''}`;
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [k, v = ''] = pair.split(/=(.*)/s) as [string, string?];
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, '%20'));
      return [uriEncode(decode(k)), uriEncode(decode(v))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(headerValue(req.headers, name) ?? '').trim().replace(/ +/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedList, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret.secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { ok: false, type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.' };
  }
  return { ok: true, accessKeyId, signedHeaders, region };
}

describe('the verifier (so a passing signature means something)', () => {
  // AWS's published SigV4 test suite, case get-vanilla: the request, the credentials and the signature AWS gives.
  const VANILLA: Received = { method: 'GET', url: '/', headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' }, body: Buffer.alloc(0) };
  const SECRETS = { AKIDEXAMPLE: { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } };
  const OPTS = { region: 'us-east-1', service: 'service', now: new Date('2015-08-30T12:36:00Z') };

  it("accepts AWS's own example", () => {
    expect(verifySigV4(VANILLA, SECRETS, OPTS)).toMatchObject({ ok: true, accessKeyId: 'AKIDEXAMPLE' });
  });

  it('rejects it with a wrong secret, another path, query or body, or out of date', () => {
    const rejected = (verdict: Verdict) => expect(verdict).toMatchObject({ ok: false });
    rejected(verifySigV4(VANILLA, { AKIDEXAMPLE: { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ' } }, OPTS));
    rejected(verifySigV4({ ...VANILLA, url: '/environments' }, SECRETS, OPTS));
    rejected(verifySigV4({ ...VANILLA, url: '/?limit=1' }, SECRETS, OPTS));
    rejected(verifySigV4({ ...VANILLA, body: Buffer.from('{}') }, SECRETS, OPTS));
    rejected(verifySigV4(VANILLA, SECRETS, { ...OPTS, now: new Date('2015-08-30T12:46:00Z') }));
    rejected(verifySigV4(VANILLA, SECRETS, { ...OPTS, region: 'eu-west-1' }));
  });
});

// ---------------------------------------------------------------------------------------------
// The command against a loopback execute-api
// ---------------------------------------------------------------------------------------------

const REGION = 'eu-west-1';
const ENV_KEY = { id: 'AKIAENVEXAMPLE000001', secret: 'env/secret/Key+Example0000000000000000001', token: 'IQoJb3JpZ2luX2VjEXAMPLE//session+token==' };
const PROFILE_KEY = { id: 'AKIAPROFILEEXAMPLE01', secret: 'profile/secret/Key+Example0000000000000001' };
const SECRETS: Record<string, Secret> = {
  [ENV_KEY.id]: { secretAccessKey: ENV_KEY.secret, sessionToken: ENV_KEY.token },
  [PROFILE_KEY.id]: { secretAccessKey: PROFILE_KEY.secret },
};

interface Seen extends Received {
  verdict: Verdict;
}

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
let home: string;

const ENVIRONMENT = {
  id: 'signed-env-1a2b3c4d',
  name: 'Signed Env',
  status: 'REQUESTED',
  ou: 'Workloads/Staging',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  timeline: [{ at: '2026-01-01T00:00:00.000Z', status: 'REQUESTED', note: 'requested via api' }],
};

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'switchyard-signing-'));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      const verdict = verifySigV4(received, SECRETS, { region: REGION });
      seen.push({ ...received, verdict });
      if (!verdict.ok) {
        res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': verdict.type }).end(JSON.stringify({ message: verdict.message }));
        return;
      }
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const path = received.url.split('?')[0];
      if (req.method === 'GET' && path === '/prod/environments') return json(200, { items: [ENVIRONMENT] });
      if (req.method === 'POST' && path === '/prod/environments') return json(202, { id: ENVIRONMENT.id, status: 'REQUESTED', environment: ENVIRONMENT, links: {} });
      json(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  // A stage path, as a deployed API with a named stage has.
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});

afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(home, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** The command as a user runs it, with only the environment given here (no AWS settings of the machine's). */
async function switchyard(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'switchyard.cjs'), ...args],
      {
        cwd: home,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          AWS_CONFIG_FILE: join(home, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

const ENV_CREDENTIALS = { AWS_ACCESS_KEY_ID: ENV_KEY.id, AWS_SECRET_ACCESS_KEY: ENV_KEY.secret, AWS_SESSION_TOKEN: ENV_KEY.token };

it('signs a GET with a query, and a POST over the exact bytes of its body, with credentials and session token from the environment (--sign)', async () => {
  const list = await switchyard(['list', '--json', '--endpoint', endpoint, '--sign', '--region', REGION], ENV_CREDENTIALS);
  expect(list).toMatchObject({ code: 0, err: '' });
  expect(JSON.parse(list.out)).toEqual([ENVIRONMENT]);

  const asked = await switchyard(['request', 'Signed Env', '--ou', 'Workloads/Staging', '--color', 'green', '--ttl', 'P14D', '--json', '--endpoint', endpoint, '--sign', '--region', REGION], ENV_CREDENTIALS);
  expect(asked).toMatchObject({ code: 0, err: '' });
  expect(JSON.parse(asked.out)).toMatchObject({ id: ENVIRONMENT.id, status: 'REQUESTED' });

  expect(seen.map((s) => [s.method, s.url])).toEqual([
    ['GET', '/prod/environments?limit=100'],
    ['POST', '/prod/environments'],
  ]);
  for (const request of seen) {
    expect(request.verdict).toMatchObject({ ok: true, accessKeyId: ENV_KEY.id, region: REGION });
    expect((request.verdict as { signedHeaders: string[] }).signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']));
  }
  expect(JSON.parse(seen[1]!.body.toString('utf8'))).toEqual({ name: 'Signed Env', ou: 'Workloads/Staging', color: 'green', ttl: 'P14D' });
  expect((seen[1]!.verdict as { signedHeaders: string[] }).signedHeaders).toContain('content-type');
});

it('signs when SWITCHYARD_SIGN=1, for the region in AWS_REGION', async () => {
  const list = await switchyard(['list', '--endpoint', endpoint], { ...ENV_CREDENTIALS, SWITCHYARD_SIGN: '1', AWS_REGION: REGION });
  expect(list.code).toBe(0);
  expect(list.out).toContain('Signed Env');
  expect(seen).toHaveLength(1);
  expect(seen[0]!.verdict).toMatchObject({ ok: true, accessKeyId: ENV_KEY.id });
});

it('signs with the credentials of --profile, from AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE', async () => {
  const credentials = join(home, 'credentials');
  const config = join(home, 'config');
  writeFileSync(credentials, `[default]\naws_access_key_id = AKIAWRONGDEFAULT0001\naws_secret_access_key = wrong\n\n[ci]\naws_access_key_id = ${PROFILE_KEY.id}\naws_secret_access_key = ${PROFILE_KEY.secret}\n`);
  writeFileSync(config, `[default]\nregion = us-east-1\n\n[profile ci]\nregion = ${REGION}\n`);
  const list = await switchyard(['list', '--json', '--endpoint', endpoint, '--sign', '--region', REGION, '--profile', 'ci'], { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config });
  expect(list).toMatchObject({ code: 0, err: '' });
  expect(seen).toHaveLength(1);
  expect(seen[0]!.verdict).toMatchObject({ ok: true, accessKeyId: PROFILE_KEY.id });
  // No session token with long-term keys.
  expect(seen[0]!.headers['x-amz-security-token']).toBeUndefined();
});

it('is refused by the verifier with a wrong secret, and says so with the code and message API Gateway sends', async () => {
  const list = await switchyard(['list', '--endpoint', endpoint, '--sign', '--region', REGION], { ...ENV_CREDENTIALS, AWS_SECRET_ACCESS_KEY: `${ENV_KEY.secret}x` });
  expect(list.code).toBe(1);
  expect(list.out).toBe('');
  expect(seen[0]!.verdict).toMatchObject({ ok: false, type: 'InvalidSignatureException' });
  expect(list.err).toContain('switchyard list: the API refused (403 InvalidSignatureException): The request signature we calculated does not match the signature you provided.');
  expect(list.err).toContain('fix: check the credentials and the region');
});

it('sends no signature to an endpoint that is not execute-api unless asked', async () => {
  const list = await switchyard(['list', '--endpoint', endpoint], ENV_CREDENTIALS);
  expect(seen).toHaveLength(1);
  expect(seen[0]!.headers.authorization).toBeUndefined();
  expect(list.code).toBe(1);
  expect(list.err).toContain('(403 MissingAuthenticationTokenException): Missing Authentication Token');
});

it('stops with exit 1, naming where it looked, when no credentials can be found', async () => {
  const list = await switchyard(['list', '--endpoint', endpoint, '--sign', '--region', REGION], {});
  expect(list.code).toBe(1);
  expect(seen).toHaveLength(0);
  expect(list.err).toMatch(/^switchyard list: Requests to http:\/\/127\.0\.0\.1:\d+\/prod are signed \(--sign\), and no AWS credentials could be loaded/);
});
