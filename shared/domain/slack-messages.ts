import { colorName } from './colors';
import { durationText } from './messages';
import { describeFinding, type DriftReport, type Finding } from './drift';
import type { Environment, EnvironmentStatus, Failure } from './environment';
import { SLACK_USAGE } from './slack-command';
import type { SwitchRoleDetails } from './switch-role';

/**
 * Block Kit replies for the `/env` slash command. Pure: the handler returns them or posts them to the
 * command's response_url. Every piece of user-provided text is escaped for mrkdwn, and every text is
 * kept inside Slack's limits so a long name or message never makes Slack refuse the whole reply.
 */

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}

export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'actions'; block_id?: string; elements: SlackButton[] };

/** A link button carries `url` (Slack still posts the click to the interactivity URL); an action button carries `value`. */
export interface SlackButton {
  type: 'button';
  text: TextObject;
  action_id: string;
  url?: string;
  value?: string;
  style?: 'primary' | 'danger';
}

export interface SlackMessage {
  response_type: 'ephemeral' | 'in_channel';
  /** On a response_url post: replace the message the command produced instead of adding another one. */
  replace_original?: boolean;
  /** Shown in notifications and by clients that cannot render blocks. */
  text: string;
  blocks: SlackBlock[];
}

/** Slack's documented limits. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElementText: 3000,
  messageText: 3000,
  listLines: 10,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
} as const;

const ELLIPSIS = '…';

/** `&`, `<` and `>` are Slack's control characters; everything else a user typed may stay as it is. */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Shortens escaped text to `max` characters without cutting an entity (`&am…`) or a surrogate pair
 * in half, either of which would show as garbage or make Slack reject the payload.
 */
export function truncateText(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, Math.max(0, max - ELLIPSIS.length));
  cut = cut.replace(/&[a-z]*$/, '');
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + ELLIPSIS;
}

/** A fenced block whose content is shortened, never the fence, so the block always closes. */
function codeBlock(content: string, max: number): string {
  const fence = '```';
  return `${fence}${truncateText(escapeMrkdwn(content.trimEnd()), max - 2 * fence.length)}${fence}`;
}

const header = (text: string): SlackBlock => ({ type: 'header', text: { type: 'plain_text', text: truncateText(text, SLACK_LIMITS.headerText) } });
const section = (mrkdwn: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncateText(mrkdwn, SLACK_LIMITS.sectionText) } });
const context = (mrkdwn: string): SlackBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateText(mrkdwn, SLACK_LIMITS.contextElementText) }] });

