import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoEnvironmentStore } from '../../shared/adapters/aws/dynamodb-environment-store';
import { createDynamoDocumentClient } from '../../shared/adapters/aws/dynamodb-table';
import { SesNotifier } from '../../shared/adapters/aws/ses-notifier';
import { StepFunctionsWorkflow } from '../../shared/adapters/aws/step-functions-workflow';

/** An SDK service exception as the clients throw it: name, $fault, $metadata. */
function awsException(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

describe('a refusal names the AWS service that answered, with its own fix', () => {
  it('DynamoDB: a missing registry table', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(GetCommand).rejects(awsException('ResourceNotFoundException', 'Requested resource not found'));
    const store = new DynamoEnvironmentStore(createDynamoDocumentClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }), 'switchyard-dev-registry');
    await expect(store.get('staging-1a2b3c4d')).rejects.toThrow(
      'DynamoDB ResourceNotFoundException — Requested resource not found. Fix: deploy the registry table and name it in REGISTRY_TABLE',
    );
    ddb.restore();
  });

  it('SES: the sender is not allowed to send', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).rejects(awsException('AccessDeniedException', 'User is not authorized to perform ses:SendEmail'));
    const notifier = new SesNotifier(new SESv2Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }), { from: 'switchyard@example.com', to: 'admin@example.com' });
    const sent = notifier.send({ kind: 'failed', environment: { id: 'staging-1a2b3c4d', name: 'Staging', ouPath: 'Workloads/Staging', status: 'FAILED', timeline: [], createdAt: '2026-11-28T09:00:00.000Z', updatedAt: '2026-11-28T09:00:00.000Z', failure: { code: 'INTERNAL_FAILURE', message: 'm', fix: 'f' } } as never });
    await expect(sent).rejects.toThrow(/^SES AccessDeniedException — User is not authorized to perform ses:SendEmail\. Fix: allow ses:SendEmail to the role Switchyard runs as/);
    ses.restore();
  });

  it('Step Functions: a state machine that does not exist', async () => {
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).rejects(awsException('StateMachineDoesNotExist', 'State Machine Does Not Exist'));
    const workflow = new StepFunctionsWorkflow(new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }), 'arn:aws:states:us-east-1:123456789012:stateMachine:missing');
    await expect(workflow.start('staging-1a2b3c4d', { id: 'staging-1a2b3c4d' })).rejects.toThrow(/^StepFunctions StateMachineDoesNotExist — State Machine Does Not Exist\./);
    sfn.restore();
  });
});
