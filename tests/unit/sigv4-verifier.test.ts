/**
 * The SigV4 check the signing tests rely on (tests/fixtures/sigv4-verifier.ts), tried on AWS's own
 * published example, so a signature it accepts in those tests means something.
 */
import { verifySigV4, type SignedRequest, type SigV4Verdict } from '../fixtures/sigv4-verifier';

// AWS's SigV4 test suite, case get-vanilla: the request, the example credentials and the signature AWS gives.
const VANILLA: SignedRequest = {
  method: 'GET',
  url: '/',
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  body: Buffer.alloc(0),
};
const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SCOPE = { region: 'us-east-1', service: 'service', now: new Date('2015-08-30T12:36:00Z') };
const MISMATCH = { ok: false, type: 'InvalidSignatureException', message: expect.stringContaining('does not match the signature you provided') };

it("accepts AWS's own example", () => {
  expect(verifySigV4(VANILLA, [KEY], SCOPE)).toEqual({ ok: true, accessKeyId: 'AKIDEXAMPLE', signedHeaders: ['host', 'x-amz-date'], region: 'us-east-1' });
  // Among other keys, and with the clock within five minutes of the request's time.
  expect(verifySigV4(VANILLA, [{ accessKeyId: 'AKIDOTHER', secretAccessKey: 'other' }, KEY], { ...SCOPE, now: new Date('2015-08-30T12:40:59Z') })).toMatchObject({ ok: true });
});

it.each<[string, SignedRequest, Partial<{ secretAccessKey: string }>, Partial<typeof SCOPE>, Partial<SigV4Verdict>]>([
  ['a wrong secret', VANILLA, { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ' }, {}, MISMATCH],
  ['another path', { ...VANILLA, url: '/environments' }, {}, {}, MISMATCH],
  ['a query added', { ...VANILLA, url: '/?limit=1' }, {}, {}, MISMATCH],
  ['a body added', { ...VANILLA, body: Buffer.from('{}') }, {}, {}, MISMATCH],
  ['another x-amz-date', { ...VANILLA, headers: { ...VANILLA.headers, 'x-amz-date': '20150830T123700Z' } }, {}, {}, MISMATCH],
  ['a clock more than five minutes on', VANILLA, {}, { now: new Date('2015-08-30T12:46:00Z') }, { ok: false, type: 'InvalidSignatureException', message: 'Signature expired' }],
  ['another region', VANILLA, {}, { region: 'eu-west-1' }, { ok: false, type: 'InvalidSignatureException', message: expect.stringContaining('scoped to a valid region/service') }],
  ['another service', VANILLA, {}, { service: 'execute-api' }, { ok: false, type: 'InvalidSignatureException', message: expect.stringContaining('scoped to a valid region/service') }],
])('refuses it with %s', (_what, request, key, scope, verdict) => {
  expect(verifySigV4(request, [{ ...KEY, ...key }], { ...SCOPE, ...scope })).toMatchObject(verdict);
});

it('refuses a key it does not know, a request without the session token its key has, and one with no signature, as API Gateway words them', () => {
  expect(verifySigV4(VANILLA, [{ ...KEY, accessKeyId: 'AKIDOTHER' }], SCOPE)).toEqual({ ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
  expect(verifySigV4(VANILLA, [{ ...KEY, sessionToken: 'a-session-token' }], SCOPE)).toMatchObject({ ok: false, type: 'UnrecognizedClientException' });
  // The token sent but not signed is refused too.
  expect(verifySigV4({ ...VANILLA, headers: { ...VANILLA.headers, 'x-amz-security-token': 'a-session-token' } }, [{ ...KEY, sessionToken: 'a-session-token' }], SCOPE)).toMatchObject({ ok: false, type: 'UnrecognizedClientException' });
  const { authorization: _none, ...unsigned } = VANILLA.headers;
  expect(verifySigV4({ ...VANILLA, headers: unsigned }, [KEY], SCOPE)).toEqual({ ok: false, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
});
