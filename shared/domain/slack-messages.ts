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
  | { type: 'actions'; elements: Array<{ type: 'button'; text: TextObject; url: string; style?: 'primary' | 'danger'; action_id: string }> };

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
  REQUESTED: ':inbox_tray:',
  CREATING: ':hourglass_flowing_sand:',
  PLACING: ':hourglass_flowing_sand:',
  NOTIFYING: ':hourglass_flowing_sand:',
  READY: ':white_check_mark:',
  FAILED: ':x:',
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
  }
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
