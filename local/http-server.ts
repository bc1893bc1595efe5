import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_BODY_BYTES, errorReply } from '../shared/lambda/http';
import type { TaskFunction } from '../shared/adapters/local/local-workflow';
import { matchRoute, type Route } from './routes';

/** Extra handlers for paths that exist only locally (e.g. emulated AWS endpoints). */
export type LocalRoute = (req: IncomingMessage, body: string) => Promise<{ status: number; headers?: Record<string, string>; body: string }>;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body);
}

function errorBody(code: string, message: string) {
  return JSON.stringify({ error: { code, message } });
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
  return createServer((req, res) => {
    void (async () => {
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
      const match = matchRoute(method, url.pathname, routes);
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
      const event = apiGatewayEvent(req, url, method, match.route, params, body);
      const result = (await functions[match.route.fn]!(event, { functionName: match.route.fn, awsRequestId: event.requestContext.requestId })) as APIGatewayProxyStructuredResultV2;
      send(res, result.statusCode ?? 200, typeof result.body === 'string' ? result.body : '', (result.headers ?? {}) as Record<string, string>);
    })().catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      // The mapping every route uses: the error goes to the log, a 5xx says only its code and a fixed sentence.
      const reply = errorReply(error);
      send(res, reply.status, JSON.stringify(reply.body), reply.headers);
    });
  });
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
    },
  };
}
