import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDeliveryOutcome } from '../../domain/delivery';
import { formatDuration } from '../../domain/duration';
import { approvalKey } from '../../domain/environment';
import { renderNotification } from '../../domain/messages';
import type { EnvironmentNotification, Notification, Notifier } from '../../ports';

/**
 * The local stand-in for a notification channel: each notification becomes a JSON file under
 * `<dataDir>/outbox/` holding what the channel would have sent, and a line on the console. The file
 * is `<environment id>.<kind>.<channel>.json`, fixed per environment, outcome and channel, so
 * sending the same notification twice leaves one file, and channels never overwrite each other.
 */

/** What a channel sends, for the outbox: a one-line summary for the console and the fields to keep. */
export interface OutboxRendering {
  summary: string;
  content: Record<string, unknown>;
}

export interface OutboxOptions {
  /** The channel the files stand in for (`email`, `slack`, `webhook`, `sns`): part of each file name. */
  channel: string;
  /** What the channel would send; the email's subject, text and HTML when omitted. */
  render?: (notification: Notification) => OutboxRendering;
  print?: (line: string) => void;
}

function renderEmail(notification: Notification): OutboxRendering {
  const message = renderNotification(notification);
  return { summary: message.subject, content: { ...message } };
}

function environmentFields(notification: EnvironmentNotification): Record<string, unknown> {
  const env = notification.environment;
  return {
    environmentId: env.id,
    name: env.name,
    accountId: env.accountId,
    ...(notification.kind === 'ready'
      ? { consoleUrl: notification.switchRole.consoleUrl }
      : notification.kind === 'approval'
        ? { status: env.status, approval: env.approval }
        : notification.kind === 'lease-reminder'
          ? { status: env.status, lease: env.lease, remindBefore: formatDuration(notification.before) }
          : { failure: env.failure }),
  };
}

export class OutboxNotifier implements Notifier {
  constructor(
    private readonly dir: string,
    private readonly opts: OutboxOptions,
  ) {
    // The channel becomes part of a file name: it must not be able to leave the outbox folder.
    if (!/^[a-z0-9-]+$/.test(opts.channel)) throw new Error(`Outbox channel labels are lower-case letters, digits and hyphens: ${JSON.stringify(opts.channel)}`);
    mkdirSync(dir, { recursive: true });
  }

  /** The file a notification is written to. */
  fileFor(notification: Notification): string {
    // A drift summary is named after its report (its time first, so they list in order).
    const subject = notification.kind === 'drift' ? `drift-${notification.report.checkedAt.replace(/[^0-9TZ]/g, '')}` : notification.environment.id;
    // One file per reminder offset (`….lease-reminder-P1D.email.json`); a reminder sent again after an extension replaces it.
    const kind =
      notification.kind === 'lease-reminder'
        ? `${notification.kind}-${formatDuration(notification.before)}`
        : notification.kind === 'approval'
          ? approvalKey(notification.environment)
          : notification.kind;
    return join(this.dir, `${subject}.${kind}.${this.opts.channel}.json`);
  }

  async send(notification: Notification): Promise<void> {
    const file = this.fileFor(notification);
    let summary: string;
    try {
      const rendered = (this.opts.render ?? renderEmail)(notification);
      summary = rendered.summary;
      const record = {
        channel: this.opts.channel,
        kind: notification.kind,
        ...(notification.kind === 'drift' ? { reportId: notification.report.id, detected: notification.detected.map((f) => f.key), resolved: notification.report.resolved.map((f) => f.key) } : environmentFields(notification)),
        ...rendered.content,
      };
      writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      // The rename is what puts the message in the outbox: failing before it, nothing was sent.
      throw withDeliveryOutcome(error instanceof Error ? error : new Error(String(error)), { nothingSent: true });
    }
    this.opts.print?.(`[outbox:${this.opts.channel}] ${summary}`);
  }
}
