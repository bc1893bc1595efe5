import { verifyStandardWebhook, webhookSecretProblem } from '../../shared/adapters/http/standard-webhooks';
import { NotConfiguredError } from '../../shared/domain/errors';
import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, jsonBody } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { requestReply } from '../../shared/lambda/replies';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments, awsIdempotency } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { requestEnvironment } from '../../shared/use-cases/request-environment';

type RouteDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'idempotency' | 'organization' | 'workflow' | 'secrets'>;

/**
 * POST /webhooks/provision, signed per Standard Webhooks. The signature covers `{id}.{timestamp}.{body}`
 * and the timestamp must be within 5 minutes; `webhook-id` is the idempotency key, so a redelivery
 * answers with the environment the first delivery created.
 */
export const build = (deps: () => RouteDeps) =>
  httpHandler(async (req) => {
    const d = deps();
    const secret = await d.secrets.get('webhook-secret');
    if (!secret) throw new NotConfiguredError('The webhook signing secret is not configured for this deployment.');
    const problem = webhookSecretProblem(secret);
    // The operator's mistake, not the sender's: a 503 to the sender, the reason in the log (never the secret).
    if (problem) throw new NotConfiguredError(`The webhook signing secret (${d.config.WEBHOOK_SECRET_PARAM || 'WEBHOOK_SECRET'}) ${problem}.`);
    verifyStandardWebhook(secret, req.rawBody, req.headers);
    const outcome = await requestEnvironment(d, { body: jsonBody(req), source: 'webhook', idempotencyKey: `webhook:${req.headers['webhook-id']}` });
    return requestReply(outcome, d.config);
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), idempotency: awsIdempotency(config), organization: awsOrganization(), workflow: awsWorkflow(config), secrets: awsSecrets(config) };
  }),
);
