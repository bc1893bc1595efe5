import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { eventReply, slackReply } from '../../shared/lambda/slack-replies';
import { taskHandler } from '../../shared/lambda/task';
import { RequestEvent } from '../../shared/lambda/task-inputs';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsDeliveries, awsEnvironments, awsIdempotency, awsOrganizationIndex, awsRejections } from '../../shared/lambda/aws/registry';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { requestFromEvent } from '../../shared/use-cases/request-from-event';

type EventDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'idempotency' | 'rejections' | 'deliveries' | 'organization' | 'organizationIndex' | 'workflow' | 'events'>;

/** `Environment Requested` events (source switchyard.requests) from EventBridge, including Slack's hand-over, answered on its response_url. */
export const build = (deps: () => EventDeps) =>
  taskHandler('RequestFromEvent', RequestEvent, async (event) => eventReply(await requestFromEvent(deps(), event, slackReply(deps(), event.id))));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    idempotency: awsIdempotency,
    rejections: awsRejections,
    deliveries: awsDeliveries,
    organization: () => awsOrganization(),
    organizationIndex: awsOrganizationIndex,
    workflow: awsWorkflow,
    events: awsEvents,
  }),
);
