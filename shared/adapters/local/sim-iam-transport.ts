import { randomUUID } from 'node:crypto';
import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
// See sim-org-transport.ts: @smithy/core is what every v3 client depends on.
import { HttpResponse, type HttpHandler, type HttpHandlerOptions, type HttpRequest } from '@smithy/core/protocols';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { isSimulatedIamOperation, isSimulatedStsOperation, SimulatedIam, SimulatedSts } from './sim-iam';
import { SimulatedAwsError, type SimulatedOrganization } from './sim-org';
import { bodyText } from './sim-org-transport';

/**
 * The real IAMClient and STSClient with the network replaced by the simulated management account.
 * Both services speak the AWS Query protocol: a form-encoded `Action=…&Version=…` request, and XML
 * back (`<XxxResponse><XxxResult>…`, errors as `<ErrorResponse><Error><Code>…`) with IAM's HTTP
 * statuses. The SDK serialises, retries and deserialises exactly as against AWS, so IamAccessGrants
 * sees the same exceptions (`NoSuchEntityException` with Code `NoSuchEntity`, …) it sees on Lambda.
 */
export function simIamClient(sim: SimulatedOrganization, config: Partial<IAMClientConfig> & SimulatedLatency = {}): IAMClient {
  const { latencyMs, random, ...sdk } = config;
  return new IAMClient({ ...simClientConfig(sdk.maxAttempts), ...sdk, requestHandler: new SimulatedQueryHandler(new QueryService('iam', sim), { latencyMs, random }) });
}

export function simStsClient(sim: SimulatedOrganization, config: Partial<STSClientConfig> & SimulatedLatency = {}): STSClient {
  const { latencyMs, random, ...sdk } = config;
  return new STSClient({ ...simClientConfig(sdk.maxAttempts), ...sdk, requestHandler: new SimulatedQueryHandler(new QueryService('sts', sim), { latencyMs, random }) });
}

export interface SimulatedLatency {
  /**
   * Each request waits up to this long (uniformly at random) before the simulated service acts on
   * it. A call to IAM takes tens of milliseconds, and that is what lets two grants started together
   * overlap there; an answer in microseconds would line them up one after another and hide every
   * race. Default 20.
   */
  latencyMs?: number;
  /** Where the waits come from; Math.random by default. */
  random?: () => number;
}

const DEFAULT_LATENCY_MS = 20;

function simClientConfig(maxAttempts: unknown) {
  const attempts = typeof maxAttempts === 'number' ? maxAttempts : 5;
  return {
    region: 'us-east-1',
    credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
    // Short backoffs, as for the simulated organization: nothing here is under load.
    retryStrategy: new ConfiguredRetryStrategy(attempts, (attempt: number) => Math.min(200, 5 * 2 ** attempt)),
  };
}

/** Which simulated service answers, with the XML namespace its responses carry. */
class QueryService {
  readonly namespace: string;
  private readonly target: SimulatedIam | SimulatedSts;

  constructor(
    readonly name: 'iam' | 'sts',
    sim: SimulatedOrganization,
  ) {
    this.namespace = name === 'iam' ? 'https://iam.amazonaws.com/doc/2010-05-08/' : 'https://sts.amazonaws.com/doc/2011-06-15/';
    this.target = name === 'iam' ? new SimulatedIam(sim) : new SimulatedSts(sim);
  }

  operation(action: string): ((input: Record<string, unknown>) => unknown) | undefined {
    const known = this.name === 'iam' ? isSimulatedIamOperation(action) : isSimulatedStsOperation(action);
    if (!known) return undefined;
    const method = (this.target as unknown as Record<string, (input: Record<string, unknown>) => unknown>)[action]!;
    return (input) => method.call(this.target, input);
  }
}

/** Members that are not strings on the wire; everything else the simulated operations read is a string. */
const BOOLEAN_MEMBERS = new Set(['SetAsDefault']);
const NUMBER_MEMBERS = new Set(['MaxItems']);

/** IAM's HTTP status per error code (Sender errors are 4xx; ServiceFailure is the Receiver's 500). */
const ERROR_STATUS: Record<string, number> = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  LimitExceeded: 409,
  DeleteConflict: 409,
  ConcurrentModification: 409,
  MalformedPolicyDocument: 400,
  InvalidInput: 400,
  ValidationError: 400,
  InvalidAction: 400,
  AccessDenied: 403,
  ServiceFailure: 500,
};

export class SimulatedQueryHandler implements HttpHandler {
  readonly metadata = { handlerProtocol: 'simulated-awsquery' };

  private readonly latencyMs: number;
  private readonly random: () => number;

  constructor(
    private readonly service: QueryService,
    latency: SimulatedLatency = {},
  ) {
    this.latencyMs = latency.latencyMs ?? DEFAULT_LATENCY_MS;
    this.random = latency.random ?? Math.random;
    if (!Number.isFinite(this.latencyMs) || this.latencyMs < 0) throw new RangeError(`latencyMs must be 0 or more (got ${latency.latencyMs}).`);
  }

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    if (options?.abortSignal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    const body = await bodyText(request.body);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.random() * this.latencyMs));
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? '';
    const operation = this.service.operation(action);
    if (!operation) return { response: this.error('InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`) };
    const input: Record<string, unknown> = {};
    for (const [key, value] of form) {
      if (key === 'Action' || key === 'Version') continue;
      input[key] = BOOLEAN_MEMBERS.has(key) ? value === 'true' : NUMBER_MEMBERS.has(key) ? Number(value) : value;
    }
    try {
      const output = (operation(input) ?? {}) as Record<string, unknown>;
      const result = Object.keys(output).length ? `<${action}Result>${toXml(output)}</${action}Result>` : '';
      return { response: this.xml(200, `<${action}Response xmlns="${this.service.namespace}">${result}${metadata()}</${action}Response>`) };
    } catch (error) {
      // Anything else is a defect in the simulation; surfacing it unchanged beats disguising it as an AWS fault.
      if (error instanceof SimulatedAwsError) return { response: this.error(error.name, error.message) };
      throw error;
    }
  }

  updateHttpClientConfig(): void {
    // Nothing to configure: there is no connection.
  }

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  private error(code: string, message: string): HttpResponse {
    const status = ERROR_STATUS[code] ?? 400;
    const type = status >= 500 ? 'Receiver' : 'Sender';
    return this.xml(
      status,
      `<ErrorResponse xmlns="${this.service.namespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  }

  private xml(statusCode: number, body: string): HttpResponse {
    return new HttpResponse({
      statusCode,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
      body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, 'utf8'),
    });
  }
}

function metadata(): string {
  return `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
}

/** Query-protocol XML: lists as `<member>` elements, timestamps in ISO 8601, booleans as true/false. */
function toXml(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
