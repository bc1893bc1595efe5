import * as z from 'zod';
import { postToResponseUrl } from '../../shared/adapters/http/slack-response-url';
import { progressMessage, rejectedMessage } from '../../shared/domain/slack-messages';
import { deferredSchema } from '../../shared/domain/deferred-schema';
import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsDeliveries, awsEnvironments, awsIdempotency, awsRejections } from '../../shared/lambda/aws/registry';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { sendOnce } from '../../shared/use-cases/deliver';
import { requestFromEvent } from '../../shared/use-cases/request-from-event';

/** Only the envelope is checked here: a bad detail must become a recorded rejection, not a lost event. */
// source and detail-type are bounded as EventBridge bounds them (256 and 128): the source is stored with a rejection.
const EventSchema = deferredSchema(() =>
  z.object({ id: z.string().min(1).max(128), source: z.string().max(256).optional(), 'detail-type': z.string().max(128).optional(), detail: z.unknown() }).passthrough(),
);

type EventDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'idempotency' | 'rejections' | 'deliveries' | 'organization' | 'workflow' | 'events'>;

/** `Environment Requested` events (source switchyard.requests) from EventBridge, including Slack's hand-over. */
export const build = (deps: () => EventDeps) =>
  taskHandler('RequestFromEvent', EventSchema, async (event) => {
    const d = deps();
    const result = await requestFromEvent(d, event, async (replyTo, outcome) => {
      const payload = outcome.accepted ? progressMessage(outcome.outcome.environment) : rejectedMessage({ code: outcome.code, message: outcome.message, fields: outcome.fields });
      // Once per event, as every message is sent: a redelivered event must not post again, least of
      // all over the ready message that has since replaced this one (both replace_original).
      const key = { subject: event.id, kind: outcome.accepted ? 'accepted' : 'rejected', channel: 'slack-response' };
      const post = () => postToResponseUrl(replyTo.slackResponseUrl!, payload, { allowedPrefixes: d.config.SLACK_RESPONSE_URL_PREFIXES });
      // The reply is a courtesy: the request itself has been handled, so a Slack outage must not retry it.
      await sendOnce(d.deliveries, key, () => d.clock.now(), post).catch(() => undefined);
    });
    return result.accepted ? { accepted: true, id: result.outcome.environment.id } : { accepted: false, code: result.code };
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), idempotency: awsIdempotency(config), rejections: awsRejections(config), deliveries: awsDeliveries(config), organization: awsOrganization(), workflow: awsWorkflow(config), events: awsEvents(config) };
  }),
);
