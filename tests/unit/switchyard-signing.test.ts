/**
 * The `switchyard` command signs its requests as API Gateway's IAM authorisation checks them. A
 * loopback server stands in for execute-api and verifies each signature with the SigV4 check written
 * from AWS's documentation on node:crypto alone (tests/fixtures/sigv4-verifier.ts), so the signer
 * under test is checked against something other than itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySigV4, type SigV4Key, type SigV4Verdict, type SignedRequest } from '../fixtures/sigv4-verifier';

const ROOT = join(__dirname, '..', '..');

const REGION = 'eu-west-1';
const ENV_KEY = { id: 'AKIAENVEXAMPLE000001', secret: 'env/secret/Key+Example0000000000000000001', token: 'IQoJb3JpZ2luX2VjEXAMPLE//session+token==' };
const PROFILE_KEY = { id: 'AKIAPROFILEEXAMPLE01', secret: 'profile/secret/Key+Example0000000000000001' };
/** The keys the stand-in execute-api knows. */
const KEYS: SigV4Key[] = [
  { accessKeyId: ENV_KEY.id, secretAccessKey: ENV_KEY.secret, sessionToken: ENV_KEY.token },
  { accessKeyId: PROFILE_KEY.id, secretAccessKey: PROFILE_KEY.secret },
];

interface Seen extends SignedRequest {
  verdict: SigV4Verdict;
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
      const received: SignedRequest = { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      const verdict = verifySigV4(received, KEYS, { region: REGION, service: 'execute-api' });
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
