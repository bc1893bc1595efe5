import { colorName } from './colors';
import { formatDuration } from './duration';
import { describeFinding, type DriftReport, type Finding } from './drift';
import type { Environment } from './environment';
import type { SwitchRoleDetails } from './switch-role';
import type { Notification } from './notification';

/** One notification, rendered for every mail client: plain text for terminals and filters, HTML for the rest. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A header line must not carry line breaks, whatever a name contains. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').trim();
}

function fieldLines(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...present.map(([label]) => label.length)) + 1;
  return present.map(([label, value]) => `  ${`${label}:`.padEnd(width + 1)} ${value}`).join('\n');
}

function fieldTable(rows: Array<[string, string | undefined]>): string {
  const cells = rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
    .map(([label, value]) => `<tr><th style="text-align:left;padding-right:1em;font-weight:normal;color:#555">${escapeHtml(label)}</th><td><code>${escapeHtml(value)}</code></td></tr>`);
  return `<table style="border-collapse:collapse">${cells.join('')}</table>`;
}

function page(subject: string, body: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Helvetica,Arial,sans-serif;line-height:1.5;color:#1b1b1b;max-width:44em">',
    body,
    '</body></html>',
    '',
  ].join('\n');
}

function pre(text: string): string {
  return `<pre style="background:#f4f4f4;padding:.75em;border-radius:4px;overflow-x:auto">${escapeHtml(text.trimEnd())}</pre>`;
}

const heading = (text: string) => `<h2 style="font-size:1.05em;margin:1.5em 0 .5em">${escapeHtml(text)}</h2>`;

/** Only a palette hex may reach a style attribute: escaping does not make arbitrary text safe inside CSS. */
function swatch(color: string, name: string): string {
  if (!/^[0-9A-Fa-f]{6}$/.test(color)) return escapeHtml(name);
  return `<span style="background:#${color};padding:0 .5em;border-radius:3px">${escapeHtml(name)}</span>`;
}

export function renderReadyMessage(env: Environment, details: SwitchRoleDetails): RenderedMessage {
  const ou = env.ouPath ?? env.ou;
  const subject = oneLine(`[Switchyard] ${env.name} is ready: account ${details.accountId}`);
  const rows: Array<[string, string | undefined]> = [
    ['Environment', `${env.name} (${env.id})`],
    ['Account', details.accountId],
    ['OU', ou],
    ['Role', details.roleArn],
    ['Root email', env.email],
    ['Lease ends', env.lease?.expiresAt],
  ];

  const text = [
    `The AWS environment "${env.name}" is ready.`,
    '',
    fieldLines(rows),
    '',
    `1. Switch role in the AWS console (shown as "${details.displayName}", colour ${details.colorName}).`,
    '   Sign in to the management account first, then open:',
    '',
    `   ${details.consoleUrl}`,
    '',
    '2. AWS CLI: add this profile to ~/.aws/config (source_profile is your management-account profile):',
    '',
    details.awsConfigProfile.trimEnd(),
    '',
    '3. aws-extend-switch-roles browser extension: add this entry to its configuration:',
    '',
    details.extensionEntry.trimEnd(),
    '',
    '4. Check that it works:',
    '',
    `   ${details.checkCommand}`,
    '',
    `It should print account ${details.accountId}. A console session in the role lasts one hour; switch again from the role history when it ends.`,
    '',
  ].join('\n');

  const html = page(
    subject,
    [
      `<p>The AWS environment <strong>${escapeHtml(env.name)}</strong> is ready.</p>`,
      fieldTable(rows),
      heading('1. Switch role in the AWS console'),
      `<p>Sign in to the management account first, then: <a href="${escapeHtml(details.consoleUrl)}">Switch to ${escapeHtml(details.displayName)}</a> (shown as “${escapeHtml(details.displayName)}”, colour ${swatch(details.color, details.colorName)}).</p>`,
      `<p style="font-size:.9em;color:#555">Link: ${escapeHtml(details.consoleUrl)}</p>`,
      heading('2. AWS CLI profile'),
      `<p>Add to <code>~/.aws/config</code> (<code>source_profile</code> is your management-account profile):</p>`,
      pre(details.awsConfigProfile),
      heading('3. aws-extend-switch-roles entry'),
      '<p>Add to the browser extension’s configuration:</p>',
      pre(details.extensionEntry),
      heading('4. Check that it works'),
      pre(details.checkCommand),
      `<p>It should print account <code>${escapeHtml(details.accountId)}</code>. A console session in the role lasts one hour; switch again from the role history when it ends.</p>`,
    ].join('\n'),
  );

  return { subject, text, html };
}

