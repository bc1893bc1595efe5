import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SigV4Credentials } from '../shared/adapters/aws/sigv4-request';
import { CommandError, UsageError } from './cli';

/**
 * How the `switchyard` command reaches the API: which endpoint, whether its requests are SigV4-signed
 * (API Gateway's IAM authorisation) and with what, and what a refusal or an unreachable endpoint
 * becomes. It speaks the API's JSON error shape (`{ error: { code, message, fields? } }`) and API
 * Gateway's own (`{ message }` with `x-amzn-ErrorType`).
 */

/** `https://{api-id}.execute-api.{region}.amazonaws.com` (and the China partition's `.com.cn`). */
const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Where a running runtime records its URL in the data folder (local/runtime.ts's RUNTIME_URL_FILE,
 * repeated here so the command does not load the whole runtime to read one file name).
 */
export const RUNTIME_URL_FILE = 'runtime.url';

/** The local runtime's port when nothing says otherwise (`npm start`'s default). */
export const DEFAULT_LOCAL_PORT = 3000;

/** A request gets this long for an answer; a connection that never answers is as unreachable as one refused. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface EndpointOptions {
  endpoint?: string;
  sign?: boolean;
  region?: string;
  profile?: string;
}

export interface Endpoint {
  /** The base URL, without a trailing slash (it may carry a stage path: `/prod`). */
  url: string;
  /** Where the URL came from, for messages: `--endpoint`, `SWITCHYARD_ENDPOINT`, the runtime's URL file, the default. */
  from: string;
  /** Set when requests are signed: the region and the profile (else the standard chain's choice). */
  signing?: { region: string; profile?: string; why: string };
}

function flag(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false' || v === 'no') return false;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  throw new UsageError(`${name} must be 1 or 0 (got ${JSON.stringify(value)}).`);
}

function baseUrl(raw: string, from: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${from} is not a URL: ${JSON.stringify(raw)}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${from} must be an http:// or https:// URL (got ${url.protocol}).`);
  if (url.search || url.hash || url.username || url.password) throw new UsageError(`${from} must be a base URL without a query, fragment or user name (got ${raw}).`);
  return url;
}

/** The region of an `execute-api` host name, if it is one. */
export function executeApiRegion(hostname: string): string | undefined {
  return EXECUTE_API_HOST.exec(hostname.toLowerCase())?.[1];
}

/**
 * Which API to talk to and how: `--endpoint`, else SWITCHYARD_ENDPOINT, else the local runtime (the
 * URL a running runtime records in its data folder, else 127.0.0.1 on PORT or 3000). Requests are
 * signed for an execute-api host, or for any host with `--sign` / SWITCHYARD_SIGN=1 (custom domains);
 * the region is `--region`, else the execute-api host's, else AWS_REGION or AWS_DEFAULT_REGION.
 */
export function resolveEndpoint(opts: EndpointOptions, env: Record<string, string | undefined>, cwd = process.cwd()): Endpoint {
  let raw: string;
  let from: string;
  if (opts.endpoint !== undefined) {
    raw = opts.endpoint;
    from = '--endpoint';
  } else if (env.SWITCHYARD_ENDPOINT) {
    raw = env.SWITCHYARD_ENDPOINT;
    from = 'SWITCHYARD_ENDPOINT';
  } else {
    const dataDir = resolve(cwd, env.SWITCHYARD_DATA_DIR || '.switchyard');
    const urlFile = join(dataDir, RUNTIME_URL_FILE);
    const recorded = existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : '';
    if (recorded) {
      raw = recorded;
      from = `the local runtime's address in ${urlFile}`;
    } else {
      const port = env.PORT && /^\d+$/.test(env.PORT) && Number(env.PORT) > 0 && Number(env.PORT) < 65536 ? env.PORT : String(DEFAULT_LOCAL_PORT);
      raw = `http://127.0.0.1:${port}`;
      from = `the local runtime's default address (no runtime has recorded one in ${dataDir})`;
    }
  }
  const url = baseUrl(raw, from);
  if (opts.region !== undefined && !/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(opts.region)) throw new UsageError(`--region must be an AWS region such as eu-west-1 (got ${JSON.stringify(opts.region)}).`);
  const hostRegion = executeApiRegion(url.hostname);
  const forced = opts.sign === true || flag('SWITCHYARD_SIGN', env.SWITCHYARD_SIGN);
  const base = url.href.replace(/\/+$/, '');
  if (!hostRegion && !forced) return { url: base, from };
  const region = opts.region ?? hostRegion ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION);
  if (!region) throw new UsageError(`Requests to ${url.host} are signed, and the region to sign for is unknown: give --region or set AWS_REGION.`);
  const why = hostRegion ? 'an execute-api endpoint' : opts.sign ? '--sign' : 'SWITCHYARD_SIGN';
  return { url: base, from, signing: { region, ...(opts.profile ? { profile: opts.profile } : {}), why } };
}