function message(text: string, blocks: SlackBlock[], extra: Partial<Pick<SlackMessage, 'response_type' | 'replace_original'>> = {}): SlackMessage {
  return {
    response_type: extra.response_type ?? 'ephemeral',
    ...(extra.replace_original !== undefined ? { replace_original: extra.replace_original } : {}),
    text: truncateText(text, SLACK_LIMITS.messageText),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

const bold = (value: string) => `*${escapeMrkdwn(value)}*`;
const code = (value: string) => `\`${escapeMrkdwn(value)}\``;
const ouOf = (env: Pick<Environment, 'ou' | 'ouPath'>) => env.ouPath ?? env.ou;

const STATUS_EMOJI: Record<EnvironmentStatus, string> = {
  PENDING_APPROVAL: ':raised_hand:',
  REQUESTED: ':inbox_tray:',
  CREATING: ':hourglass_flowing_sand:',
  PLACING: ':hourglass_flowing_sand:',
  NOTIFYING: ':hourglass_flowing_sand:',
  READY: ':white_check_mark:',
  FAILED: ':x:',
  REJECTED: ':no_entry:',
  CLOSE_QUEUED: ':hourglass:',
  CLOSING: ':wastebasket:',
  CLOSED: ':lock:',
};

const UNKNOWN_FAILURE: Failure = {
  code: 'UNKNOWN',
  message: 'Provisioning stopped without recording a reason.',
  fix: 'Look at the workflow execution for this environment, then request it again.',
};

export function ackCreate(env: { id: string; name: string; ou: string }, existing: boolean): SlackMessage {
  const what = `${bold(env.name)} in ${escapeMrkdwn(env.ou)}`;
  const line = existing
    ? `:information_source: ${what} was already requested (id ${code(env.id)}); nothing new was started. Progress will follow here.`
    : `:inbox_tray: Requested ${what} (id ${code(env.id)}). Progress will follow here.`;
  return message(line, [section(line), context(`Follow it any time with \`/env status ${escapeMrkdwn(env.id)}\`.`)]);
}

function progressLine(env: Environment): string {
  const name = bold(env.name);
  const ou = escapeMrkdwn(ouOf(env));
  const account = env.accountId ? ` ${code(env.accountId)}` : '';
  switch (env.status) {
    case 'PENDING_APPROVAL':
      return `${name} in ${ou} waits for approval by ${approversText(env.approval?.approvers ?? [])}${env.approval?.expiresAt ? ` until ${slackDate(env.approval.expiresAt)}` : ''}; no account is created before one of them approves.`;
    case 'REQUESTED':
      return `Request for ${name} received; starting…`;
    case 'CREATING':
      return `Creating the account for ${name} in ${ou}…`;
    case 'PLACING':
      return `Account${account} for ${name} created; moving it into ${ou}…`;
    case 'NOTIFYING':
      return `Account${account} for ${name} is in ${ou}; preparing the switch-role details…`;
    case 'READY':
      return `${name} is ready: account${account} in ${ou}.`;
    case 'FAILED':
      return `${name} could not be provisioned (${escapeMrkdwn(env.failure?.code ?? UNKNOWN_FAILURE.code)}).`;
    case 'REJECTED':
      if (env.approval?.reason === APPROVAL_EXPIRED) return `${name} was not approved in time (${APPROVAL_EXPIRED}); no account was created.`;
      return `${name} was rejected${env.approval?.decidedBy ? ` by ${principalText(env.approval.decidedBy)}` : ''}; no account was created.`;
    case 'CLOSE_QUEUED':
      return `${name} waits to be closed: AWS's closing quota has room from ${escapeMrkdwn(env.closing?.notBefore ?? 'later')}.`;
    case 'CLOSING':
      return `Closing account${account} of ${name}…`;
    case 'CLOSED':
      return `${name} is closed: account${account} is suspended${env.closing?.closedAt ? ` since ${escapeMrkdwn(env.closing.closedAt)}` : ''}.`;
  }
}

/** The reason a request nobody decided on in time is rejected with. */
export const APPROVAL_EXPIRED = 'APPROVAL_EXPIRED';

/** A principal as Slack shows it: a Slack user as a mention, anyone else as code. */
export function principalText(principal: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(principal) ? `<@${principal}>` : code(principal);
}

/** Characters of a text the approver list may take; the rest is counted, so a mention is never cut in half. */
const APPROVERS_BUDGET = 1500;

export function approversText(approvers: readonly string[]): string {
  if (!approvers.length) return 'nobody (APPROVERS is empty)';
  const shown: string[] = [];
  let used = 0;
  for (const approver of approvers) {
    const text = principalText(approver);
    if (shown.length && used + text.length + 2 > APPROVERS_BUDGET) break;
    shown.push(text.length > APPROVERS_BUDGET ? truncateText(text, APPROVERS_BUDGET) : text);
    used += text.length + 2;
  }
  const hidden = approvers.length - shown.length;
  return `${shown.join(', ')}${hidden ? ` and ${hidden} more` : ''}`;
}

/**
 * A time as Slack shows it to each reader, in their own time zone; clients that cannot format it
 * show the ISO text. A value that is not a time is shown as escaped text.
 */
export function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return escapeMrkdwn(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${escapeMrkdwn(new Date(ms).toISOString())}>`;
}

/** One line that replaces the previous update, so the channel shows a single evolving message. */
export function progressMessage(env: Environment): SlackMessage {
  const line = `${STATUS_EMOJI[env.status]} ${progressLine(env)}`;
  return message(line, [section(line)], { replace_original: true });
}

/** The switch-role blocks shared by the ready and status replies. */
function switchRoleBlocks(env: Environment, details: SwitchRoleDetails): SlackBlock[] {
  return [
    section(
      [
        `*Account* ${code(details.accountId)}`,
        `*OU* ${escapeMrkdwn(ouOf(env))}`,
        `*Role* ${code(details.roleArn)}`,
        `*Shown as* ${escapeMrkdwn(details.displayName)} (${escapeMrkdwn(details.colorName)})`,
        ...(env.lease?.expiresAt ? [`*Lease ends* ${slackDate(env.lease.expiresAt)}`] : []),
      ].join('\n'),
    ),
    {
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Switch role' }, url: details.consoleUrl, style: 'primary', action_id: 'switch-role' }],
    },
    section(`*AWS CLI* — add to \`~/.aws/config\` (\`source_profile\` is your management-account profile):\n${codeBlock(details.awsConfigProfile, SLACK_LIMITS.sectionText - 120)}`),
    section(`*aws-extend-switch-roles* entry:\n${codeBlock(details.extensionEntry, SLACK_LIMITS.sectionText - 40)}`),
    context(`Check it works: ${code(details.checkCommand)} should print account ${code(details.accountId)}. Sign in to the management account before switching.`),
  ];
}

