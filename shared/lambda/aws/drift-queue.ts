import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mapUnlistedAwsError } from '../../adapters/aws/errors';
import { lazy } from '../lazy';

/**
 * The queue drift checks come through after an Organizations change; a recheck waits there too. The
 * client is built on the first recheck: most checks find nothing left to confirm and send none.
 */
export function awsDriftRecheck(queueUrl: string) {
  const client = lazy(() => new SQSClient({ retryMode: 'adaptive', maxAttempts: 5 }));
  return async (round: number, delaySeconds: number): Promise<void> => {
    try {
      await client().send(new SendMessageCommand({ QueueUrl: queueUrl, DelaySeconds: delaySeconds, MessageBody: JSON.stringify({ recheck: round }) }));
    } catch (error) {
      throw mapUnlistedAwsError('SendMessage', error, { service: 'SQS' });
    }
  };
}