export function renderFailedMessage(env: Environment): RenderedMessage {
  const failure = env.failure ?? {
    code: 'UNKNOWN',
    message: 'Provisioning stopped without recording a reason.',
    fix: 'Look at the workflow execution for this environment, then request it again.',
  };
  const subject = oneLine(`[Switchyard] ${env.name} could not be provisioned (${failure.code})`);
  const rows: Array<[string, string | undefined]> = [
    ['Environment', `${env.name} (${env.id})`],
    ['Requested OU', env.ouPath ?? env.ou],
    ['Account', env.accountId],
    ['Root email', env.email],
    ['Reason', failure.code],
    ['Failed at', failure.state],
  ];

  const text = [
    `Switchyard could not provision the AWS environment "${env.name}".`,
    '',
    fieldLines(rows),
    '',
    `What happened: ${failure.message}`,
    `How to fix it: ${failure.fix}`,
    '',
  ].join('\n');

  const html = page(
    subject,
    [
      `<p>Switchyard could not provision the AWS environment <strong>${escapeHtml(env.name)}</strong>.</p>`,
      fieldTable(rows),
      heading('What happened'),
      `<p>${escapeHtml(failure.message)}</p>`,
      heading('How to fix it'),
      `<p>${escapeHtml(failure.fix)}</p>`,
    ].join('\n'),
  );

  return { subject, text, html };
}

/**
 * "Approvers, please decide": a request in a protected OU waits. Everything a person needs to judge
 * it (who asked, for what, where, until when) and the two ways to answer. No account exists yet.
 */