export function readyMessage(env: Environment, details: SwitchRoleDetails): SlackMessage {
  const text = `:white_check_mark: ${escapeMrkdwn(env.name)} is ready: account ${escapeMrkdwn(details.accountId)} in ${escapeMrkdwn(ouOf(env))}.`;
  return message(text, [header(`✅ ${escapeMrkdwn(env.name)} is ready`), ...switchRoleBlocks(env, details)], { replace_original: true });
}

function failureBlocks(env: Environment): SlackBlock[] {
  const failure = env.failure ?? UNKNOWN_FAILURE;
  const facts = [
    `*Reason* ${code(failure.code)}${failure.state ? ` at ${escapeMrkdwn(failure.state)}` : ''}`,
    `*OU* ${escapeMrkdwn(ouOf(env))}`,
    ...(env.accountId ? [`*Account* ${code(env.accountId)}`] : []),
  ];
  return [section(facts.join('\n')), section(`*What happened:* ${escapeMrkdwn(failure.message)}`), section(`*How to fix it:* ${escapeMrkdwn(failure.fix)}`)];
}

export function closedMessage(env: Environment): SlackMessage {
  const why = env.closing?.reason === 'lease' ? 'its lease ended' : `asked${env.closing?.requestedBy ? ` by ${principalText(env.closing.requestedBy)}` : ''}`;
  const text = `:lock: ${escapeMrkdwn(env.name)} is closed: account ${escapeMrkdwn(env.accountId ?? '')} is suspended (${why}).`;
  return message(text, [
    header(`🔒 ${escapeMrkdwn(env.name)} is closed`),
    section([`*Account* ${code(env.accountId ?? '')}`, `*OU* ${escapeMrkdwn(ouOf(env))}`, `*Why* ${why}`].join('\n')),
    context('The account is SUSPENDED: nobody can switch into it. AWS Support can reopen it within 90 days.'),
  ]);
}

export function failedMessage(env: Environment): SlackMessage {
  const failure = env.failure ?? UNKNOWN_FAILURE;
  const text = `:x: ${escapeMrkdwn(env.name)} could not be provisioned (${escapeMrkdwn(failure.code)}): ${escapeMrkdwn(failure.message)}`;
  return message(text, [header(`❌ ${escapeMrkdwn(env.name)} could not be provisioned`), ...failureBlocks(env)], { replace_original: true });
}

/** The last few timeline entries: enough to see where it stands without scrolling. */
const TIMELINE_ENTRIES = 5;

