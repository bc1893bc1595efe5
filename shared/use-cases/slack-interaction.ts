import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import type { Environment } from '../domain/environment';
import { parseSlackInteraction } from '../domain/slack-interaction';
import { approvalDecidedMessage, approvalRefusedMessage, escapeMrkdwn, recordedDecision, type ApprovalDecision, type ApprovalRefusal, type SlackMessage } from '../domain/slack-messages';
import { assertAllowedResponseUrl } from '../adapters/http/slack-response-url';
import { decideApproval, type ApprovalDeps } from './approval';
import { extendLease, type ExtendDeps } from './leases';
import { EXTEND_BUTTON_SECONDS } from '../domain/lease-schedule';
import { SwitchyardError } from '../domain/errors';

/** Posts a message to a click's response_url; the handler bounds it so Slack hears back within its 3 s. */
export type SlackRespond = (responseUrl: string, message: SlackMessage) => Promise<void>;

export type SlackInteractionDeps = ApprovalDeps & ExtendDeps & { respond: SlackRespond };

export type InteractionOutcome =
  /** A link button (switch-role): Slack only needs the 200. */
  | { kind: 'link' }
  | { kind: 'extended' | 'not-extended'; environmentId: string; replied: boolean; replyError?: unknown }
  | {
      kind: 'decided' | 'already-decided' | 'refused';
      environmentId: string;
      /** Why a click changed nothing (refused). */
      code?: ApprovalRefusal;
      /** Whether the message on Slack's side was updated; the decision stands either way. */
      replied: boolean;
      replyError?: unknown;
    };

/**
 * A button click from Slack (POST /slack/interactions); only a verified request gets this far. An
 * Approve or Reject click is the one decision through decideApproval, and the message it was made on
 * is replaced by who decided. A click that may not decide (not an approver, the requester) is told so
 * in a message only the clicker sees, and changes nothing; a click after the decision shows the first
 * one. Malformed payloads throw InvalidInputError before anything is read or decided.
 */
export async function handleSlackInteraction(deps: SlackInteractionDeps, rawBody: string): Promise<InteractionOutcome> {
  const click = parseSlackInteraction(rawBody);
  if (click.kind === 'link') return { kind: 'link' };
  // Checked before deciding: a response_url outside Slack is refused, not posted to afterwards.
  assertAllowedResponseUrl(click.responseUrl, deps.config.SLACK_RESPONSE_URL_PREFIXES);
  const id = click.environmentId;
  if (click.kind === 'extend') return extendFromSlack(deps, click);

  let kind: 'decided' | 'already-decided' | 'refused';
  let message: SlackMessage;
  let code: ApprovalRefusal | undefined;
  try {
    const env = await decideApproval(deps, { id, decision: click.decision, principal: click.userId, via: 'slack' });
    kind = 'decided';
    message = approvalDecidedMessage(env);
  } catch (error) {
    const refusal = refusalOf(error);
    if (!refusal) throw error;
    const env = await deps.environments.get(id);
    if (refusal === 'ALREADY_DECIDED' && env) {
      kind = 'already-decided';
      message = approvalDecidedMessage(env, firstDecision(error as ConflictError, env));
    } else {
      kind = 'refused';
      code = refusal === 'ALREADY_DECIDED' ? 'NOT_FOUND' : refusal;
      message = approvalRefusedMessage(code, env, id);
    }
  }

  try {
    await deps.respond(click.responseUrl, message);
    return { kind, environmentId: id, ...(code ? { code } : {}), replied: true };
  } catch (replyError) {
    // The decision is recorded; a click on the unchanged message later shows it.
    return { kind, environmentId: id, ...(code ? { code } : {}), replied: false, replyError };
  }
}

function refusalOf(error: unknown): ApprovalRefusal | 'ALREADY_DECIDED' | undefined {
  if (error instanceof ForbiddenError) return error.code;
  if (error instanceof NotFoundError) return 'NOT_FOUND';
  if (error instanceof ConflictError && (error.code === 'ALREADY_DECIDED' || error.code === 'NOT_AWAITING_APPROVAL')) return error.code;
  return undefined;
}

/** The decision the click lost to, as decideApproval reported it; the record's own when the report lacks it. */
function firstDecision(error: ConflictError, env: Environment): ApprovalDecision | undefined {
  const reported = error.details?.decision as Partial<ApprovalDecision> | undefined;
  if (reported && (reported.decision === 'APPROVED' || reported.decision === 'REJECTED')) {
    const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    const fields = { decidedBy: text(reported.decidedBy), decidedAt: text(reported.decidedAt), via: text(reported.via), comment: text(reported.comment), reason: text(reported.reason) };
    return { decision: reported.decision, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
  }
  return recordedDecision(env);
}

/**
 * The Extend button of a lease reminder: the lease is extended by EXTEND_BUTTON_SECONDS (within
 * LEASE_MAX) and the clicker is told the new end, or why not (no lease, not READY, past LEASE_MAX),
 * in a message only they see.
 */
async function extendFromSlack(deps: SlackInteractionDeps, click: { environmentId: string; userId: string; responseUrl: string }): Promise<InteractionOutcome> {
  let kind: 'extended' | 'not-extended';
  let text: string;
  try {
    const env = await extendLease(deps, { id: click.environmentId, ttl: EXTEND_BUTTON_SECONDS, by: click.userId });
    kind = 'extended';
    text = `:calendar: ${escapeMrkdwn(env.name)}'s lease now ends ${escapeMrkdwn(env.lease?.expiresAt ?? '')} (extended by <@${click.userId}>).`;
  } catch (error) {
    if (!(error instanceof SwitchyardError) || error.status >= 500) throw error;
    kind = 'not-extended';
    text = `:warning: The lease was not extended: ${escapeMrkdwn(error.message)}`;
  }
  const message = { response_type: 'ephemeral', replace_original: false, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] } as unknown as SlackMessage;
  try {
    await deps.respond(click.responseUrl, message);
    return { kind, environmentId: click.environmentId, replied: true };
  } catch (replyError) {
    return { kind, environmentId: click.environmentId, replied: false, replyError };
  }
}
