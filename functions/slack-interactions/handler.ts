import { loadConfig } from '../../shared/lambda/config';
import { httpHandler } from '../../shared/lambda/http';
import { lazyPorts, withOverrides } from '../../shared/lambda/lazy';
import { logger } from '../../shared/lambda/logger';
import { verifySlackSignature } from '../../shared/lambda/signatures';
import { interactionResponder } from '../../shared/lambda/slack-interaction-reply';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { awsDecommission, awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { handleSlackInteraction } from '../../shared/use-cases/slack-interaction';

type RouteDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'workflow' | 'decommission' | 'events' | 'secrets'>;

/**
 * POST /slack/interactions: Approve and Reject clicks, verified by Slack's signature (not IAM). The
 * decision is made inline (a few registry writes and StartExecution) and the message updated on the
 * click's response_url; Slack gets an empty 200 within its 3 s.
 */
export const build = (deps: () => RouteDeps) =>
  httpHandler(async (req) => {
    const d = deps();
    const outcome = await handleSlackInteraction(withOverrides(d, { respond: interactionResponder(d.config) }), req.rawBody);
    if (outcome.kind !== 'link') {
      const { replyError, ...rest } = outcome;
      // Never the response_url: it is a bearer capability.
      if (replyError) logger.warn('Slack interaction handled; the message could not be updated', { ...rest, error: replyError as Error });
      else logger.info('Slack interaction handled', rest);
    }
    return { status: 200 };
  }).use(verifySlackSignature(deps));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    workflow: awsWorkflow,
    decommission: awsDecommission,
    events: awsEvents,
    secrets: awsSecrets,
  }),
);
