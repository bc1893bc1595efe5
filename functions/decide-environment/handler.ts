import { parseDecisionBody } from '../../shared/domain/decision-request';
import { ForbiddenError } from '../../shared/domain/errors';
import { loadConfig } from '../../shared/lambda/config';
import { environmentIdParam, httpHandler, json, jsonBody, type HttpRequest } from '../../shared/lambda/http';
import { lazyPorts } from '../../shared/lambda/lazy';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsDecommission, awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import { decideApproval, type ApprovalDeps } from '../../shared/use-cases/approval';
import { environmentView } from '../../shared/use-cases/views';

/** `/approve` or `/reject`, from the route API Gateway matched. */
function decisionOf(req: HttpRequest): 'approve' | 'reject' {
  return req.event.routeKey.endsWith('/approve') ? 'approve' : 'reject';
}

/**
 * POST /environments/{id}/approve and /reject (IAM-authorised): an approver's decision on a request
 * in a protected OU, body `{ "comment"?: string }`. The caller is the IAM principal SigV4 verified.
 */
export const build = (deps: () => ApprovalDeps) =>
  httpHandler(async (req) => {
    const d = deps();
    const id = environmentIdParam(req);
    const { comment } = parseDecisionBody(req.rawBody.trim() ? jsonBody(req) : undefined);
    if (!req.principal) throw new ForbiddenError('NOT_AN_APPROVER', 'The request carries no verified caller; sign it with SigV4 as an approver.');
    const env = await decideApproval(d, { id, decision: decisionOf(req), principal: req.principal, via: 'api', ...(comment ? { comment } : {}) });
    return json(200, environmentView(env, d.config));
  });

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    workflow: awsWorkflow,
    decommission: awsDecommission,
    events: awsEvents,
  }),
);
