import { postToResponseUrl } from '../adapters/http/slack-response-url';
import type { ReplyTo } from '../domain/environment';
import { progressMessage, rejectedMessage } from '../domain/slack-messages';
import type { Config } from './config';
import type { Clock, DeliveryStore } from '../ports';
import { sendOnce } from '../use-cases/deliver';
import type { EventOutcome } from '../use-cases/request-from-event';

/**
 * How a request handed over from Slack is answered on its response_url: progress once accepted, the
 * reason once refused. Once per event, as every message is sent: a redelivered event must not post
 * again, least of all over the ready message that has since replaced this one (both replace_original).
 * The reply is a courtesy: the request itself has been handled, so a Slack outage must not retry it.
 */
export function slackReply(deps: { config: Pick<Config, 'SLACK_RESPONSE_URL_PREFIXES'>; clock: Clock; deliveries: DeliveryStore }, eventId: string) {
  return async (replyTo: ReplyTo, outcome: EventOutcome): Promise<void> => {
    const payload = outcome.accepted ? progressMessage(outcome.outcome.environment) : rejectedMessage({ code: outcome.code, message: outcome.message, fields: outcome.fields });
    const key = { subject: eventId, kind: outcome.accepted ? 'accepted' : 'rejected', channel: 'slack-response' };
    const post = () => postToResponseUrl(replyTo.slackResponseUrl!, payload, { allowedPrefixes: deps.config.SLACK_RESPONSE_URL_PREFIXES });
    await sendOnce(deps.deliveries, key, () => deps.clock.now(), post).catch(() => undefined);
  };
}

/** What the request function answers its invoker with: the environment's id, or the code it was refused with. */
export function eventReply(outcome: EventOutcome) {
  return outcome.accepted ? { accepted: true as const, id: outcome.outcome.environment.id } : { accepted: false as const, code: outcome.code };
}
