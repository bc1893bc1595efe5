import { standardWebhook } from '../../shared/adapters/http/standard-webhooks';
import { NotConfiguredError, UnauthorizedError } from '../../shared/domain/errors';
import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, jsonBody } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { requestReply } from '../../shared/lambda/replies';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsRegistry } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { requestEnvironment } from '../../shared/use-cases/request-environment';

type RouteDeps = Pick<Deps, 'config' | 'clock' | 'registry' | 'organization' | 'workflow' | 'secrets'>;

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
    try {
      // jsonParse off: the library would otherwise parse the body here and report bad JSON as a bad signature (401);
      // jsonBody below answers it as what it is (400, or 415 for a body that is not JSON at all).
      standardWebhook(secret).verify(
        req.rawBody,
        {
          'webhook-id': req.headers['webhook-id'] ?? '',
          'webhook-timestamp': req.headers['webhook-timestamp'] ?? '',
          'webhook-signature': req.headers['webhook-signature'] ?? '',
        },
        { jsonParse: false },
      );
    } catch (error) {
      throw new UnauthorizedError(`The webhook signature did not verify: ${(error as Error).message}`);
    }
    const outcome = await requestEnvironment(d, { body: jsonBody(req), source: 'webhook', idempotencyKey: `webhook:${req.headers['webhook-id']}` });
    return requestReply(outcome, d.config);
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, registry: awsRegistry(config), organization: awsOrganization(), workflow: awsWorkflow(config), secrets: awsSecrets(config) };
  }),
);
