import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_JSON_DEPTH, tooDeep } from '../domain/json-depth';
import { ENVIRONMENT_ID_PATTERN } from '../domain/naming';
import { InvalidInputError, PayloadTooLargeError, SwitchyardError, UnsupportedMediaTypeError } from '../domain/errors';
import { logContext, logger } from './logger';
import { middy, type MiddlewareObj, type MiddyHandler } from './middy';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Bodies larger than this are refused before parsing; an environment request is well under 2 KB. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpRequest {
  event: HttpEvent;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The raw body as text (base64 bodies decoded). */
  rawBody: string;
  path: Record<string, string>;
  query: Record<string, string>;
  /**
   * The caller as API Gateway's IAM authorizer verified it (`requestContext.authorizer.iam.userArn`),
   * on routes that use it; undefined on routes authenticated otherwise (Slack, webhooks).
   */
  principal?: string;
}

export interface HttpReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent exactly as given instead of JSON-serialising `body`: files a tool reads as is (INI, a link). */
  text?: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return { status, body, headers };
}

/** A plain-text reply; errors stay JSON because they are thrown and go through errorReply. */
export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): HttpReply {
  return { status, text: body, headers: { ...headers, 'content-type': contentType } };
}

/**
 * Parses a JSON body strictly: 415 unless declared JSON (a missing Content-Type too: what a body
 * without one means is a guess), 413 when too large, 400 naming the problem when malformed or nested
 * deeper than MAX_JSON_DEPTH.
 */
export function jsonBody(req: HttpRequest): unknown {
  const declared = req.headers['content-type'];
  if (declared === undefined) throw new UnsupportedMediaTypeError('Send the body as application/json, with a Content-Type header saying so.');
  const type = declared.split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(`Send the body as application/json (got ${type || 'an empty Content-Type'}).`);
  }
  if (!req.rawBody.trim()) throw new InvalidInputError('The request body is empty; send a JSON object.', [{ field: '(body)', message: 'is empty' }]);
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody);
  } catch (error) {
    throw new InvalidInputError(`The request body is not valid JSON: ${(error as Error).message}`, [{ field: '(body)', message: 'is not valid JSON' }]);
  }
  if (tooDeep(body)) {
    throw new InvalidInputError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`, [{ field: '(body)', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }]);
  }
  return body;
}

/** The `{id}` path parameter, checked before any read: ids are `[a-z0-9-]` only, so no traversal reaches the registry. */
export function environmentIdParam(req: HttpRequest): string {
  const id = req.path.id ?? '';
  if (!ENVIRONMENT_ID_PATTERN.test(id)) {
    throw new InvalidInputError('That is not an environment id.', [{ field: 'id', message: 'must look like staging-1a2b3c4d' }]);
  }
  return id;
}

/** `?limit=` for list routes: 1 to 100, default 20. */
export function pageLimit(req: HttpRequest): number {
  const limit = req.query.limit === undefined ? 20 : Number(req.query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new InvalidInputError('limit must be a whole number from 1 to 100.', [{ field: 'limit', message: 'must be 1 to 100' }]);
  }
  return limit;
}

const INTERNAL_MESSAGE = 'Something went wrong on our side; the request may be retried safely.';

/**
 * What a 5xx reply says, by error code. A server-side error's own message is for the logs only: it
 * quotes AWS (role ARNs, account ids, table names in an AccessDenied) or names the deployment's
 * configuration, none of which a caller should read.
 */
const SERVER_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  RETRY_LATER: 'AWS did not complete a call this request needed; retry in a few seconds.',
  AWS_REJECTED: 'AWS refused a call this request needed; the operator can find why in the function logs.',
  NOT_CONFIGURED: 'This route is not set up on this deployment; the operator can find what is missing in the function logs.',
};

/** The JSON error reply: 4xx errors speak to the caller in their own words; 5xx ones only by code and a fixed sentence. */
export function errorReply(error: unknown): HttpReply {
  if (error instanceof SwitchyardError && error.status < 500) {
    const fields = 'fields' in error && Array.isArray(error.fields) && error.fields.length ? { fields: error.fields } : {};
    return json(error.status, { error: { code: error.code, message: error.message, ...fields, ...(error.details ?? {}) } });
  }
  if (error instanceof SwitchyardError) {
    logger.error('Request failed on the server side', { error });
    const headers: Record<string, string> = error.status === 503 ? { 'retry-after': '2' } : {};
    return json(error.status, { error: { code: error.code, message: Object.hasOwn(SERVER_ERROR_MESSAGES, error.code) ? SERVER_ERROR_MESSAGES[error.code]! : INTERNAL_MESSAGE } }, headers);
  }
  logger.error('Unhandled error', { error: error as Error });
  return json(500, { error: { code: 'INTERNAL', message: INTERNAL_MESSAGE } });
}

function toResult(reply: HttpReply): HttpResult {
  return {
    statusCode: reply.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...reply.headers },
    body: reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)),
  };
}

const decoded = new WeakMap<HttpEvent, HttpRequest>();

/**
 * The plain request an API Gateway event carries: header names lower-cased, a base64 body decoded.
 * Decoded once per event, for the route and for a signature check before it; 413 past MAX_BODY_BYTES.
 */
export function httpRequest(event: HttpEvent): HttpRequest {
  let req = decoded.get(event);
  if (!req) {
    const rawBody = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
    if (Buffer.byteLength(rawBody) > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    req = {
      event,
      headers: Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? ''])),
      rawBody,
      path: (event.pathParameters ?? {}) as Record<string, string>,
      query: (event.queryStringParameters ?? {}) as Record<string, string>,
    };
    const principal = (event.requestContext as { authorizer?: { iam?: { userArn?: unknown } } } | undefined)?.authorizer?.iam?.userArn;
    if (typeof principal === 'string' && principal) req.principal = principal;
    decoded.set(event, req);
  }
  return req;
}

/** Middleware: whatever a route or a middleware before it throws is answered in the JSON error shape (errorReply), never a stack trace. */
export function httpErrors(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      request.response = toResult(errorReply(request.error));
    },
  };
}

/**
 * An HTTP route as a Lambda handler: the route reads the decoded request and returns a reply; the
 * stack logs with the invocation's context and maps errors. More middleware (a signature check)
 * goes on with `.use()` and runs before the route.
 */
export function httpHandler(route: (req: HttpRequest) => Promise<HttpReply>): MiddyHandler<HttpEvent, HttpResult> {
  return middy<HttpEvent, HttpResult>(async (event) => toResult(await route(httpRequest(event))))
    .use(logContext())
    .use(httpErrors());
}
