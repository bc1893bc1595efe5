import type { DriftReport, Finding } from './drift';
import type { Environment } from './environment';
import type { SwitchRoleDetails } from './switch-role';

/** What the admin is told, whichever channel carries it. */
export type Notification =
  | { kind: 'ready'; environment: Environment; switchRole: SwitchRoleDetails }
  | { kind: 'failed'; environment: Environment }
  /** A drift check found something new, or something it had found is gone. */
  | { kind: 'drift'; report: DriftReport; detected: Finding[] };

export type EnvironmentNotification = Exclude<Notification, { kind: 'drift' }>;
