import { signSlackRequest, verifySlackSignature } from '../../shared/domain/slack-signature';

// The worked example from Slack's "Verifying requests from Slack" page.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const AT_SIGNING = new Date(Number(TIMESTAMP) * 1000);

const verify = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({ signingSecret: SECRET, timestamp: TIMESTAMP, signature: SIGNATURE, rawBody: BODY, now: AT_SIGNING, ...overrides });

describe("Slack's documented example", () => {
  it('signs to the documented signature', () => {
    expect(signSlackRequest(SECRET, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it('verifies', () => {
    expect(verify()).toEqual({ ok: true });
  });
});

describe('refusals', () => {
  it('refuses a tampered body', () => {
    expect(verify({ rawBody: BODY.replace('text=', 'text=create%20Prod') })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a body one byte longer', () => {
    expect(verify({ rawBody: `${BODY}&` })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature made with another secret', () => {
    expect(verify({ signature: signSlackRequest('another-secret', TIMESTAMP, BODY) })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify({ signingSecret: 'another-secret' })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature bound to another timestamp', () => {
    const later = String(Number(TIMESTAMP) + 60);
    expect(verify({ timestamp: later, now: new Date(Number(later) * 1000) })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['10 minutes old', -600],
    ['10 minutes in the future', 600],
  ])('refuses a request signed %s', (_label, offsetSeconds) => {
    const timestamp = String(Number(TIMESTAMP) + offsetSeconds);
    expect(verify({ timestamp, signature: signSlackRequest(SECRET, timestamp, BODY) })).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it.each([299, -299, 300, -300])('accepts a clock skew of %i seconds', (skew) => {
    expect(verify({ now: new Date((Number(TIMESTAMP) + skew) * 1000) })).toEqual({ ok: true });
  });

  it.each([301, -301])('refuses a clock skew of %i seconds', (skew) => {
    expect(verify({ now: new Date((Number(TIMESTAMP) + skew) * 1000) })).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it.each(['1531420618.5', '-1531420618', 'yesterday', ' 1531420618', '1e9'])('refuses a timestamp that is not an integer string: %j', (timestamp) => {
    expect(verify({ timestamp })).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it.each([
    ['no signature', { signature: undefined }],
    ['an empty signature', { signature: '' }],
    ['no timestamp', { timestamp: undefined }],
    ['a null timestamp', { timestamp: null }],
    ['neither', { signature: undefined, timestamp: undefined }],
  ])('reports missing headers: %s', (_label, overrides) => {
    expect(verify(overrides)).toEqual({ ok: false, reason: 'missing-headers' });
  });

  it.each([
    ['shorter', SIGNATURE.slice(0, -1)],
    ['longer', `${SIGNATURE}0`],
    ['without the version', SIGNATURE.slice(3)],
  ])('refuses a signature of a different length (%s) without throwing', (_label, signature) => {
    expect(() => verify({ signature })).not.toThrow();
    expect(verify({ signature })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature with a non-ASCII character (equal byte length, different text) without throwing', () => {
    expect(verify({ signature: `${SIGNATURE.slice(0, -2)}é` })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a signature in upper-case hex (Slack sends lower case)', () => {
    expect(verify({ signature: `v0=${SIGNATURE.slice(3).toUpperCase()}` })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('fails closed when the signing secret is empty', () => {
    expect(verify({ signingSecret: '', signature: signSlackRequest('', TIMESTAMP, BODY) })).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('signSlackRequest', () => {
  it('round-trips through verification for a non-ASCII body', () => {
    const body = 'text=create%20%E2%80%9CPlayground%20Ana%E2%80%9D&name=Zoë';
    const timestamp = '1780000000';
    expect(
      verifySlackSignature({ signingSecret: 's3cret', timestamp, signature: signSlackRequest('s3cret', timestamp, body), rawBody: body, now: new Date(1780000000 * 1000) }),
    ).toEqual({ ok: true });
  });
});