/** The API refused: its status, code and message, the fields at fault and a fix when it gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Array<{ field: string; message: string }> = [],
    readonly fix?: string,
    /** The error body as the API sent it (JSON), for --json. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer at all: refused, unknown host, reset, timed out. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`could not reach ${url} (${reason}). ${hint}`);
    this.name = 'UnreachableError';
  }
}

export interface ApiReply {
  status: number;
  headers: Headers;
  text: string;
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded, as SigV4 encodes it. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

type Fetch = typeof fetch;

export class ApiClient {
  private credentials?: () => Promise<SigV4Credentials>;

  constructor(
    readonly endpoint: Endpoint,
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  /** GET and parse JSON; an error reply becomes ApiError. */
  async getJson<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    return this.json<T>(await this.send('GET', path, { query }));
  }

  async sendJson<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const reply = await this.send(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
    return { status: reply.status, body: this.json<T>(reply) };
  }

  /** Any request; a reply outside 2xx becomes ApiError, no answer UnreachableError. */
  async send(method: string, path: string, opts: { query?: Record<string, string>; body?: string } = {}): Promise<ApiReply> {
    const base = new URL(this.endpoint.url);
    const fullPath = `${base.pathname.replace(/\/+$/, '')}${path}`;
    const query = opts.query ?? {};
    const search = Object.entries(query)
      .map(([k, v]) => `${encode(k)}=${encode(v)}`)
      .join('&');
    const url = `${base.origin}${fullPath}${search ? `?${search}` : ''}`;
    // The bytes signed are the bytes sent.
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body, 'utf8');
    let headers: Record<string, string> = { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) };
    if (this.endpoint.signing) headers = await this.sign(method, base, fullPath, query, headers, body);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, ...(body ? { body } : {}), redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw this.unreachable(error);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw this.unreachable(error);
    }
    if (res.status < 200 || res.status > 299) throw apiError(res.status, res.headers, text);
    return { status: res.status, headers: res.headers, text };
  }

  private json<T>(reply: ApiReply): T {
    try {
      return JSON.parse(reply.text) as T;
    } catch {
      throw new CommandError(`${this.endpoint.url} answered ${reply.status} with something that is not JSON (${reply.headers.get('content-type') ?? 'no content type'}): is it a Switchyard API?`);
    }
  }

  private unreachable(error: unknown): UnreachableError {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    const local = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(this.endpoint.url);
    const hint = local
      ? `Is the local runtime running (npm start)? For a deployed API give --endpoint URL or set SWITCHYARD_ENDPOINT. (Endpoint from ${this.endpoint.from}.)`
      : `Check the URL and your network. (Endpoint from ${this.endpoint.from}.)`;
    return new UnreachableError(this.endpoint.url, reason, hint);
  }

  /** SigV4 for API Gateway (service execute-api) with the caller's credentials from the standard chain. */
  private async sign(method: string, base: URL, path: string, query: Record<string, string>, headers: Record<string, string>, body: Buffer | undefined): Promise<Record<string, string>> {
    // Loaded only when a request is signed: the signer takes tens of milliseconds to load, which the
    // local runtime's plain HTTP need not pay. require, not import(): the command runs through tsx's
    // CommonJS hook, which a dynamic import() of a TypeScript file does not pass through.
    const { signRequest } = require('../shared/adapters/aws/sigv4-request') as typeof import('../shared/adapters/aws/sigv4-request');
    const credentials = await this.resolveCredentials();
    const signed = await signRequest({ method, endpoint: base, path, query, headers, ...(body ? { body } : {}) }, { service: 'execute-api', region: this.endpoint.signing!.region, credentials });
    // fetch sends Host itself, from the same URL.
    const { host: _host, ...rest } = signed.headers;
    return rest;
  }

  private async resolveCredentials(): Promise<SigV4Credentials> {
    const signing = this.endpoint.signing!;
    if (!this.credentials) {
      // The SDK's notice that releases after January 2027 need Node 22 says nothing actionable here.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      this.credentials = defaultProvider(signing.profile ? { profile: signing.profile } : {});
    }
    try {
      return await this.credentials();
    } catch (error) {
      const which = signing.profile ? `the profile ${signing.profile}` : 'the standard chain (environment variables, AWS_PROFILE, ~/.aws/config and credentials, SSO, the instance role)';
      throw new CommandError(`Requests to ${this.endpoint.url} are signed (${signing.why}), and no AWS credentials could be loaded from ${which}: ${(error as Error).message}`);
    }
  }
}

/** What a refusal says, from the API's JSON error body or API Gateway's own. */
export function apiError(status: number, headers: Headers, text: string): ApiError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (error && typeof error === 'object' && typeof error.code === 'string') {
    const fields = Array.isArray(error.fields) ? (error.fields as Array<{ field: string; message: string }>).filter((f) => f && typeof f.field === 'string') : [];
    const fix = typeof error.fix === 'string' ? error.fix : undefined;
    return new ApiError(status, error.code, typeof error.message === 'string' ? error.message : `HTTP ${status}`, fields, fix, body);
  }
  // API Gateway answers its own refusals (IAM, throttling, a missing route) as { message } with the type in a header.
  const type = headers.get('x-amzn-errortype')?.split(':')[0];
  const message = (body as { message?: unknown; Message?: unknown } | undefined)?.message ?? (body as { Message?: unknown } | undefined)?.Message;
  const code = type || `HTTP_${status}`;
  const fix =
    status === 403 && /signature|security token|credential/i.test(`${type ?? ''} ${String(message ?? '')}`)
      ? 'check the credentials and the region the request is signed with (--profile, --region)'
      : status === 403
        ? 'the signed identity needs execute-api:Invoke on this API'
        : undefined;
  const shown = typeof message === 'string' && message ? message : text.trim().slice(0, 300) || `HTTP ${status} with an empty body`;
  return new ApiError(status, code, shown, [], fix, body ?? { message: shown });
}
