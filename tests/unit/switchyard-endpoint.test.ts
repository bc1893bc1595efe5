import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../local/cli';
import { RUNTIME_URL_FILE as RUNTIME_WRITES } from '../../local/runtime';
import { apiError, resolveEndpoint, RUNTIME_URL_FILE } from '../../local/switchyard-api';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'switchyard-endpoint-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function usageMistake(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('no usage mistake');
}

describe('which endpoint', () => {
  it('reads the file the runtime writes its URL to', () => {
    expect(RUNTIME_URL_FILE).toBe(RUNTIME_WRITES);
  });

  it('takes --endpoint, else SWITCHYARD_ENDPOINT, else the URL a running runtime recorded, else 127.0.0.1:PORT or 3000', () => {
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data', 'runtime.url'), 'http://127.0.0.1:45678');
    const env = { SWITCHYARD_DATA_DIR: 'data', SWITCHYARD_ENDPOINT: 'http://env.example:8080/' };
    expect(resolveEndpoint({ endpoint: 'http://option.example/stage/' }, env, cwd)).toMatchObject({ url: 'http://option.example/stage', from: '--endpoint' });
    expect(resolveEndpoint({}, env, cwd)).toMatchObject({ url: 'http://env.example:8080', from: 'SWITCHYARD_ENDPOINT' });
    expect(resolveEndpoint({}, { SWITCHYARD_DATA_DIR: 'data' }, cwd).url).toBe('http://127.0.0.1:45678');
    expect(resolveEndpoint({}, { PORT: '4001' }, cwd).url).toBe('http://127.0.0.1:4001');
    expect(resolveEndpoint({}, {}, cwd).url).toBe('http://127.0.0.1:3000');
  });

  it.each([
    ['not-a-url', /is not a URL/],
    ['ftp://example.com', /must be an http:\/\/ or https:\/\/ URL/],
    ['https://example.com/?x=1', /without a query/],
  ])('refuses %s as a usage mistake', (endpoint, message) => {
    expect(usageMistake(() => resolveEndpoint({ endpoint }, {}, cwd))).toMatch(message);
  });
});

describe('whether requests are signed', () => {
  const API = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';

  it('signs for an execute-api host, in its region, with the profile given', () => {
    expect(resolveEndpoint({ endpoint: `${API}/prod`, profile: 'admin' }, { AWS_REGION: 'us-east-1' }, cwd).signing).toEqual({ region: 'eu-west-1', profile: 'admin', why: 'an execute-api endpoint' });
    expect(resolveEndpoint({ endpoint: 'https://x.execute-api.cn-north-1.amazonaws.com.cn' }, {}, cwd).signing?.region).toBe('cn-north-1');
  });

  it('does not sign for other hosts unless asked with --sign or SWITCHYARD_SIGN=1', () => {
    expect(resolveEndpoint({ endpoint: 'https://api.example.com' }, { AWS_REGION: 'eu-west-1' }, cwd).signing).toBeUndefined();
    expect(resolveEndpoint({ endpoint: 'https://api.example.com' }, { AWS_REGION: 'eu-west-1', SWITCHYARD_SIGN: '0' }, cwd).signing).toBeUndefined();
    // A look-alike is not execute-api.
    expect(resolveEndpoint({ endpoint: 'https://a1.execute-api.eu-west-1.amazonaws.com.example.com' }, {}, cwd).signing).toBeUndefined();
    expect(resolveEndpoint({ endpoint: 'https://api.example.com', sign: true }, { AWS_REGION: 'eu-west-1' }, cwd).signing).toEqual({ region: 'eu-west-1', why: '--sign' });
    expect(resolveEndpoint({ endpoint: 'https://api.example.com' }, { AWS_DEFAULT_REGION: 'eu-central-1', SWITCHYARD_SIGN: '1' }, cwd).signing).toEqual({ region: 'eu-central-1', why: 'SWITCHYARD_SIGN' });
  });

  it('takes --region over the host and the environment', () => {
    expect(resolveEndpoint({ endpoint: API, region: 'us-west-2' }, { AWS_REGION: 'us-east-1' }, cwd).signing?.region).toBe('us-west-2');
  });

  it('refuses to sign without a region, a malformed region and a SWITCHYARD_SIGN that is not 1 or 0', () => {
    expect(usageMistake(() => resolveEndpoint({ endpoint: 'https://api.example.com', sign: true }, {}, cwd))).toMatch(/region to sign for is unknown: give --region or set AWS_REGION/);
    expect(usageMistake(() => resolveEndpoint({ endpoint: API, region: 'Ireland' }, {}, cwd))).toMatch(/--region must be an AWS region/);
    expect(usageMistake(() => resolveEndpoint({ endpoint: 'https://api.example.com' }, { SWITCHYARD_SIGN: 'maybe' }, cwd))).toBe('SWITCHYARD_SIGN must be 1 or 0 (got "maybe").');
  });
});

describe('what a refusal says', () => {
  it("reads the API's error shape: code, message, fields", () => {
    const body = { error: { code: 'INVALID_INPUT', message: 'Invalid request: name must not be blank', fields: [{ field: 'name', message: 'must not be blank' }] } };
    const error = apiError(400, new Headers({ 'content-type': 'application/json' }), JSON.stringify(body));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: 'Invalid request: name must not be blank', fields: [{ field: 'name', message: 'must not be blank' }], body });
  });

  it("reads API Gateway's own refusals: the type from x-amzn-ErrorType, the message from the body, and a fix for a bad signature", () => {
    const error = apiError(403, new Headers({ 'x-amzn-errortype': 'InvalidSignatureException:http://internal.amazon.com/coral/' }), '{"message":"The request signature we calculated does not match the signature you provided."}');
    expect(error).toMatchObject({ status: 403, code: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' });
    expect(error.fix).toMatch(/credentials and the region/);
    expect(apiError(403, new Headers(), '{"message":"Forbidden"}')).toMatchObject({ code: 'HTTP_403', message: 'Forbidden', fix: expect.stringMatching(/execute-api:Invoke/) });
    expect(apiError(502, new Headers(), '<html>Bad gateway</html>')).toMatchObject({ code: 'HTTP_502', message: '<html>Bad gateway</html>' });
  });
});