export function renderApprovalMessage(env: Environment): RenderedMessage {
  const ou = env.ouPath ?? env.ou;
  const approval = env.approval;
  const closing = approval?.action === 'close';
  const subject = oneLine(`[Switchyard] Approval needed: ${closing ? `close ${env.name}` : env.name} in ${ou}`);
  const asker = closing ? approval?.requester : [env.requestedBy, approval?.requester && approval.requester !== env.requestedBy ? `(${approval.requester})` : undefined].filter(Boolean).join(' ');
  const rows: Array<[string, string | undefined]> = [
    ['Environment', `${env.name} (${env.id})`],
    ...(closing ? ([['Account', env.accountId]] as Array<[string, string | undefined]>) : []),
    ['OU', ou],
    ['Protected OU', approval?.ou && approval.ou !== ou ? approval.ou : undefined],
    ['Colour', colorName(env.color)],
    ...(closing ? ([['Why', approval?.closeReason === 'lease' ? `its lease ended (${env.lease?.expiresAt ?? 'expired'})` : `asked via ${approval?.closeReason ?? 'api'}`]] as Array<[string, string | undefined]>) : []),
    [closing ? 'Closing asked by' : 'Requested by', asker || (closing && approval?.closeReason === 'lease' ? 'the lease' : 'not named')],
    ['Requested at', approval?.requestedAt ?? env.createdAt],
    ['Decide by', approval?.expiresAt],
    ['Approvers', approval?.approvers.join(', ')],
  ];
  const approve = `POST /environments/${env.id}/approve`;
  const reject = `POST /environments/${env.id}/reject`;
  const expiry = approval?.expiresAt
    ? closing
      ? `Without a decision by ${approval.expiresAt} the account is not closed (APPROVAL_EXPIRED).`
      : `Without a decision by ${approval.expiresAt} the request is rejected (APPROVAL_EXPIRED).`
    : '';
  const lead = closing
    ? `Closing the AWS account of the environment "${env.name}" waits for approval: ${ou} is a protected OU. Nothing has been closed; the account stays usable until an approver says yes.`
    : `The AWS environment "${env.name}" waits for approval: ${ou} is a protected OU. No account has been created yet.`;

  const text = [
    lead,
    '',
    fieldLines(rows),
    '',
    'To decide, as one of the approvers (whoever asked cannot approve their own request):',
    `  - in Slack, press Approve or Reject on the approval message, or`,
    `  - call the API (signed with SigV4): ${approve}  or  ${reject}`,
    '    with an optional JSON body {"comment": "..."}.',
    '',
    ...(expiry ? [expiry, ''] : []),
  ].join('\n');

  const html = page(
    subject,
    [
      `<p>${escapeHtml(lead)}</p>`,
      fieldTable(rows),
      heading('How to decide'),
      '<p>As one of the approvers (whoever asked cannot approve their own request): press <strong>Approve</strong> or <strong>Reject</strong> on the approval message in Slack, or call the API, signed with SigV4, with an optional JSON body <code>{"comment": "..."}</code>:</p>',
      pre(`${approve}\n${reject}`),
      ...(expiry ? [`<p>${escapeHtml(expiry)}</p>`] : []),
    ].join('\n'),
  );

  return { subject, text, html };
}

/** The drift summary: what this check announced, and what is no longer drifting. */
export function renderDriftMessage(report: DriftReport, detected: readonly Finding[]): RenderedMessage {
  const parts = [detected.length ? `${detected.length} new drift finding${detected.length === 1 ? '' : 's'}` : '', report.resolved.length ? `${report.resolved.length} resolved` : ''].filter(Boolean);
  const subject = oneLine(`[Switchyard] Drift: ${parts.join(', ') || 'no change'}`);
  const summary = `Drift check of ${report.checkedAt}: ${report.organization.accounts} accounts in ${report.organization.ous} OUs, ${report.counts.total} finding(s) open.`;
  const text = [
    summary,
    '',
    ...(detected.length ? ['Detected:', ...detected.flatMap((f) => [`  - ${describeFinding(f)}`, `    fix: ${f.fix}`]), ''] : []),
    ...(report.resolved.length ? ['Resolved:', ...report.resolved.map((f) => `  - ${describeFinding(f)}`), ''] : []),
  ].join('\n');
  const list = (items: readonly Finding[], withFix: boolean) =>
    `<ul>${items.map((f) => `<li><code>${escapeHtml(describeFinding(f))}</code>${withFix ? `<br>${escapeHtml(f.fix)}` : ''}</li>`).join('')}</ul>`;
  const html = page(
    subject,
    [
      `<p>${escapeHtml(summary)}</p>`,
      ...(detected.length ? [heading('Detected'), list(detected, true)] : []),
      ...(report.resolved.length ? [heading('Resolved'), list(report.resolved, false)] : []),
    ].join('\n'),
  );
  return { subject, text, html };
}

/** Any notification as an email (and as the text SNS and the outbox carry). */
export function renderNotification(notification: Notification): RenderedMessage {
  switch (notification.kind) {
    case 'ready':
      return renderReadyMessage(notification.environment, notification.switchRole);
    case 'failed':
      return renderFailedMessage(notification.environment);
    case 'approval':
      return renderApprovalMessage(notification.environment);
    case 'closed':
      return renderClosedMessage(notification.environment);
    case 'lease-reminder':
      return renderLeaseReminderMessage(notification.environment, notification.before);
    case 'drift':
      return renderDriftMessage(notification.report, notification.detected);
  }
}