export function statusMessage(env: Environment, details?: SwitchRoleDetails): SlackMessage {
  const title = `${STATUS_EMOJI[env.status]} ${bold(env.name)} (${code(env.id)}) is ${env.status}`;
  const blocks: SlackBlock[] = [section(title)];
  if (env.status === 'READY' && details) blocks.push(...switchRoleBlocks(env, details));
  else if (env.status === 'FAILED') blocks.push(...failureBlocks(env));
  else blocks.push(section(progressLine(env)));
  if (env.status === 'READY' && env.approval?.action === 'close' && !env.approval.decision) {
    blocks.push(section(`:raised_hand: Closing waits for an approver (${approversText(env.approval.approvers)}) until ${slackDate(env.approval.expiresAt)}; the account stays usable meanwhile.`));
  }
  if (env.approval?.comment) blocks.push(section(`*Comment*${quote(env.approval.comment)}`));
  const timeline = env.timeline.slice(-TIMELINE_ENTRIES).map((entry) => `${escapeMrkdwn(entry.at)} ${entry.status}${entry.note ? ` — ${escapeMrkdwn(entry.note)}` : ''}`);
  if (timeline.length) blocks.push(context(timeline.join('\n')));
  return message(title, blocks);
}

export function listMessage(envs: Environment[]): SlackMessage {
  if (!envs.length) {
    const line = 'No environments yet. Request one with `/env create NAME ou=PATH`.';
    return message(line, [section(line)]);
  }
  const shown = envs.slice(0, SLACK_LIMITS.listLines);
  const lines = shown.map((env) => `${STATUS_EMOJI[env.status]} ${bold(env.name)} ${code(env.id)} ${env.status}${env.accountId ? ` ${code(env.accountId)}` : ''}`);
  const blocks = [section(lines.join('\n'))];
  const hidden = envs.length - shown.length;
  if (hidden > 0) blocks.push(context(`…and ${hidden} more. \`GET /environments\` lists them all.`));
  return message(`${envs.length} environment${envs.length === 1 ? '' : 's'}`, blocks);
}

/** A request Switchyard refused (invalid input, name taken, OU missing…): what was wrong and where. */
export function rejectedMessage(problem: { code: string; message: string; fields?: { field: string; message: string }[] }): SlackMessage {
  const line = `:no_entry: ${escapeMrkdwn(problem.message)}`;
  const blocks = [section(line)];
  if (problem.fields?.length) blocks.push(section(problem.fields.map((f) => `• ${code(f.field)} ${escapeMrkdwn(f.message)}`).join('\n')));
  blocks.push(context(`Code ${code(problem.code)} · \`/env help\` shows the syntax.`));
  return message(line, blocks);
}

export function usageMessage(problem?: string): SlackMessage {
  const blocks: SlackBlock[] = [];
  if (problem) blocks.push(section(`:warning: ${escapeMrkdwn(problem)}`));
  blocks.push(section(SLACK_USAGE));
  // The fallback text carries the whole help too: some clients and tests read only `text`.
  return message(problem ? `:warning: ${escapeMrkdwn(problem)}\n${SLACK_USAGE}` : SLACK_USAGE, blocks);
}

/** The drift summary for the admin's Slack channel: at most 10 findings each way, then a count. */
export function driftMessage(report: DriftReport, detected: readonly Finding[]): SlackMessage {
  const lines = (items: readonly Finding[], mark: string) => {
    const shown = items.slice(0, SLACK_LIMITS.listLines).map((f) => `${mark} ${escapeMrkdwn(describeFinding(f))}`);
    if (items.length > shown.length) shown.push(`…and ${items.length - shown.length} more`);
    return shown.join('\n');
  };
  const text = `:warning: Drift: ${detected.length} detected, ${report.resolved.length} resolved (${report.counts.total} open).`;
  const blocks: SlackBlock[] = [header(`Drift check: ${detected.length} detected, ${report.resolved.length} resolved`)];
  if (detected.length) blocks.push(section(`*Detected*\n${lines(detected, ':warning:')}`));
  if (report.resolved.length) blocks.push(section(`*Resolved*\n${lines(report.resolved, ':white_check_mark:')}`));
  blocks.push(context(`${report.organization.accounts} accounts in ${report.organization.ous} OUs checked at ${escapeMrkdwn(report.checkedAt)}`));
  return message(text, blocks, { response_type: 'in_channel' });
}

// ---------------------------------------------------------------------------------------------------
// Approvals: the request to the approvers, and what becomes of that message once someone decides.
// ---------------------------------------------------------------------------------------------------

