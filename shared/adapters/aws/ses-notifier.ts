import { SESv2Client, SendEmailCommand, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { answeredByService, withDeliveryOutcome } from '../../domain/delivery';
import { renderNotification } from '../../domain/messages';
import type { Notification, Notifier } from '../../ports';
import { errorName, mapUnlistedAwsError, rejectedError, retryableError } from './errors';

export function createSesClient(config: Partial<SESv2ClientConfig> = {}): SESv2Client {
  return new SESv2Client({ retryMode: 'adaptive', maxAttempts: 5, ...config });
}

/** SES's sending-rate errors: the per-second quota refills, so a later attempt goes through. */
/** Named in every refusal this adapter reports, so the timeline says which service answered. */
const SES = { service: 'SES' } as const;
const RETRYABLE_NAMES = new Set(['TooManyRequestsException', 'LimitExceededException']);
const REJECTED_NAMES = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'NotFoundException', 'AccountSuspendedException', 'SendingPausedException', 'BadRequestException']);

export function mapSesError(operation: string, error: unknown): Error {
  const name = errorName(error);
  if (RETRYABLE_NAMES.has(name)) return retryableError(operation, error, SES);
  if (REJECTED_NAMES.has(name)) return rejectedError(operation, error, SES);
  return mapUnlistedAwsError(operation, error, SES);
}

const UTF8 = 'UTF-8';

/** Emails the admin through SES v2. Nothing here logs; mapped error messages carry masked addresses only. */
export class SesNotifier implements Notifier {
  constructor(
    private readonly client: SESv2Client,
    private readonly opts: { from: string; to: string },
  ) {}

  async send(notification: Notification): Promise<void> {
    const message = renderNotification(notification);
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.opts.from,
          Destination: { ToAddresses: [this.opts.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: UTF8 },
              Body: { Text: { Data: message.text, Charset: UTF8 }, Html: { Data: message.html, Charset: UTF8 } },
            },
          },
        }),
      );
    } catch (error) {
      // An answer from AWS is a refusal (nothing sent); a timeout or a dropped connection may have sent it.
      throw withDeliveryOutcome(mapSesError('SendEmail', error), { nothingSent: answeredByService(error) });
    }
  }
}
