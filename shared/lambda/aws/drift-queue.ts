import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mapUnlistedAwsError } from '../../adapters/aws/errors';

/** The queue drift checks come through after an Organizations change; a recheck waits there too. */
export function awsDriftRecheck(queueUrl: string) {
  const client = new SQSClient({ retryMode: 'adaptive', maxAttempts: 5 });
  return async (round: number, delaySeconds: number): Promise<void> => {
    try {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, DelaySeconds: delaySeconds, MessageBody: JSON.stringify({ recheck: round }) }));
    } catch (error) {
      throw mapUnlistedAwsError('SendMessage', error, { service: 'SQS' });
    }
  };
}
