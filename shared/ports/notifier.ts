import type { Notification } from '../domain/notification';

export type { EnvironmentNotification, Notification } from '../domain/notification';

/** Tells the admin what happened. Implementations must tolerate being asked twice for the same notification. */
export interface Notifier {
  send(notification: Notification): Promise<void>;
}

/** One way of reaching the admin (email, Slack, webhook…). Named so each is sent once per notification. */
export interface Channel extends Notifier {
  readonly name: string;
}
