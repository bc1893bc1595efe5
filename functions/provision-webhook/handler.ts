import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, jsonBody } from '../../shared/lambda/http';
import { lazyPorts } from '../../shared/lambda/lazy';
import { requestReply } from '../../shared/lambda/replies';
import { verifyStandardWebhook } from '../../shared/lambda/signatures';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments, awsIdempotency, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import { awsEvents } from '../../shared/lambda/aws/events';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { requestEnvironment } from '../../shared/use-cases/request-environment';

type RouteDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'idempotency' | 'organization' | 'organizationIndex' | 'workflow' | 'events' | 'secrets'>;

/**
 * POST /webhooks/provision, signed per Standard Webhooks (the signature covers `{id}.{timestamp}.{body}`,
 * the timestamp must be within 5 minutes). `webhook-id` is the idempotency key, so a redelivery
 * answers with the environment the first delivery created.
 */
export const build = (deps: () => RouteDeps) =>
  httpHandler(async (req) => {
    const outcome = await requestEnvironment(deps(), { body: jsonBody(req), source: 'webhook', idempotencyKey: `webhook:${req.headers['webhook-id']}`, principal: 'webhook' });
    return requestReply(outcome, deps().config);
  }).use(verifyStandardWebhook(deps));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    idempotency: awsIdempotency,
    organization: () => awsOrganization(),
    organizationIndex: awsOrganizationIndex,
    workflow: awsWorkflow,
    events: awsEvents,
    secrets: awsSecrets,
  }),
);
