import { colorName } from '../../domain/colors';
import { formatDuration } from '../../domain/duration';
import { reminderId } from '../../domain/lease-schedule';
import { approvalKey, type Environment, type EnvironmentStatus, type Failure } from '../../domain/environment';
import { NotConfiguredError } from '../../domain/errors';
import type { Finding } from '../../domain/drift';
import type { Notification, Notifier } from '../../ports';
import { parseHttpUrl, postJson, type JsonPostOptions, type JsonPostTarget } from './json-post';
import { signWebhook, webhookSigningKey } from './standard-webhooks';

/**
 * Tells another system how provisioning ended: a JSON POST signed per Standard Webhooks
 * (https://www.standardwebhooks.com/), the same scheme the provisioning webhook accepts inbound.
 * `webhook-id` is `<environment id>.<kind>` and the body is fixed per notification, so a resend
 * after a lost answer is recognisably the same message and the receiver can drop it.
 */

export type NotificationEventType =
  | 'environment.ready'
  | 'environment.failed'
  | 'environment.approval_requested'
  | 'environment.closed'
  | 'environment.lease_reminder'
  | 'drift.changed';

/** What a receiver gets when an environment is ready: everything needed to switch into it. */
export interface ReadyEventData {
  id: string;
  name: string;
  accountId: string;
  ou: string;
  ouId?: string;
  roleArn: string;
  roleName: string;
  /** The console switch-role link; it carries the display name and colour below. */
  consoleUrl: string;
  displayName: string;
  /** Palette hex without `#`. */
  color: string;
  colorName: string;
  awsConfigProfile: string;
  extensionEntry: string;
  checkCommand: string;
  requestedBy?: string;
  /** When the lease ends, for an environment with one. */
  expiresAt?: string;
}

/** What a receiver gets when provisioning failed: why, and what to do about it. */
export interface FailedEventData {
  id: string;
  name: string;
  ou: string;
  accountId?: string;
  reason: string;
  message: string;
  fix: string;
  /** The workflow state that failed, when known. */
  failedAt?: string;
  requestedBy?: string;
}

/** What a receiver gets when an environment's account is closed (SUSPENDED): why, and who asked. */
export interface ClosedEventData {
  id: string;
  name: string;
  ou: string;
  accountId?: string;
  /** `lease` (it expired), `api` or `slack`. */
  reason: string;
  closedBy?: string;
  requestedBy?: string;
}

/** What a receiver gets before a lease ends: when, how long before, and where to extend it. */
export interface LeaseReminderEventData {
  id: string;
  name: string;
  ou: string;
  accountId?: string;
  expiresAt: string;
  /** This reminder's offset before the end, in seconds, and as an ISO 8601 duration (one of LEASE_REMINDERS). */
  remindBeforeSeconds: number;
  remindBefore: string;
  /** POST it with `{ "ttl": "P7D" }` (SigV4) to extend the lease; relative to the API's base URL. */
  extendPath: string;
  requestedBy?: string;
}

/** What a receiver gets when a request in a protected OU waits for an approver: what to judge, who may decide, until when. */
export interface ApprovalRequestedEventData {
  id: string;
  name: string;
  ou: string;
  /** The protected OU (APPROVAL_OUS entry) the requested OU is, or lies below. */
  protectedOu: string;
  /** `create`: no account exists yet; `close`: closing the account of a READY environment. */
  action: 'create' | 'close';
  /** For a closing: its account, and what asked (`lease`, `api`, `slack`). */
  accountId?: string;
  closeReason?: 'lease' | 'api' | 'slack';
  /** Palette hex without `#`. */
  color: string;
  colorName: string;
  requestedBy?: string;
  /** The authenticated principal that asked, when known; it may not approve its own request. */
  requester?: string;
  approvers: string[];
  requestedAt: string;
  expiresAt: string;
}

/** Never the email: it identifies a person's inbox, and receivers do not need it. */
export type NotificationEvent =
  | { type: 'environment.ready'; timestamp: string; data: ReadyEventData }
  | { type: 'environment.failed'; timestamp: string; data: FailedEventData }
  | { type: 'environment.approval_requested'; timestamp: string; data: ApprovalRequestedEventData }
  | { type: 'environment.closed'; timestamp: string; data: ClosedEventData }
  | { type: 'environment.lease_reminder'; timestamp: string; data: LeaseReminderEventData }
  | { type: 'drift.changed'; timestamp: string; data: { reportId: string; detected: Finding[]; resolved: Finding[]; open: number } };

/** Same wording as the other channels when the record holds no reason. */
const UNKNOWN_FAILURE: Failure = {
  code: 'UNKNOWN',
  message: 'Provisioning stopped without recording a reason.',
  fix: 'Look at the workflow execution for this environment, then request it again.',
};

/**
 * When the outcome was reached, from the timeline: taken from the record rather than the clock so
 * that every resend of a notification carries the same body.
 */
function outcomeTime(env: Environment, status: EnvironmentStatus): string {
  return env.timeline.findLast((t) => t.status === status)?.at ?? env.updatedAt;
}

