import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AccountColor } from '../../domain/colors';
import { signRequest, type SigV4Credentials, type SignedRequest } from './sigv4-request';
import { isRetryableUxcError, isThrottledUxcError, UxcCallError } from './uxc-errors';

export { UxcCallError } from './uxc-errors';

/**
 * AWS User Experience Customization (UXC): the console's colour for a whole account. There is no
 * JavaScript SDK client for it (npm has no @aws-sdk/client-uxc), so this module is the one call
 * Switchyard makes, UpdateAccountCustomizations, signed with the SDK's own SigV4 signer
 * (./sigv4-request) and sent with node's http(s). Built-ins only besides the signer (which every SDK
 * client already loads) and a SHA-256: nothing here adds to a function's cold start beyond a few
 * kilobytes.
 *
 * Where each fact comes from:
 * - Operation: `PATCH /v1/account-customizations`, JSON body `{ "accountColor" }`, 200 with the
 *   settings after the update, idempotent; errors AccessDeniedException 403, ValidationException 400
 *   (with `fieldList`), ThrottlingException 429, InternalServerException 500 — AWS User Experience
 *   Customization API Reference, UpdateAccountCustomizations.
 * - Protocol and signing: the uxc-2024-07-01 service model (as generated into aws-beam's Elixir
 *   client, AWS.Uxc.metadata): protocol rest-json, signature v4, signing name `uxc`, endpoint prefix
 *   `uxc`, service id `uxc`, not a global service.
 * - Host: AWS General Reference, "AWS User Experience Customization endpoints and quotas": only
 *   us-east-1, `uxc.us-east-1.api.aws`, HTTPS. The SDKs' endpoint-rule tests for the same model
 *   (aws-sdk-net, UxcEndpointsTests) resolve us-east-1 to that host, and name the China and GovCloud
 *   hosts below. (The API reference's examples show `uxc.us-east-1.amazonaws.com`; the endpoint rules
 *   and the endpoint table agree on `api.aws`, so that is used.)
 * - Error type: restJson1 carries it in the `X-Amzn-Errortype` header, else in the body's `__type` or
 *   `code`, possibly as `namespace#Name:extra` (Smithy, AWS restJson1 protocol, "Operation error
 *   serialization").
 */

export const UXC_SIGNING_NAME = 'uxc';
export const UPDATE_ACCOUNT_CUSTOMIZATIONS_PATH = '/v1/account-customizations';

/** Where each partition serves UXC, and the region requests there are signed for. */
const UXC_HOMES: Readonly<Record<string, { url: string; region: string }>> = {
  aws: { url: 'https://uxc.us-east-1.api.aws', region: 'us-east-1' },
  'aws-cn': { url: 'https://uxc.cn-northwest-1.api.amazonwebservices.com.cn', region: 'cn-northwest-1' },
  'aws-us-gov': { url: 'https://uxc.us-gov-west-1.api.aws', region: 'us-gov-west-1' },
};

export type UxcCredentials = SigV4Credentials;

export interface UxcEndpoint {
  url: URL;
  /** The region in the signature's scope. */
  region: string;
}

/**
 * The endpoint to call: AWS_ENDPOINT_URL_UXC, else AWS_ENDPOINT_URL (how the SDK finds a
 * service-specific endpoint, the service id upper-cased; both ignored when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true, as the SDK does), else the partition's own host. An
 * endpoint from the environment is still signed for the partition's region, as an SDK client
 * configured with that region would.
 */
export function resolveUxcEndpoint(env: NodeJS.ProcessEnv = process.env, partition = 'aws'): UxcEndpoint {
  const home = UXC_HOMES[partition] ?? UXC_HOMES.aws!;
  const ignore = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true';
  const configured = ignore ? undefined : env.AWS_ENDPOINT_URL_UXC?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  if (!configured) return { url: new URL(home.url), region: home.region };
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new UxcCallError('InvalidEndpoint', `${env.AWS_ENDPOINT_URL_UXC?.trim() ? 'AWS_ENDPOINT_URL_UXC' : 'AWS_ENDPOINT_URL'} is not a URL: ${JSON.stringify(configured)}.`, 'client');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UxcCallError('InvalidEndpoint', `The UXC endpoint ${configured} is neither http nor https.`, 'client');
  }
  return { url, region: home.region };
}

