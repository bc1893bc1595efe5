import { randomUUID } from 'node:crypto';
import { OrganizationsClient, type OrganizationsClientConfig } from '@aws-sdk/client-organizations';
// @smithy/protocol-http has been folded into @smithy/core in this SDK generation; @smithy/core is what
// every v3 client depends on, so it is always installed next to @aws-sdk/client-organizations.
import { HttpResponse, type HttpHandler, type HttpHandlerOptions, type HttpRequest } from '@smithy/core/protocols';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { createOrganizationsClient } from '../aws/organizations';
import { isSimulatedOperation, RATE_EXCEEDED_MESSAGE, SimulatedAwsError, type SimulatedOrganization } from './sim-org';

/**
 * The real OrganizationsClient with the network replaced by the simulated organization. The SDK
 * still serialises, signs, retries and deserialises every call exactly as it would against AWS
 * (AWS JSON 1.1), so code written against the SDK — paginators, error names — runs unchanged.
 */
export function simOrganizationsClient(sim: SimulatedOrganization, config: Partial<OrganizationsClientConfig> = {}): OrganizationsClient {
  if (sim.pacing.rateLimited) {
    // Under a request rate a throttle is load, as on AWS: back off exactly as the production client
    // does (adaptive mode, its client-side rate limiter and its attempts), or a busy local run would
    // hammer the bucket into extra calls that AWS would never see.
    return createOrganizationsClient({
      credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
      ...config,
      requestHandler: new SimulatedOrganizationsHandler(sim),
    });
  }
  const maxAttempts = typeof config.maxAttempts === 'number' ? config.maxAttempts : 5;
  return new OrganizationsClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
    // As many attempts as against AWS, but short backoffs: an injected throttle is a die roll, not
    // load, so the adaptive mode's rate limiting would only slow every local run down.
    retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt) => Math.min(200, 5 * 2 ** attempt)),
    ...config,
    requestHandler: new SimulatedOrganizationsHandler(sim),
  });
}

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export class SimulatedOrganizationsHandler implements HttpHandler {
  readonly metadata = { handlerProtocol: 'simulated-awsjson1.1' };

  constructor(private readonly sim: SimulatedOrganization) {}

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    if (options?.abortSignal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    const target = header(request.headers, 'x-amz-target') ?? '';
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    if (!isSimulatedOperation(operation)) {
      return { response: errorResponse('UnknownOperationException', `The simulated organization does not implement ${target || 'an operation without x-amz-target'}.`) };
    }
    let input: unknown;
    try {
      const text = await bodyText(request.body);
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      return { response: errorResponse('SerializationException', `The request body is not valid JSON: ${(error as Error).message}`) };
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { response: errorResponse('SerializationException', 'The request body must be a JSON object.') };
    }
    // The time a call takes and the request rate live here, not in the synchronous operations: a
    // waiting call must not hold the organization (or its file lock) while others go on.
    if (this.sim.pacing.active) {
      const admitted = await this.sim.pacing.arrive();
      if (options?.abortSignal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
      if (!admitted) {
        this.sim.countThrottledCall(operation);
        return { response: errorResponse('TooManyRequestsException', RATE_EXCEEDED_MESSAGE) };
      }
    }
    try {
      const method = this.sim[operation] as (input: unknown) => unknown;
      const output = method.call(this.sim, input);
      return { response: jsonResponse(200, output ?? {}) };
    } catch (error) {
      // Anything else is a defect in the simulation; surfacing it unchanged beats disguising it as an AWS fault.
      if (error instanceof SimulatedAwsError) return { response: errorResponse(error.name, error.message, error.fields) };
      throw error;
    }
  }

  updateHttpClientConfig(): void {
    // Nothing to configure: there is no connection.
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

export function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * The SDK hands over the serialised JSON as a Uint8Array subclass that also mimics a string (and
 * warns when string methods are used on it), so decode the bytes; strings and streams are accepted
 * too because other SDK versions and custom middleware send those.
 */
export async function bodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (body instanceof ArrayBuffer) return new TextDecoder().decode(new Uint8Array(body));
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString('utf8');
  }
  throw new TypeError(`Unsupported request body type ${Object.prototype.toString.call(body)}`);
}

/** awsJson1_1 carries timestamps as epoch seconds (fractions allowed), not ISO strings. */
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, encoded: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : encoded;
  });
}

/** The SDK reads the body with a stream collector unless it is a Uint8Array, so a plain string would not do. */
function jsonResponse(statusCode: number, payload: unknown, headers: Record<string, string> = {}): HttpResponse {
  return new HttpResponse({
    statusCode,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': randomUUID(), ...headers },
    body: Buffer.from(encode(payload), 'utf8'),
  });
}

function errorResponse(name: string, message: string, fields: Record<string, string> = {}): HttpResponse {
  return jsonResponse(400, { __type: name, Message: message, ...fields }, { 'x-amzn-errortype': name });
}
