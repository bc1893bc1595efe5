/**
 * What an HTTP caller reads when the server side fails: the code and a fixed sentence, never the
 * error's own text. AWS's AccessDenied names the role, the account and the table; a missing table
 * names the setting that points at it. Those belong in the logs.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { build as buildGetEnvironment } from '../../functions/get-environment/handler';
import { DynamoEnvironmentStore } from '../../shared/adapters/aws/dynamodb-environment-store';
import { createDynamoDocumentClient } from '../../shared/adapters/aws/dynamodb-table';
import { NotConfiguredError, NotFoundError } from '../../shared/domain/errors';
import { loadConfig } from '../../shared/lambda/config';
import { httpHandler } from '../../shared/lambda/http';
import { httpEvent } from '../fixtures/http-event';

const ID = 'staging-1a2b3c4d';
const context = { functionName: 'switchyard-test', awsRequestId: 'req-1' } as Context;
const ddb = mockClient(DynamoDBDocumentClient);
const environments = new DynamoEnvironmentStore(createDynamoDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }), 'switchyard-dev-registry');
const getEnvironment = buildGetEnvironment(() => ({ config: loadConfig({}), environments }));


/** An exception as the SDK deserialises it from a DynamoDB error response. */
function awsException(name: string, message: string, fault: 'client' | 'server') {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: fault === 'client' ? 400 : 500, requestId: 'REQ123' } });
}

const ACCESS_DENIED =
  'User: arn:aws:sts::123456789012:assumed-role/switchyard-dev-GetEnvironmentRole-1X2Y3Z/switchyard-dev-getEnvironment is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/switchyard-dev-registry because no identity-based policy allows the dynamodb:GetItem action';

async function call(handler: (e: APIGatewayProxyEventV2, c: Context) => unknown) {
  const result = (await handler(httpEvent(`/environments/${ID}`, 'GET /environments/{id}', { pathParameters: { id: ID }, timeEpoch: 0 }), context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, headers: result.headers ?? {}, raw: result.body ?? '', body: JSON.parse(result.body ?? '{}') };
}

/** Text from the failure that must stay out of the reply. */
const INTERNAL = ['arn:aws', '123456789012', 'switchyard-dev', 'not authorized', 'REGISTRY_TABLE', 'GetItem', 'Exception', 'REQ123'];

beforeEach(() => {
  ddb.reset();
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('5xx replies carry no internal text', () => {
  it('AccessDenied from DynamoDB: 502 AWS_REJECTED with a fixed sentence', async () => {
    ddb.on(GetCommand).rejects(awsException('AccessDeniedException', ACCESS_DENIED, 'client'));
    const reply = await call(getEnvironment);
    expect(reply.status).toBe(502);
    expect(reply.body).toEqual({ error: { code: 'AWS_REJECTED', message: 'AWS refused a call this request needed; the operator can find why in the function logs.' } });
    for (const text of INTERNAL) expect(reply.raw).not.toContain(text);
  });

  it('a missing table: 502 without the setting that names it', async () => {
    ddb.on(GetCommand).rejects(awsException('ResourceNotFoundException', 'Requested resource not found: Table: switchyard-dev-registry not found', 'client'));
    const reply = await call(getEnvironment);
    expect(reply.status).toBe(502);
    expect(reply.body.error.code).toBe('AWS_REJECTED');
    for (const text of [...INTERNAL, 'deployed', 'not found']) expect(reply.raw).not.toContain(text);
  });

  it('throttling: 503 RETRY_LATER with Retry-After and a fixed sentence', async () => {
    ddb.on(GetCommand).rejects(awsException('ProvisionedThroughputExceededException', `Throughput exceeds the current capacity of your table arn:aws:dynamodb:us-east-1:123456789012:table/switchyard-dev-registry`, 'client'));
    const reply = await call(getEnvironment);
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('2');
    expect(reply.body).toEqual({ error: { code: 'RETRY_LATER', message: 'AWS did not complete a call this request needed; retry in a few seconds.' } });
    for (const text of [...INTERNAL, 'Throughput']) expect(reply.raw).not.toContain(text);
  });

  it('a route that is not configured: 503 NOT_CONFIGURED without naming the parameter', async () => {
    const handler = httpHandler(async () => {
      throw new NotConfiguredError('The Slack signing secret parameter /switchyard/prod/slack-signing-secret does not exist.');
    });
    const reply = await call(handler);
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({ error: { code: 'NOT_CONFIGURED', message: 'This route is not set up on this deployment; the operator can find what is missing in the function logs.' } });
    expect(reply.raw).not.toContain('/switchyard/prod');
  });

  it('a bug: 500 INTERNAL without the error text', async () => {
    const handler = httpHandler(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'accountId') at /var/task/functions/get-environment/handler.js:1:2345");
    });
    const reply = await call(handler);
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side; the request may be retried safely.' } });
    expect(reply.raw).not.toContain('/var/task');
  });
});

describe('4xx replies keep their own words', () => {
  it('404 says which environment it did not find', async () => {
    ddb.on(GetCommand).resolves({});
    const reply = await call(getEnvironment);
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ error: { code: 'NOT_FOUND', message: `No environment ${ID}.` } });
  });

  it('a thrown NotFoundError reaches the caller as written', async () => {
    const reply = await call(httpHandler(async () => Promise.reject(new NotFoundError('No environment like that here.'))));
    expect(reply.body.error.message).toBe('No environment like that here.');
  });
});