/** The action ids of the two decision buttons: what POST /slack/interactions reads back from a click. */
export const APPROVAL_ACTIONS = { approve: 'approve', reject: 'reject' } as const;

/** A comment is the decider's free text: escaped, one quoted paragraph, kept short. */
const COMMENT_LIMIT = 1000;

function quote(text: string): string {
  const escaped = truncateText(escapeMrkdwn(text.replace(/[\r\n]+/g, ' ').trim()), COMMENT_LIMIT);
  return `\n>${escaped}`;
}

const button = (label: string, actionId: string, value: string, style: 'primary' | 'danger'): SlackButton => ({
  type: 'button',
  text: { type: 'plain_text', text: truncateText(label, SLACK_LIMITS.buttonText) },
  action_id: actionId,
  value: value.slice(0, SLACK_LIMITS.buttonValue),
  style,
});

/** Who asked: the name the request gave, and the authenticated principal when it is another. */
function requesterText(env: Environment): string {
  const named = env.requestedBy ? escapeMrkdwn(env.requestedBy) : '';
  const principal = env.approval?.requester;
  if (principal && principal !== env.requestedBy) return named ? `${named} (${principalText(principal)})` : principalText(principal);
  return named || 'not named';
}

function requestFacts(env: Environment): string {
  const ou = ouOf(env);
  const protectedOu = env.approval?.ou && env.approval.ou !== ou ? ` (below the protected ${escapeMrkdwn(env.approval.ou)})` : '';
  return [
    `*Environment* ${bold(env.name)} ${code(env.id)}`,
    `*OU* ${escapeMrkdwn(ou)}${protectedOu}`,
    `*Colour* ${escapeMrkdwn(colorName(env.color))}`,
    `*Requested by* ${requesterText(env)}`,
  ].join('\n');
}

/** Who or what asked to close an environment, from its close approval. */
function closeAskedText(env: Environment): string {
  const approval = env.approval;
  if (approval?.closeReason === 'lease') return `its lease ended${env.lease?.expiresAt ? ` ${slackDate(env.lease.expiresAt)}` : ''}`;
  return `asked by ${approval?.requester ? principalText(approval.requester) : 'not named'}`;
}

function closeFacts(env: Environment): string {
  return [
    `*Environment* ${bold(env.name)} ${code(env.id)}`,
    `*Account* ${code(env.accountId ?? 'none')}`,
    `*OU* ${escapeMrkdwn(ouOf(env))}${env.approval?.ou && env.approval.ou !== ouOf(env) ? ` (below the protected ${escapeMrkdwn(env.approval.ou)})` : ''}`,
    `*Why* ${closeAskedText(env)}`,
  ].join('\n');
}

/**
 * "Approvers, please decide", for the admin's Slack channel: the request and two buttons whose value
 * is the environment id. Slack posts a click to the app's interactivity URL (POST /slack/interactions),
 * which records the decision and replaces this message with approvalDecidedMessage.
 */
export function approvalRequestMessage(env: Environment): SlackMessage {
  const approval = env.approval;
  const closing = approval?.action === 'close';
  const text = closing
    ? `:raised_hand: Approval needed to close ${escapeMrkdwn(env.name)} (${escapeMrkdwn(env.accountId ?? '')}) in ${escapeMrkdwn(ouOf(env))}, ${closeAskedText(env)}.`
    : `:raised_hand: Approval needed: ${escapeMrkdwn(env.name)} in ${escapeMrkdwn(ouOf(env))}, requested by ${requesterText(env)}.`;
  const blocks: SlackBlock[] = [
    header(closing ? `✋ Approval needed to close: ${escapeMrkdwn(env.name)}` : `✋ Approval needed: ${escapeMrkdwn(env.name)}`),
    section(closing ? closeFacts(env) : requestFacts(env)),
    section(
      [
        `*Approvers* ${approversText(approval?.approvers ?? [])}`,
        ...(approval?.expiresAt ? [`*Decide by* ${slackDate(approval.expiresAt)}`] : []),
      ].join('\n'),
    ),
    {
      type: 'actions',
      block_id: 'approval',
      elements: [button('Approve', APPROVAL_ACTIONS.approve, env.id, 'primary'), button('Reject', APPROVAL_ACTIONS.reject, env.id, 'danger')],
    },
    context(
      closing
        ? `Nothing is closed until an approver other than whoever asked approves${approval?.expiresAt ? `; without a decision the account stays open (${APPROVAL_EXPIRED})` : ''}. Follow it with \`/env status ${escapeMrkdwn(env.id)}\`.`
        : `No account exists until an approver other than the requester approves${approval?.expiresAt ? `; without a decision the request is rejected (${APPROVAL_EXPIRED})` : ''}. Follow it with \`/env status ${escapeMrkdwn(env.id)}\`.`,
    ),
  ];
  return message(text, blocks, { response_type: 'in_channel' });
}

