import { InvalidInputError, SwitchyardError, type FieldError } from '../domain/errors';
import { MAX_JSON_DEPTH, tooDeep } from '../domain/json-depth';
import { environmentId } from '../domain/naming';
import type { ReplyTo } from '../domain/environment';
import type { Deps } from './deps';
import { requestEnvironment, type RequestOutcome, type RequestSettings } from './request-environment';

/** The parts of an EventBridge event the request function reads; everything else is ignored. */
export interface RequestEvent {
  id: string;
  source?: string;
  'detail-type'?: string;
  detail?: unknown;
}

export type EventOutcome = { accepted: true; outcome: RequestOutcome } | { accepted: false; code: string; message: string; fields?: FieldError[] };

/** Reply addresses ride along with the request body under this key; they are not part of the request. */
export const REPLY_TO_KEY = 'replyTo';

/**
 * `Environment Requested` from EventBridge: the same request use case, keyed by the event id so a
 * redelivery returns the same environment. A request the caller got wrong is never dropped silently:
 * it is recorded as a rejection and announced as `Environment Request Rejected`; failures that a retry
 * could fix are thrown, so EventBridge and Lambda retry and finally dead-letter them.
 */
export async function requestFromEvent(
  deps: Pick<Deps, 'clock' | 'environments' | 'idempotency' | 'rejections' | 'organization' | 'organizationIndex' | 'workflow' | 'events'> & { config: RequestSettings },
  event: RequestEvent,
  respond?: (replyTo: ReplyTo, result: EventOutcome) => Promise<void>,
): Promise<EventOutcome> {
  const { body, replyTo } = splitReplyTo(event.detail);
  let result: EventOutcome;
  try {
    // Checked before anything walks the detail recursively (validation, the rejection's record).
    if (tooDeep(event.detail)) {
      throw new InvalidInputError(`The event detail nests deeper than ${MAX_JSON_DEPTH} levels.`, [{ field: 'detail', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }]);
    }
    result = { accepted: true, outcome: await requestEnvironment(deps, { body, source: 'event', idempotencyKey: `event:${event.id}`, replyTo }) };
  } catch (error) {
    if (!(error instanceof SwitchyardError) || error.status >= 500) throw error;
    const fields = 'fields' in error && Array.isArray(error.fields) ? error.fields : undefined;
    const name = typeof (body as { name?: unknown })?.name === 'string' ? String((body as { name: string }).name).slice(0, 50) : undefined;
    await deps.rejections.record({
      id: event.id,
      at: deps.clock.now().toISOString(),
      source: event.source ?? 'unknown',
      code: error.code,
      message: error.message,
      ...(fields?.length ? { fields } : {}),
      ...(name ? { name } : {}),
    });
    await deps.events.publish([
      {
        detailType: 'Environment Request Rejected',
        detail: { eventId: event.id, ...(name ? { name, id: environmentId(name) } : {}), code: error.code, message: error.message, ...(fields?.length ? { fields } : {}) },
      },
    ]);
    result = { accepted: false, code: error.code, message: error.message, ...(fields?.length ? { fields } : {}) };
  }
  if (replyTo && respond) await respond(replyTo, result);
  return result;
}

function splitReplyTo(detail: unknown): { body: unknown; replyTo?: ReplyTo } {
  if (!detail || typeof detail !== 'object' || Array.isArray(detail) || !(REPLY_TO_KEY in detail)) return { body: detail };
  const { [REPLY_TO_KEY]: raw, ...body } = detail as Record<string, unknown>;
  const url = (raw as { slackResponseUrl?: unknown } | null)?.slackResponseUrl;
  const user = (raw as { slackUserId?: unknown } | null)?.slackUserId;
  const replyTo: ReplyTo = {
    ...(typeof url === 'string' ? { slackResponseUrl: url } : {}),
    ...(typeof user === 'string' ? { slackUserId: user } : {}),
  };
  return { body, ...(replyTo.slackResponseUrl ? { replyTo } : {}) };
}
