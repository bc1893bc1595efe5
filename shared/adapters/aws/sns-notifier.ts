import { PublishCommand, SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { answeredByService, withDeliveryOutcome } from '../../domain/delivery';
import { reminderId } from '../../domain/lease-schedule';
import { renderNotification } from '../../domain/messages';
import type { Notification, Notifier } from '../../ports';
import { errorName, mapUnlistedAwsError, rejectedError, retryableError } from './errors';

export function createSnsClient(config: Partial<SNSClientConfig> = {}): SNSClient {
  return new SNSClient({ retryMode: 'adaptive', maxAttempts: 5, ...config });
}

/**
 * SNS error names as the SDK raises them (`…Exception`) and as the Query protocol spells the codes
 * (`NotFound`, `AuthorizationError`…), since either can reach this code depending on SDK version.
 */
/** Named in every refusal this adapter reports, so the timeline says which service answered. */
const SNS = { service: 'SNS' } as const;
const RETRYABLE_NAMES = new Set(['ThrottledException', 'Throttled', 'KMSThrottlingException', 'KMSThrottling']);
const REJECTED_NAMES = new Set([
  'NotFoundException',
  'NotFound',
  'AuthorizationErrorException',
  'AuthorizationError',
  'InvalidParameterException',
  'InvalidParameter',
  'InvalidParameterValueException',
  'ParameterValueInvalid',
  'ValidationException',
  'InvalidSecurityException',
  'EndpointDisabledException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
]);

export function mapSnsError(operation: string, error: unknown): Error {
  const name = errorName(error);
  if (RETRYABLE_NAMES.has(name)) return retryableError(operation, error, SNS);
  if (REJECTED_NAMES.has(name)) return rejectedError(operation, error, SNS);
  return mapUnlistedAwsError(operation, error, SNS);
}

/** SNS refuses a Subject of 100 characters or more, or one with line breaks or control characters. */
export const SNS_SUBJECT_MAX = 99;

export function snsSubject(subject: string): string {
  const clean = subject.replace(/\p{Cc}+/gu, ' ').replace(/\s+/g, ' ').trim();
  if (clean.length <= SNS_SUBJECT_MAX) return clean;
  let cut = clean.slice(0, SNS_SUBJECT_MAX - 3);
  // A lone high surrogate at the end would make the subject invalid UTF-8.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}...`;
}

export interface SnsMessage {
  subject: string;
  /** The same plain text as the email: email and SMS subscribers read it as it is. */
  message: string;
  /** `environmentId` for an environment's outcome, `reportId` for a drift summary. */
  attributes: { kind: Notification['kind']; environmentId?: string; reportId?: string };
  /** What a FIFO topic groups by. */
  groupId: string;
  /** What a FIFO topic deduplicates by: one per message, the same on every resend. */
  deduplicationId: string;
}

export function snsMessage(notification: Notification): SnsMessage {
  const rendered = renderNotification(notification);
  const subject = snsSubject(rendered.subject);
  if (notification.kind === 'drift') {
    return { subject, message: rendered.text, attributes: { kind: 'drift', reportId: notification.report.id }, groupId: 'drift', deduplicationId: `${notification.report.id}.drift` };
  }
  const id = notification.environment.id;
  // Each lease reminder is its own message (its offset and the end it reminds of), not a resend of the last one.
  const deduplicationId = notification.kind === 'lease-reminder' ? `${id}.${notification.kind}.${reminderId(notification.environment, notification.before)}` : `${id}.${notification.kind}`;
  return { subject, message: rendered.text, attributes: { kind: notification.kind, environmentId: id }, groupId: id, deduplicationId };
}

/**
 * Publishes each outcome to an SNS topic, so whoever subscribes (email lists, SQS, chat bridges)
 * hears of it. The message attributes let subscriptions filter by outcome without parsing text.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly opts: { topicArn: string },
  ) {}

  async send(notification: Notification): Promise<void> {
    const { subject, message, attributes, groupId, deduplicationId } = snsMessage(notification);
    // A FIFO topic requires a group and a deduplication id; the id makes SNS itself drop a resend within its 5-minute window.
    const fifo = this.opts.topicArn.endsWith('.fifo') ? { MessageGroupId: groupId, MessageDeduplicationId: deduplicationId } : {};
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.opts.topicArn,
          Subject: subject,
          Message: message,
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: attributes.kind },
            ...Object.fromEntries(
              (['environmentId', 'reportId'] as const).filter((k) => attributes[k]).map((k) => [k, { DataType: 'String', StringValue: attributes[k]! }]),
            ),
          },
          ...fifo,
        }),
      );
    } catch (error) {
      // An answer from AWS is a refusal (nothing sent); a timeout or a dropped connection may have sent it.
      throw withDeliveryOutcome(mapSnsError('Publish', error), { nothingSent: answeredByService(error) });
    }
  }
}
