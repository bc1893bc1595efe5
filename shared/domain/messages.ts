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
    case 'drift':
      return renderDriftMessage(notification.report, notification.detected);
  }
}
