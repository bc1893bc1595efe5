import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LIVE_HUB_PATH } from '../shared/domain/hub-page';
import { MAX_BODY_BYTES, errorReply } from '../shared/lambda/http';
import type { TaskFunction } from '../shared/adapters/local/local-workflow';
import { matchRoute, type Route, type RouteMatch } from './routes';

/** Extra handlers for paths that exist only locally (e.g. emulated AWS endpoints). */
export type LocalRoute = (req: IncomingMessage, body: string) => Promise<{ status: number; headers?: Record<string, string>; body: string }>;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function errorBody(code: string, message: string, fields?: Array<{ field: string; message: string }>) {
  return JSON.stringify({ error: { code, message, ...(fields ? { fields } : {}) } });
}

/**
 * Headers a request may carry; more is refused with 431. Browsers and SDKs send about twenty. The
 * request line and headers together stay within Node's own limit (16 KB), refused with 414 or 431.
 */
export const MAX_HEADER_COUNT = 100;

type ParseError = NodeJS.ErrnoException & { reason?: string; bytesParsed?: number; rawPacket?: Buffer };

/** A method is a token followed by a space (RFC 9110); anything else in its place is not HTTP at all. */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ /;

/**
 * What to answer a request Node's parser refused, in the same JSON error shape as every route. The
 * parser reports a request line and headers over its limit alike; it ran out of room in the request
 * line when no line had ended yet in what it had parsed.
 */
export function parseErrorReply(error: ParseError): { status: number; code: string; message: string } {
  const packet = error.rawPacket ?? Buffer.alloc(0);
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': {
      const parsed = packet.subarray(0, error.bytesParsed ?? packet.length);
      return parsed.includes('\n')
        ? { status: 431, code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large; the request line and headers together are limited to 16 KB.' }
        : { status: 414, code: 'URI_TOO_LONG', message: 'The request URL is too long; the request line and headers together are limited to 16 KB.' };
    }
    case 'HPE_INVALID_METHOD':
      return METHOD_TOKEN.test(packet.subarray(0, 64).toString('latin1'))
        ? { status: 501, code: 'NOT_IMPLEMENTED', message: 'That HTTP method is not one this server implements.' }
        : { status: 400, code: 'BAD_REQUEST', message: 'The request is not valid HTTP/1.1 (no method).' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The chunk extensions are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time.' };
    default:
      // The reason is llhttp's own fixed wording ("Invalid character in chunk size"), never request data.
      return { status: 400, code: 'BAD_REQUEST', message: `The request is not valid HTTP/1.1: ${error.reason ?? 'it could not be parsed'}.` };
  }
}

