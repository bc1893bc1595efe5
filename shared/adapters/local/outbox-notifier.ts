import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderFailedMessage, renderReadyMessage } from '../../domain/messages';
import type { Notification, Notifier } from '../../ports';

/**
 * The local stand-in for email: each notification becomes files under `<dataDir>/outbox/` (JSON with
 * the rendered text and HTML) and a line on the console. The file name is fixed per environment and
 * kind, so sending the same notification twice leaves one file.
 */
export class OutboxNotifier implements Notifier {
  constructor(
    private readonly dir: string,
    private readonly print: (line: string) => void = () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async send(notification: Notification): Promise<void> {
    const env = notification.environment;
    const message = notification.kind === 'ready' ? renderReadyMessage(env, notification.switchRole) : renderFailedMessage(env);
    const file = join(this.dir, `${env.id}.${notification.kind}.json`);
    const record = {
      kind: notification.kind,
      environmentId: env.id,
      name: env.name,
      accountId: env.accountId,
      ...(notification.kind === 'ready' ? { consoleUrl: notification.switchRole.consoleUrl } : { failure: env.failure }),
      ...message,
    };
    writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    this.print(`[outbox] ${message.subject}`);
  }
}