export interface UxcCallOptions {
  endpoint?: UxcEndpoint;
  /** Attempts in all, the first included (the SDK's standard mode: 3). */
  maxAttempts?: number;
  /** Milliseconds one attempt may take, connection included. */
  timeoutMs?: number;
  /** The wait before attempt `attempt + 1`; full jitter over an exponential ceiling by default. */
  backoffMs?: (attempt: number, throttled: boolean) => number;
}

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * As the SDK's standard retry strategy: a throttle waits from a longer base than a transient fault,
 * each ceiling doubling, capped, the wait drawn uniformly below it.
 */
function defaultBackoff(attempt: number, throttled: boolean): number {
  const base = throttled ? 500 : 100;
  return Math.random() * Math.min(5_000, base * 2 ** (attempt - 1));
}

/**
 * UpdateAccountCustomizations with only `accountColor`: the other settings stay as they are.
 * Retries throttling, server faults and lost connections (it is idempotent); returns the colour the
 * account has afterwards, as AWS answers it.
 */
export async function updateAccountColor(credentials: UxcCredentials, accountColor: AccountColor, options: UxcCallOptions = {}): Promise<{ accountColor?: string }> {
  const endpoint = options.endpoint ?? resolveUxcEndpoint();
  const body = JSON.stringify({ accountColor });
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_ATTEMPTS);
  const backoff = options.backoffMs ?? defaultBackoff;
  for (let attempt = 1; ; attempt++) {
    try {
      // Signed afresh for each attempt: the signature carries the time it was made.
      const answer = await send(await signedRequest(credentials, endpoint, 'PATCH', UPDATE_ACCOUNT_CUSTOMIZATIONS_PATH, body), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const output = parseJson(answer.body) as { accountColor?: unknown } | undefined;
      return typeof output?.accountColor === 'string' ? { accountColor: output.accountColor } : {};
    } catch (error) {
      if (!(error instanceof UxcCallError) || !isRetryableUxcError(error) || attempt >= maxAttempts) throw error;
      const throttled = isThrottledUxcError(error);
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt, throttled)));
    }
  }
}

/** The request as the SDK would send it: a host header (with a port other than the default), the JSON content type, SigV4 for `uxc`. */
export function signedRequest(credentials: UxcCredentials, endpoint: UxcEndpoint, method: string, path: string, body: string, signingDate?: Date): Promise<SignedRequest> {
  const { url } = endpoint;
  return signRequest(
    { method, endpoint: url, path: `${url.pathname.replace(/\/+$/, '')}${path}`, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body },
    { service: UXC_SIGNING_NAME, region: endpoint.region, credentials, ...(signingDate ? { signingDate } : {}) },
  );
}

function send(request: SignedRequest, timeoutMs: number): Promise<{ status: number; body: string }> {
  const where = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
  const options: RequestOptions = { method: request.method, hostname: request.hostname, port: request.port, path: request.path, headers: request.headers };
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(networkError(error, where)));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ status, body: text });
        else reject(serviceError(status, response.headers['x-amzn-errortype'], text));
      });
    };
    const outgoing = request.protocol === 'http:' ? httpRequest(options, onResponse) : httpsRequest(options, onResponse);
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    outgoing.on('error', (error) => reject(networkError(error, where)));
    outgoing.end(request.body);
  });
}

function networkError(error: Error & { code?: string }, where: string): UxcCallError {
  const code = typeof error.code === 'string' && error.code ? error.code : 'NetworkError';
  return new UxcCallError(code, `No answer from ${where}: ${error.message}`, 'network', { cause: error });
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `aws.protocoltests#ValidationException:http://…` → `ValidationException`. */
function sanitizeErrorType(value: string): string {
  return value.split(':')[0]!.split('#').pop()!.trim();
}

function serviceError(status: number, header: string | string[] | undefined, text: string): UxcCallError {
  const body = parseJson(text) as Record<string, unknown> | undefined;
  const fromBody = [body?.__type, body?.code, body?.Code].find((v): v is string => typeof v === 'string' && v.length > 0);
  const headerValue = Array.isArray(header) ? header[0] : header;
  const type = headerValue ? sanitizeErrorType(headerValue) : fromBody ? sanitizeErrorType(fromBody) : '';
  const message = [body?.message, body?.Message].find((v): v is string => typeof v === 'string') ?? '';
  const fault = status >= 500 ? 'server' : 'client';
  if (type) return new UxcCallError(type, message || `HTTP ${status}`, fault, { status, fieldList: body?.fieldList });
  // Not an AWS error document (a proxy, an emulator without this service): say what came back.
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new UxcCallError(`Http${status}`, `HTTP ${status} without an AWS error type${snippet ? `: ${snippet}` : ''}`, fault, { status });
}