/** The one decision on a request, as the environment records it or as a second decision was told it. */
export interface ApprovalDecision {
  decision: 'APPROVED' | 'REJECTED';
  decidedBy?: string;
  decidedAt?: string;
  via?: string;
  comment?: string;
  reason?: string;
}

/** The decision recorded on the environment, if any. */
export function recordedDecision(env: Environment): ApprovalDecision | undefined {
  const a = env.approval;
  if (!a?.decision) return undefined;
  return {
    decision: a.decision,
    ...(a.decidedBy ? { decidedBy: a.decidedBy } : {}),
    ...(a.decidedAt ? { decidedAt: a.decidedAt } : {}),
    ...(a.via ? { via: a.via } : {}),
    ...(a.comment ? { comment: a.comment } : {}),
    ...(a.reason ? { reason: a.reason } : {}),
  };
}

const VIA: Record<string, string> = { slack: 'in Slack', api: 'through the API' };

/**
 * What the approval message becomes once decided: who decided, when, through what, the comment, and
 * what happens next. No buttons, so it cannot be clicked again; posted with replace_original to the
 * click's response_url. A request nobody decided in time reads as expired.
 */
export function approvalDecidedMessage(env: Environment, decision: ApprovalDecision | undefined = recordedDecision(env)): SlackMessage {
  const name = escapeMrkdwn(env.name);
  const expired = decision?.decision === 'REJECTED' && decision.reason === APPROVAL_EXPIRED;
  const by = decision?.decidedBy ? ` by ${principalText(decision.decidedBy)}` : '';
  const when = decision?.decidedAt ? ` on ${slackDate(decision.decidedAt)}` : '';
  const via = decision?.via && VIA[decision.via] ? ` ${VIA[decision.via]}` : '';
  let title: string;
  let line: string;
  if (!decision) {
    title = `✋ Approval needed: ${name}`;
    line = `${bold(env.name)} has no decision yet.`;
  } else if (env.approval?.action === 'close') {
    const verdict = expired ? 'expired' : decision.decision === 'APPROVED' ? 'approved' : 'rejected';
    title = `${expired ? '⌛' : decision.decision === 'APPROVED' ? '✅' : '🚫'} Closing ${verdict}: ${name}`;
    line = expired
      ? `Nobody decided on closing ${bold(env.name)}${env.approval.expiresAt ? ` by ${slackDate(env.approval.expiresAt)}` : ' in time'} (${APPROVAL_EXPIRED}). The account stays open; ask again to close it.`
      : decision.decision === 'APPROVED'
        ? `Closing ${bold(env.name)} was approved${by}${when}${via}. The account is being closed; everyone who got its details hears when it is.`
        : `Closing ${bold(env.name)} was rejected${by}${when}${via}. The account stays open.`;
  } else if (expired) {
    title = `⌛ Approval expired: ${name}`;
    line = `Nobody decided on ${bold(env.name)}${env.approval?.expiresAt ? ` by ${slackDate(env.approval.expiresAt)}` : ' in time'}, so the request was rejected (${APPROVAL_EXPIRED}). No account was created; request it again to ask anew.`;
  } else if (decision.decision === 'APPROVED') {
    title = `✅ Approved: ${name}`;
    line = `${bold(env.name)} was approved${by}${when}${via}. Provisioning started; the switch-role details follow when the account is ready.`;
  } else {
    title = `🚫 Rejected: ${name}`;
    line = `${bold(env.name)} was rejected${by}${when}${via}. No account was created.`;
  }
  const blocks: SlackBlock[] = [header(title), section(line)];
  if (decision?.comment) blocks.push(section(`*Comment*${quote(decision.comment)}`));
  blocks.push(section(env.approval?.action === 'close' ? closeFacts(env) : requestFacts(env)));
  blocks.push(context(`Follow it with \`/env status ${escapeMrkdwn(env.id)}\`.`));
  const text = `${expired ? ':hourglass:' : decision?.decision === 'APPROVED' ? ':white_check_mark:' : decision ? ':no_entry:' : ':raised_hand:'} ${line}`;
  return message(text, blocks, { response_type: 'in_channel', replace_original: true });
}