/** Answers on the raw socket, which is all there is once the parser gave up, then closes it. */
function answerParseError(error: ParseError, socket: Socket, inFlight: WeakMap<Socket, ServerResponse>) {
  const pending = inFlight.get(socket);
  // Nothing can be said once another response has started on this connection, nor to a peer that is gone.
  if (error.code === 'ECONNRESET' || !socket.writable || (pending && pending.headersSent && !pending.writableFinished)) {
    socket.destroy();
    return;
  }
  const { status, code, message } = parseErrorReply(error);
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      'cache-control: no-store\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
  // Whatever else the peer sends is dropped; a peer that never closes its side is cut off.
  socket.resume();
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** Reads a body up to the limit; undefined when it is larger (the caller answers 413). */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves the API Gateway routes on loopback by turning each request into the HTTP API (payload 2.0)
 * event the Lambda receives and calling the very same handler.
 */
export function createHttpServer(functions: Record<string, TaskFunction>, routes: Route[], local: Record<string, LocalRoute> = {}): Server {
  const inFlight = new WeakMap<Socket, ServerResponse>();
  const server = createServer((req, res) => {
    inFlight.set(req.socket, res);
    void (async () => {
      if (req.rawHeaders.length / 2 > MAX_HEADER_COUNT) {
        send(res, 431, errorBody('HEADERS_TOO_LARGE', `A request may carry at most ${MAX_HEADER_COUNT} headers.`), { connection: 'close' });
        req.resume();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === undefined) {
        send(res, 413, errorBody('PAYLOAD_TOO_LARGE', `Bodies are limited to ${MAX_BODY_BYTES} bytes.`), { connection: 'close' });
        req.resume();
        return;
      }
      // SDK clients append a slash to an endpoint that has a path.
      const localRoute = local[url.pathname.replace(/\/+$/, '')];
      if (localRoute) {
        const reply = await localRoute(req, body);
        send(res, reply.status, reply.body, reply.headers);
        return;
      }
      const match = url.pathname === LIVE_HUB_PATH ? hubRoute(method, routes) : matchRoute(method, url.pathname, routes);
      if (!match) return send(res, 404, errorBody('NOT_FOUND', `No route ${method} ${url.pathname}.`));
      if ('allowed' in match) {
        return send(res, 405, errorBody('METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}; use ${match.allowed.join(', ')}.`), { allow: match.allowed.join(', ') });
      }
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(Object.entries(match.params).map(([k, v]) => [k, decodeURIComponent(v)]));
      } catch {
        return send(res, 400, errorBody('INVALID_INPUT', 'The path is not validly percent-encoded.'));
      }
      const claimed = req.headers[PRINCIPAL_HEADER];
      if (claimed !== undefined && localPrincipal(String(claimed)) === undefined) {
        return send(res, 400, errorBody('INVALID_INPUT', 'X-Switchyard-Principal must be a name of 1 to 64 letters, digits or . @ + - _ (optionally written local:NAME).', [{ field: 'X-Switchyard-Principal', message: 'is not a valid local principal' }]));
      }
      const event = apiGatewayEvent(req, url, method, match.route, params, body);
      const result = (await functions[match.route.fn]!(event, { functionName: match.route.fn, awsRequestId: event.requestContext.requestId })) as APIGatewayProxyStructuredResultV2;
      send(res, result.statusCode ?? 200, typeof result.body === 'string' ? result.body : '', (result.headers ?? {}) as Record<string, string>);
    })().catch((error: unknown) => {
      // A body the parser refused halfway was answered on the socket already (clientError below).
      if (!req.socket.writable) return;
      if (res.headersSent) return void res.end();
      // The mapping every route uses: the error goes to the log, a 5xx says only its code and a fixed sentence.
      const reply = errorReply(error);
      send(res, reply.status, JSON.stringify(reply.body), reply.headers);
    });
  });
  // Node's parser keeps at most this many headers and drops the rest silently; one more shows there were more.
  server.maxHeadersCount = MAX_HEADER_COUNT + 1;
  // Node's own refusals (a bad chunk, Content-Length with Transfer-Encoding, an unknown method, an
  // oversized head) would otherwise be bare text; they get the JSON error shape like every route.
  server.on('clientError', (error: ParseError, socket: Socket) => answerParseError(error, socket, inFlight));
  return server;
}

/**
 * `GET /` is the live switch-role hub, served on loopback only: the function behind
 * `GET /switch-roles` renders it when the route key says `GET /` (a key API Gateway never gives it).
 */
function hubRoute(method: string, routes: Route[]): RouteMatch {
  const switchRoles = routes.find((r) => r.method === 'GET' && r.path === '/switch-roles');
  if (!switchRoles) return undefined;
  if (method !== 'GET') return { allowed: ['GET'] };
  return { route: { method: 'GET', path: LIVE_HUB_PATH, fn: switchRoles.fn }, params: {} };
}

function apiGatewayEvent(req: IncomingMessage, url: URL, method: string, route: Route, params: Record<string, string>, body: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      // What API Gateway's IAM authorizer puts here on AWS; locally, who the caller says they are.
      authorizer: { iam: { userArn: localPrincipal(headers[PRINCIPAL_HEADER]) ?? 'local:anonymous' } },
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

/**
 * `X-Switchyard-Principal: ana` (or `local:ana`): who a caller of the local runtime is, for approvals.
 * Only the local runtime reads it, in place of the IAM identity a deployment takes from SigV4; on AWS
 * the header means nothing. Without it the caller is `local:anonymous`.
 */
export const PRINCIPAL_HEADER = 'x-switchyard-principal';

function localPrincipal(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const name = header.trim().replace(/^local:/, '');
  return /^[\w.@+-]{1,64}$/.test(name) ? `local:${name}` : undefined;
}
