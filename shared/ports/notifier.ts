import type { DriftReport, Finding } from '../domain/drift';
import type { Environment } from '../domain/environment';
import type { SwitchRoleDetails } from '../domain/switch-role';

export type Notification =
  | { kind: 'ready'; environment: Environment; switchRole: SwitchRoleDetails }
  | { kind: 'failed'; environment: Environment }
  /** A drift check found something new, or something it had found is gone. */
  | { kind: 'drift'; report: DriftReport; detected: Finding[] };

export type EnvironmentNotification = Exclude<Notification, { kind: 'drift' }>;

/** Tells the admin what happened. Implementations must tolerate being asked twice for the same notification. */
export interface Notifier {
  send(notification: Notification): Promise<void>;
}

/** One way of reaching the admin (email, Slack, webhook…). Named so each is sent once per notification. */
export interface Channel extends Notifier {
  readonly name: string;
}
