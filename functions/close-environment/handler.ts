import { loadConfig } from '../../shared/lambda/config';
import { environmentIdParam, httpHandler, json } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsDecommission } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import { requestClose } from '../../shared/use-cases/close-steps';
import type { Deps } from '../../shared/use-cases/deps';
import { environmentView } from '../../shared/use-cases/views';

/**
 * DELETE /environments/{id} (IAM-authorised): 202 CLOSING and DecommissionEnvironment starts; asked
 * again while it closes, the same answer. In a protected OU: 202 READY with a pending close approval,
 * and the approvers are asked.
 */
export const build = (deps: () => Pick<Deps, 'config' | 'clock' | 'environments' | 'decommission' | 'events'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const env = await requestClose(d, { id: environmentIdParam(req), reason: 'api', ...(req.principal ? { requestedBy: req.principal } : {}) });
    return json(202, environmentView(env, d.config));
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), decommission: awsDecommission(config), events: awsEvents(config) };
  }),
);
