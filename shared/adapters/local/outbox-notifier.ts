import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFailedMessage, renderReadyMessage } from '../../domain/messages';
import type { Notification, Notifier } from '../../ports';

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
  const message = notification.kind === 'ready' ? renderReadyMessage(notification.environment, notification.switchRole) : renderFailedMessage(notification.environment);
  return { summary: message.subject, content: { ...message } };
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
    return join(this.dir, `${notification.environment.id}.${notification.kind}.${this.opts.channel}.json`);
  }

  async send(notification: Notification): Promise<void> {
    const env = notification.environment;
    const rendered = (this.opts.render ?? renderEmail)(notification);
    const file = this.fileFor(notification);
    const record = {
      channel: this.opts.channel,
      kind: notification.kind,
      environmentId: env.id,
      name: env.name,
      accountId: env.accountId,
      ...(notification.kind === 'ready' ? { consoleUrl: notification.switchRole.consoleUrl } : { failure: env.failure }),
      ...rendered.content,
    };
    writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    this.opts.print?.(`[outbox:${this.opts.channel}] ${rendered.summary}`);
  }
}
