import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, jsonBody } from '../../shared/lambda/http';
import { lazyPorts } from '../../shared/lambda/lazy';
import { requestReply } from '../../shared/lambda/replies';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments, awsIdempotency, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import { awsEvents } from '../../shared/lambda/aws/events';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { requestEnvironment } from '../../shared/use-cases/request-environment';

type RouteDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'idempotency' | 'organization' | 'organizationIndex' | 'workflow' | 'events'>;

/** POST /environments (IAM-authorised): the same request again, or the same Idempotency-Key, returns the same environment. */
export const build = (deps: () => RouteDeps) =>
  httpHandler(async (req) => {
    const d = deps();
    const outcome = await requestEnvironment(d, { body: jsonBody(req), source: 'api', idempotencyKey: req.headers['idempotency-key'], principal: req.principal });
    return requestReply(outcome, d.config);
  });

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    idempotency: awsIdempotency,
    organization: () => awsOrganization(),
    organizationIndex: awsOrganizationIndex,
    workflow: awsWorkflow,
    events: awsEvents,
  }),
);
