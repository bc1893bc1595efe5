import type { DriftReport, Finding } from './drift';
import type { Environment } from './environment';
import type { SwitchRoleDetails } from './switch-role';

/** What the admin is told, whichever channel carries it. */
export type Notification =
  | { kind: 'ready'; environment: Environment; switchRole: SwitchRoleDetails }
  | { kind: 'failed'; environment: Environment }
  /** A request in a protected OU waits: its approvers are asked to decide (environment.approval says who and until when). */
  | { kind: 'approval'; environment: Environment }
  /** The environment's account is closed (SUSPENDED): sent to everyone who got the ready message. */
  | { kind: 'closed'; environment: Environment }
  /**
   * The lease ends soon (environment.lease.expiresAt): sent `before` seconds ahead (one of
   * LEASE_REMINDERS), with a way to extend it. Each offset goes out once per end.
   */
  | { kind: 'lease-reminder'; environment: Environment; before: number }
  /** A drift check found something new, or something it had found is gone. */
  | { kind: 'drift'; report: DriftReport; detected: Finding[] };

export type EnvironmentNotification = Exclude<Notification, { kind: 'drift' }>;