/** Why a click changed nothing, told only to the person who clicked (the message stays as it is). */
export type ApprovalRefusal = 'NOT_AN_APPROVER' | 'SELF_APPROVAL' | 'NOT_AWAITING_APPROVAL' | 'NOT_FOUND';

export function approvalRefusedMessage(refusal: ApprovalRefusal, env: Pick<Environment, 'id' | 'name' | 'status' | 'approval'> | undefined, id: string): SlackMessage {
  const what = env ? bold(env.name) : code(id);
  let line: string;
  switch (refusal) {
    case 'NOT_AN_APPROVER':
      line = `:no_entry: You are not one of the approvers of ${what}, so your click changed nothing.${env?.approval?.approvers.length ? ` Ask ${approversText(env.approval.approvers)}.` : ''}`;
      break;
    case 'SELF_APPROVAL':
      line = `:no_entry: You requested ${what} yourself, so another approver has to decide; your click changed nothing.`;
      break;
    case 'NOT_AWAITING_APPROVAL':
      line = `:information_source: ${what} does not wait for approval${env ? ` (it is ${env.status})` : ''}; nothing was changed.`;
      break;
    case 'NOT_FOUND':
      line = `:information_source: There is no environment ${code(id)} any more; nothing was changed.`;
      break;
  }
  return message(line, [section(line)], { response_type: 'ephemeral', replace_original: false });
}

// ---------------------------------------------------------------------------------------------------
// Leases: the reminder before the end, with a button that extends it.
// ---------------------------------------------------------------------------------------------------

/** The action id of the reminder's button: what POST /slack/interactions reads back from a click (its value is the environment id). */
export const LEASE_ACTIONS = { extend: 'extend' } as const;

/**
 * "The lease ends soon", for the admin's Slack channel: when, and an Extend button whose value is the
 * environment id. Slack posts a click to the app's interactivity URL (POST /slack/interactions), which
 * extends the lease by `extendBy` seconds (extendLease in shared/use-cases/leases.ts).
 */
export function leaseReminderMessage(env: Environment, before: number, extendBy: number): SlackMessage {
  const ends = env.lease?.expiresAt;
  const when = ends ? slackDate(ends) : 'soon';
  const text = `:hourglass_flowing_sand: The lease of ${escapeMrkdwn(env.name)} ends in ${durationText(before)}${ends ? ` (${escapeMrkdwn(ends)})` : ''}.`;
  return message(
    text,
    [
      header(`⏳ ${escapeMrkdwn(env.name)}: lease ends in ${durationText(before)}`),
      section(
        [
          `*Environment* ${bold(env.name)} ${code(env.id)}`,
          ...(env.accountId ? [`*Account* ${code(env.accountId)}`] : []),
          `*OU* ${escapeMrkdwn(ouOf(env))}`,
          `*Lease ends* ${when}`,
        ].join('\n'),
      ),
      {
        type: 'actions',
        block_id: 'lease',
        elements: [button(`Extend ${durationText(extendBy)}`, LEASE_ACTIONS.extend, env.id, 'primary')],
      },
      context(
        `When the lease ends the account is closed (SUSPENDED). Extend adds ${durationText(extendBy)} from the current end; the API takes any \`ttl\` up to LEASE_MAX: \`POST /environments/${escapeMrkdwn(env.id)}/extend\`.`,
      ),
    ],
    { response_type: 'in_channel' },
  );
}