export function notificationEvent(notification: Notification): NotificationEvent {
  if (notification.kind === 'drift') {
    const { report, detected } = notification;
    return { type: 'drift.changed', timestamp: report.checkedAt, data: { reportId: report.id, detected, resolved: report.resolved, open: report.counts.total } };
  }
  const env = notification.environment;
  const ou = env.ouPath ?? env.ou;
  const requestedBy = env.requestedBy ? { requestedBy: env.requestedBy } : {};
  if (notification.kind === 'approval') {
    const approval = env.approval;
    const requestedAt = approval?.requestedAt ?? env.createdAt;
    return {
      type: 'environment.approval_requested',
      timestamp: requestedAt,
      data: {
        id: env.id,
        name: env.name,
        ou,
        protectedOu: approval?.ou ?? ou,
        action: approval?.action ?? 'create',
        ...(approval?.action === 'close' ? { accountId: env.accountId, closeReason: approval.closeReason } : {}),
        color: env.color,
        colorName: colorName(env.color),
        ...requestedBy,
        ...(approval?.requester ? { requester: approval.requester } : {}),
        approvers: approval?.approvers ?? [],
        requestedAt,
        expiresAt: approval?.expiresAt ?? '',
      },
    };
  }
  if (notification.kind === 'closed') {
    return {
      type: 'environment.closed',
      timestamp: env.closing?.closedAt ?? env.updatedAt,
      data: { id: env.id, name: env.name, ou, ...(env.accountId ? { accountId: env.accountId } : {}), reason: env.closing?.reason ?? 'api', ...(env.closing?.requestedBy ? { closedBy: env.closing.requestedBy } : {}), ...requestedBy },
    };
  }
  if (notification.kind === 'lease-reminder') {
    const expiresAt = env.lease?.expiresAt ?? '';
    const end = Date.parse(expiresAt);
    return {
      type: 'environment.lease_reminder',
      // When the reminder fell due, from the record: every resend carries the same body.
      timestamp: Number.isFinite(end) ? new Date(end - notification.before * 1000).toISOString() : env.updatedAt,
      data: {
        id: env.id,
        name: env.name,
        ou,
        ...(env.accountId ? { accountId: env.accountId } : {}),
        expiresAt,
        remindBeforeSeconds: notification.before,
        remindBefore: formatDuration(notification.before),
        extendPath: `/environments/${env.id}/extend`,
        ...requestedBy,
      },
    };
  }
  if (notification.kind === 'ready') {
    const d = notification.switchRole;
    return {
      type: 'environment.ready',
      timestamp: outcomeTime(env, 'NOTIFYING'),
      data: {
        id: env.id,
        name: env.name,
        accountId: d.accountId,
        ou,
        ...(env.ouId ? { ouId: env.ouId } : {}),
        roleArn: d.roleArn,
        roleName: d.roleName,
        consoleUrl: d.consoleUrl,
        displayName: d.displayName,
        color: d.color,
        colorName: d.colorName,
        awsConfigProfile: d.awsConfigProfile,
        extensionEntry: d.extensionEntry,
        checkCommand: d.checkCommand,
        ...requestedBy,
        ...(env.lease?.expiresAt ? { expiresAt: env.lease.expiresAt } : {}),
      },
    };
  }
  const failure = env.failure ?? UNKNOWN_FAILURE;
  return {
    type: 'environment.failed',
    timestamp: outcomeTime(env, 'FAILED'),
    data: {
      id: env.id,
      name: env.name,
      ou,
      ...(env.accountId ? { accountId: env.accountId } : {}),
      reason: failure.code,
      message: failure.message,
      fix: failure.fix,
      ...(failure.state ? { failedAt: failure.state } : {}),
      ...requestedBy,
    },
  };
}

/** The `webhook-id`: one per environment and outcome (and per lease reminder), the same on every resend. */
export function webhookMessageId(notification: Notification): string {
  if (notification.kind === 'drift') return `drift.${notification.report.id}`;
  // Each reminder is its own message: its offset, and the end it reminds of (an extension moves it).
  if (notification.kind === 'lease-reminder') return `${notification.environment.id}.${notification.kind}.${reminderId(notification.environment, notification.before)}`;
  if (notification.kind === 'approval') return `${notification.environment.id}.${approvalKey(notification.environment)}`;
  return `${notification.environment.id}.${notification.kind}`;
}

export interface WebhookNotifierOptions extends JsonPostOptions {
  /** Operator-configured (NOTIFY_WEBHOOK_URL); any http(s) address, since no caller can choose it. */
  url: string;
  /** The `whsec_…` signing secret, looked up per send so rotation takes effect without a deploy. */
  secret: () => Promise<string | undefined>;
  /** Signing time; the receiver checks it against its own clock, so it must be the real time. */
  now?: () => Date;
}

const TARGET: JsonPostTarget = { receiver: 'The notification webhook receiver', destination: 'NOTIFY_WEBHOOK_URL', service: 'NotifyWebhook' };

export class WebhookNotifier implements Notifier {
  private readonly url: string;

  constructor(private readonly opts: WebhookNotifierOptions) {
    const url = parseHttpUrl(opts.url);
    // Checked when the function starts: file:, data: or a URL with credentials in it is a mistake, not a receiver.
    if (!url) throw new Error('NOTIFY_WEBHOOK_URL must be an http(s) URL without credentials in it.');
    this.url = url.href;
  }

  async send(notification: Notification): Promise<void> {
    const secret = await this.opts.secret();
    if (!secret) throw new NotConfiguredError('The notification webhook signing secret is not set (NOTIFY_WEBHOOK_SECRET locally, the SSM parameter named by NOTIFY_WEBHOOK_SECRET_PARAM on AWS).');
    const key = webhookSigningKey(secret);
    // Never the value in the message: it names only the setting.
    if (!key?.length) throw new NotConfiguredError('The notification webhook signing secret is not a valid whsec_<base64> secret.');
    const id = webhookMessageId(notification);
    const body = JSON.stringify(notificationEvent(notification));
    const signedAt = Math.floor((this.opts.now ?? (() => new Date()))().getTime() / 1000);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(signedAt),
      'webhook-signature': signWebhook(key, id, signedAt, body),
      'user-agent': 'Switchyard',
    };
    await postJson({ url: this.url, body, headers }, TARGET, this.opts);
  }
}
