/**
 * POST /webhooks/provision against Standard Webhooks' published test vector, and what a malformed
 * signing secret or timestamp header is answered with. The vector (secret, id, timestamp, payload
 * and signature) is the one the Standard Webhooks reference libraries test their signer with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { build } from '../../functions/provision-webhook/handler';
import { startRuntime } from '../../local/runtime';
import { loadConfig } from '../../shared/lambda/config';
import type { EnvironmentStore, Events, IdempotencyStore, Organization, OrganizationIndex, Workflow } from '../../shared/ports';
import { systemClock } from '../../shared/ports';

const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

/** Ports a verified delivery with the vector's payload never reaches: its body is refused first. */
const unreachable = new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`unexpected call to ${String(name)}`)) });

function handler(secret: string | undefined) {
  return build(() => ({
    config: loadConfig({}),
    clock: systemClock,
    secrets: { get: async () => secret },
    environments: unreachable as EnvironmentStore,
    idempotency: unreachable as IdempotencyStore,
    organization: unreachable as Organization,
    organizationIndex: unreachable as OrganizationIndex,
    events: unreachable as Events,
    workflow: unreachable as Workflow,
  }));
}

async function deliver(secret: string | undefined, headers: Record<string, string>, body = VECTOR.payload) {
  const event = {
    version: '2.0',
    routeKey: 'POST /webhooks/provision',
    rawPath: '/webhooks/provision',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/webhooks/provision', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
  } as unknown as APIGatewayProxyEventV2;
  const result = (await handler(secret)(event, { functionName: 'provisionWebhook', awsRequestId: 'req-1' } as Context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(String(result.body)) };
}

const vectorHeaders = (overrides: Record<string, string> = {}) => ({
  'webhook-id': VECTOR.id,
  'webhook-timestamp': VECTOR.timestamp,
  'webhook-signature': VECTOR.signature,
  ...overrides,
});

describe('the published Standard Webhooks test vector', () => {
  // The vector was signed at its timestamp: verify as of a minute later.
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue((Number(VECTOR.timestamp) + 60) * 1000));
  afterEach(() => jest.restoreAllMocks());

  it('verifies: its payload is then refused as a request (400), not as a signature (401)', async () => {
    const reply = await deliver(VECTOR.secret, vectorHeaders());
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('INVALID_INPUT');
  });

  it('verifies among other signatures in the header', async () => {
    const reply = await deliver(VECTOR.secret, vectorHeaders({ 'webhook-signature': `v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ${VECTOR.signature}` }));
    expect(reply.status).toBe(400);
  });

  it.each([
    ['another payload', vectorHeaders(), '{"test": 2432232315}'],
    ['another id', vectorHeaders({ 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJel' }), VECTOR.payload],
    ['another timestamp', vectorHeaders({ 'webhook-timestamp': '1614265331' }), VECTOR.payload],
  ])('does not verify with %s', async (_what, headers, body) => {
    const reply = await deliver(VECTOR.secret, headers, body);
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('UNAUTHORIZED');
  });

  it.each(['1614265330abc', '1614265330.0', '+1614265330', '01614265330', ' 1614265330', '1614265330 '])(
    'refuses the vector with webhook-timestamp %j (only the digits were signed), naming the header',
    async (timestamp) => {
      const reply = await deliver(VECTOR.secret, vectorHeaders({ 'webhook-timestamp': timestamp }));
      expect(reply.status).toBe(401);
      expect(reply.body.error).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String), fields: [{ field: 'webhook-timestamp', message: expect.any(String) }] });
    },
  );

  it('names each missing header', async () => {
    const reply = await deliver(VECTOR.secret, { 'webhook-id': VECTOR.id });
    expect(reply.status).toBe(401);
    expect(reply.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['webhook-timestamp', 'webhook-signature']);
  });

  it.each([
    ['the key without whsec_', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    ['a key that is not base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS*'],
    ['a key cut short', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS'],
  ])('answers 503 NOT_CONFIGURED to a correctly signed delivery while the secret is %s', async (_what, secret) => {
    const reply = await deliver(secret, vectorHeaders());
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe('NOT_CONFIGURED');
    expect(JSON.stringify(reply.body)).not.toContain('MfKQ9r8');
  });

  it('answers 503 NOT_CONFIGURED when no secret is set', async () => {
    expect((await deliver(undefined, vectorHeaders())).status).toBe(503);
  });
});

describe('WEBHOOK_SECRET in the local runtime', () => {
  it('is checked with the other settings, naming the setting and not quoting the value', () => {
    expect(() => loadConfig({ WEBHOOK_SECRET: 'whsec_not*base64!' })).toThrow(/WEBHOOK_SECRET: must be whsec_/);
    expect(() => loadConfig({ WEBHOOK_SECRET: 'hunter2' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
    expect(loadConfig({ WEBHOOK_SECRET: VECTOR.secret })).not.toHaveProperty('WEBHOOK_SECRET');
  });

  it('stops the runtime at start when malformed, instead of refusing every delivery as the sender\'s fault', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-webhook-secret-'));
    try {
      const started = await startRuntime({ dataDir, port: 0, env: { WEBHOOK_SECRET: 'correct horse battery staple' } }).catch((error: Error) => error);
      // A runtime that started anyway is closed, so the failure shows instead of a hang.
      if (!(started instanceof Error)) await started.close();
      expect(started).toBeInstanceOf(Error);
      expect((started as Error).message).toMatch(/WEBHOOK_SECRET/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
