import {
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  InvalidArn,
  InvalidName,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { StepFunctionsWorkflow, createSfnClient, executionArn } from '../../shared/adapters/aws/step-functions-workflow';
import { AwsRequestRejectedError, RetryableAwsError } from '../../shared/domain/errors';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ProvisionEnvironment';
const meta = { $metadata: {} };
const sfn = mockClient(SFNClient);
const workflow = new StepFunctionsWorkflow(new SFNClient({ region: 'eu-west-1' }), ARN);

beforeEach(() => sfn.reset());

it('builds a client with adaptive, bounded retries', async () => {
  const client = createSfnClient({ region: 'eu-west-1' });
  expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
  expect(await client.config.maxAttempts()).toBe(5);
});

it('starts an execution named after the environment, with JSON input', async () => {
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:staging-1a2b3c4d`, startDate: new Date() });
  expect(await workflow.start('staging-1a2b3c4d', { id: 'staging-1a2b3c4d' })).toEqual({
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:ProvisionEnvironment:staging-1a2b3c4d',
    alreadyStarted: false,
  });
  expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: ARN, name: 'staging-1a2b3c4d', input: '{"id":"staging-1a2b3c4d"}' });
});

it('reports an execution that already exists as already started', async () => {
  sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ ...meta, message: 'Execution Already Exists' }));
  expect(await workflow.start('staging-1a2b3c4d', { id: 'staging-1a2b3c4d' })).toEqual({
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:ProvisionEnvironment:staging-1a2b3c4d',
    alreadyStarted: true,
  });
});

it('names executions of a versioned state machine after the machine', () => {
  expect(executionArn('arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:Provision:3', 'x-1')).toBe(
    'arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:Provision:x-1',
  );
});

it.each([
  ['ThrottlingException', new SFNServiceException({ ...meta, name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded' })],
  ['ExecutionLimitExceeded', new ExecutionLimitExceeded({ ...meta, message: 'too many open executions' })],
])('%s is retryable', async (name, error) => {
  sfn.on(StartExecutionCommand).rejects(error);
  const thrown = await workflow.start('x-1', { id: 'x-1' }).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(RetryableAwsError);
  expect((thrown as RetryableAwsError).awsError).toBe(name);
});

it.each([
  ['StateMachineDoesNotExist', new StateMachineDoesNotExist({ ...meta, message: 'no such machine' })],
  ['InvalidArn', new InvalidArn({ ...meta, message: 'bad arn' })],
  ['InvalidName', new InvalidName({ ...meta, message: 'bad name' })],
])('%s is rejected', async (name, error) => {
  sfn.on(StartExecutionCommand).rejects(error);
  const thrown = await workflow.start('x-1', { id: 'x-1' }).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(AwsRequestRejectedError);
  expect((thrown as AwsRequestRejectedError).awsError).toBe(name);
  expect((thrown as Error).message).toContain('StartExecution');
});

describe('waking a task that waits for its token', () => {
  it('sends the output as JSON with the token', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    expect(await workflow.sendTaskSuccess('AQB8AAAAKgAAAAMAAAAAAAAAAf', { state: 'SUCCEEDED', accountId: '111122223333' })).toBe('sent');
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'AQB8AAAAKgAAAAMAAAAAAAAAAf', output: '{"state":"SUCCEEDED","accountId":"111122223333"}' });
  });

  it.each([
    ['timed out', new TaskTimedOut({ ...meta, message: 'Task Timed Out' })],
    ['gone with its execution', new TaskDoesNotExist({ ...meta, message: 'Task does not exist' })],
  ])('answers gone for a task that %s: nobody waits any more', async (_what, error) => {
    sfn.on(SendTaskSuccessCommand).rejects(error);
    expect(await workflow.sendTaskSuccess('t', {})).toBe('gone');
  });

  it('refuses a malformed token as a rejected request', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new InvalidToken({ ...meta, message: 'Invalid Token' }));
    await expect(workflow.sendTaskSuccess('t', {})).rejects.toBeInstanceOf(Error);
  });
});
