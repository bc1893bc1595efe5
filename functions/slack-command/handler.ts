import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, json } from '../../shared/lambda/http';
import { lazyPorts } from '../../shared/lambda/lazy';
import { verifySlackSignature } from '../../shared/lambda/signatures';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsEnvironments, awsIdempotency } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { awsDecommission } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { handleSlackCommand } from '../../shared/use-cases/slack-command';

/** POST /slack/commands: verified by Slack's signature (not IAM); answers within Slack's 3 s with an ephemeral message. */
export const build = (deps: () => Pick<Deps, 'config' | 'clock' | 'environments' | 'idempotency' | 'events' | 'decommission' | 'secrets'>) =>
  httpHandler(async (req) => json(200, await handleSlackCommand(deps(), req))).use(verifySlackSignature(deps));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    idempotency: awsIdempotency,
    events: awsEvents,
    decommission: awsDecommission,
    secrets: awsSecrets,
  }),
);