/** The account of an environment is closed: what it was, why, and that AWS keeps it reopenable for 90 days. */
export function renderClosedMessage(env: Environment): RenderedMessage {
  const subject = oneLine(`[Switchyard] ${env.name} is closed`);
  const rows: Array<[string, string | undefined]> = [
    ['Environment', `${env.name} (${env.id})`],
    ['Account', env.accountId],
    ['OU', env.ouPath ?? env.ou],
    ['Why', env.closing?.reason === 'lease' ? `its lease ended (${env.lease?.expiresAt ?? 'expired'})` : `asked${env.closing?.requestedBy ? ` by ${env.closing.requestedBy}` : ''} via ${env.closing?.reason ?? 'api'}`],
    ['Closed at', env.closing?.closedAt],
  ];
  const after = 'The account is SUSPENDED: nobody can sign in or switch into it. AWS Support can reopen it within 90 days; after that AWS closes it for good.';
  const text = [`Switchyard closed the AWS account of the environment "${env.name}".`, '', fieldLines(rows), '', after, ''].join('\n');
  const html = page(subject, [`<p>Switchyard closed the AWS account of the environment <strong>${escapeHtml(env.name)}</strong>.</p>`, fieldTable(rows), `<p>${escapeHtml(after)}</p>`].join('\n'));
  return { subject, text, html };
}

/** `P7D` as people read it: `7 days`, `1 day 12 hours`, `30 minutes`. */
export function durationText(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [size, name] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
  }
  return parts.slice(0, 2).join(' ') || '0 seconds';
}

/**
 * "The lease ends soon": when, what happens then, and how to extend it. `before` is the reminder's
 * offset (one of LEASE_REMINDERS), so every resend of this reminder reads the same.
 */
export function renderLeaseReminderMessage(env: Environment, before: number): RenderedMessage {
  const ends = env.lease?.expiresAt ?? 'soon';
  const subject = oneLine(`[Switchyard] ${env.name}: lease ends in ${durationText(before)} (${ends})`);
  const rows: Array<[string, string | undefined]> = [
    ['Environment', `${env.name} (${env.id})`],
    ['Account', env.accountId],
    ['OU', env.ouPath ?? env.ou],
    ['Lease ends', ends],
    ['Lease', env.lease ? `${formatDuration(env.lease.seconds)} (${env.lease.from === 'ttl' ? 'as requested' : 'the OU default'})${env.lease.extended?.length ? `, extended ${env.lease.extended.length}x` : ''}` : undefined],
  ];
  const extend = `POST /environments/${env.id}/extend`;
  const then = 'When it ends, Switchyard closes the account: it is moved out of its OU, closed, and SUSPENDED (AWS Support can reopen it within 90 days).';
  const how = `To keep it longer, press Extend on the Slack reminder, or call the API (signed with SigV4): ${extend} with a JSON body such as {"ttl": "P7D"} (the new end is at most LEASE_MAX from now).`;
  const text = [`The lease of the AWS environment "${env.name}" ends in ${durationText(before)}, at ${ends}.`, '', fieldLines(rows), '', then, '', how, ''].join('\n');
  const html = page(
    subject,
    [
      `<p>The lease of the AWS environment <strong>${escapeHtml(env.name)}</strong> ends in ${escapeHtml(durationText(before))}, at <code>${escapeHtml(ends)}</code>.</p>`,
      fieldTable(rows),
      `<p>${escapeHtml(then)}</p>`,
      heading('To keep it longer'),
      '<p>Press <strong>Extend</strong> on the Slack reminder, or call the API, signed with SigV4, with a JSON body such as <code>{"ttl": "P7D"}</code> (the new end is at most LEASE_MAX from now):</p>',
      pre(extend),
    ].join('\n'),
  );
  return { subject, text, html };
}
