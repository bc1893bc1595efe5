/**
 * Standard Webhooks signing and verifying with node:crypto (shared/adapters/http/standard-webhooks.ts)
 * against the published test vector and the reference library (standardwebhooks): each must accept
 * what the other signs, and refuse the same things.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signWebhook, verifyStandardWebhook, webhookSigningKey } from '../../shared/adapters/http/standard-webhooks';

/** The vector the Standard Webhooks reference libraries test their signer with. */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const headers = (id: string, timestamp: number | string, signature: string) => ({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature });
const at = (seconds: number) => seconds * 1000;

describe('signWebhook', () => {
  it('signs the published vector as published', () => {
    expect(signWebhook(webhookSigningKey(VECTOR.secret)!, VECTOR.id, VECTOR.timestamp, VECTOR.payload)).toBe(VECTOR.signature);
  });

  it.each([
    ['a JSON body', '{"name":"ci-preview-42","ou":"Workloads"}'],
    ['an empty body', ''],
    ['text beyond ASCII', '{"note":"Zürich – 東京 – 🚀"}'],
    ['a body with the separator in it', 'a.b.c'],
  ])('signs %s exactly as the reference library does', (_what, body) => {
    for (let i = 0; i < 5; i++) {
      const secret = `whsec_${randomBytes(24 + i).toString('base64')}`;
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const timestamp = 1_700_000_000 + i * 977;
      expect(signWebhook(webhookSigningKey(secret)!, id, timestamp, body)).toBe(new Webhook(secret).sign(id, new Date(at(timestamp)), body));
    }
  });
});

describe('webhookSigningKey', () => {
  it('reads the key with or without whsec_, as the reference library does', () => {
    const key = randomBytes(32);
    expect(webhookSigningKey(`whsec_${key.toString('base64')}`)).toEqual(key);
    expect(webhookSigningKey(key.toString('base64'))).toEqual(key);
  });

  it.each([
    ['nothing after whsec_', 'whsec_'],
    ['an empty secret', ''],
    ['characters outside base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS*'],
    ['base64 cut short', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS'],
    ['URL-safe base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa_-'],
  ])('holds no key with %s', (_what, secret) => {
    expect(webhookSigningKey(secret)).toBeUndefined();
  });
});

describe('verifyStandardWebhook', () => {
  const now = at(VECTOR.timestamp + 60);

  it('verifies the published vector', () => {
    expect(() => verifyStandardWebhook(VECTOR.secret, VECTOR.payload, headers(VECTOR.id, VECTOR.timestamp, VECTOR.signature), now)).not.toThrow();
  });

  it('verifies what the reference library signs, and the library verifies what it signs', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const body = '{"name":"staging","ou":"Workloads/Staging"}';
    const timestamp = 1_764_322_200;
    const theirs = new Webhook(secret).sign('msg_1', new Date(at(timestamp)), body);
    expect(() => verifyStandardWebhook(secret, body, headers('msg_1', timestamp, theirs), at(timestamp))).not.toThrow();
    const ours = signWebhook(webhookSigningKey(secret)!, 'msg_2', timestamp, body);
    jest.spyOn(Date, 'now').mockReturnValue(at(timestamp));
    try {
      expect(() => new Webhook(secret).verify(body, headers('msg_2', timestamp, ours))).not.toThrow();
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('verifies when one of several signatures matches (key rotation), skipping other versions', () => {
    const list = `v1a,${VECTOR.signature.slice(3)} v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ${VECTOR.signature}`;
    expect(() => verifyStandardWebhook(VECTOR.secret, VECTOR.payload, headers(VECTOR.id, VECTOR.timestamp, list), now)).not.toThrow();
  });

  it.each([
    ['another body', '{"test": 2432232315}', headers(VECTOR.id, VECTOR.timestamp, VECTOR.signature)],
    ['another id', VECTOR.payload, headers('msg_p5jXN8AQM9LWM0D4loKWxJel', VECTOR.timestamp, VECTOR.signature)],
    ['another timestamp', VECTOR.payload, headers(VECTOR.id, VECTOR.timestamp + 1, VECTOR.signature)],
    ['the signature under another version', VECTOR.payload, headers(VECTOR.id, VECTOR.timestamp, `v2,${VECTOR.signature.slice(3)}`)],
    ['the signature without its version', VECTOR.payload, headers(VECTOR.id, VECTOR.timestamp, VECTOR.signature.slice(3))],
    ['a truncated signature', VECTOR.payload, headers(VECTOR.id, VECTOR.timestamp, VECTOR.signature.slice(0, -2))],
  ])('refuses %s, as the reference library does', (_what, body, sent) => {
    expect(() => verifyStandardWebhook(VECTOR.secret, body, sent, now)).toThrow(expect.objectContaining({ name: 'UnauthorizedError', message: expect.stringContaining('No matching signature') }));
    jest.spyOn(Date, 'now').mockReturnValue(now);
    try {
      expect(() => new Webhook(VECTOR.secret).verify(body, sent)).toThrow();
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('accepts a timestamp up to five minutes either side of now, and refuses one beyond', () => {
    const key = webhookSigningKey(VECTOR.secret)!;
    const signedAt = (timestamp: number) => headers(VECTOR.id, timestamp, signWebhook(key, VECTOR.id, timestamp, VECTOR.payload));
    const clock = 1_764_322_200;
    expect(() => verifyStandardWebhook(VECTOR.secret, VECTOR.payload, signedAt(clock - 300), at(clock))).not.toThrow();
    expect(() => verifyStandardWebhook(VECTOR.secret, VECTOR.payload, signedAt(clock + 300), at(clock))).not.toThrow();
    expect(() => verifyStandardWebhook(VECTOR.secret, VECTOR.payload, signedAt(clock - 301), at(clock))).toThrow(/timestamp too old/);
    expect(() => verifyStandardWebhook(VECTOR.secret, VECTOR.payload, signedAt(clock + 301), at(clock))).toThrow(/timestamp too new/);
  });

  it('names the malformed timestamp header and each missing one', () => {
    expect(() => verifyStandardWebhook(VECTOR.secret, VECTOR.payload, headers(VECTOR.id, `${VECTOR.timestamp}abc`, VECTOR.signature), now)).toThrow(
      expect.objectContaining({ fields: [{ field: 'webhook-timestamp', message: expect.any(String) }] }),
    );
    expect(() => verifyStandardWebhook(VECTOR.secret, VECTOR.payload, { 'webhook-signature': VECTOR.signature }, now)).toThrow(
      expect.objectContaining({ fields: [expect.objectContaining({ field: 'webhook-id' }), expect.objectContaining({ field: 'webhook-timestamp' })] }),
    );
  });
});
