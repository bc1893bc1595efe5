import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * SigV4 for the calls Switchyard makes without an SDK client: UXC from ConfigureAccount (no
 * JavaScript client exists) and execute-api from the `switchyard` command (API Gateway's IAM
 * authorisation). Both sign with the SDK's own signer and a JavaScript SHA-256, which every SDK client
 * already loads, and nothing else: the caller brings its credentials, so no credential chain is pulled
 * into a Lambda bundle that only needs the signature.
 */

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4Scope {
  /** The signing name: `uxc`, `execute-api`. */
  service: string;
  region: string;
  credentials: SigV4Credentials;
  /** Now, unless a test pins it. */
  signingDate?: Date;
}

export interface RequestToSign {
  method: string;
  /** Where the request goes: only the protocol, host name and port are read. */
  endpoint: URL;
  /** The whole path as sent, the endpoint's own path (a stage, an emulator's prefix) included. */
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  /** The exact bytes that will be sent: the signature covers their hash. */
  body?: string | Uint8Array;
}

/** A request as sent: with the host header and the signature's headers (authorization, x-amz-date, x-amz-security-token, …). */
export interface SignedRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Signs `request` for `scope`. The host header it signs is the endpoint's, with a port other than the default. */
export async function signRequest(request: RequestToSign, scope: SigV4Scope): Promise<SignedRequest> {
  const { endpoint } = request;
  const unsigned: SignedRequest = {
    method: request.method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path: request.path,
    query: request.query ?? {},
    headers: { ...request.headers, host: endpoint.host },
    ...(request.body !== undefined ? { body: request.body } : {}),
  };
  const signer = new SignatureV4({ service: scope.service, region: scope.region, credentials: scope.credentials, sha256: Sha256 });
  return (await signer.sign(unsigned, scope.signingDate ? { signingDate: scope.signingDate } : undefined)) as SignedRequest;
}
