import { verifyStandardWebhook as verifyWebhookHeaders } from '../adapters/http/standard-webhooks';
import { webhookSecretProblem } from '../domain/webhook-secret';
import { NotConfiguredError, UnauthorizedError } from '../domain/errors';
import { verifySlackSignature as verifySlackHeaders } from '../domain/slack-signature';
import type { Config } from './config';
import type { Clock, Secrets } from '../ports';
import { httpRequest, type HttpEvent, type HttpResult } from './http';
import type { MiddlewareObj } from './middy';

/**
 * Middleware for the routes Slack calls: the request must carry Slack's signature over its timestamp
 * and raw body, made with the app's signing secret within the last five minutes; else 401, and 503
 * while the secret is not configured. Nothing of the request is read before it verifies.
 */
export function verifySlackSignature(deps: () => { secrets: Secrets; clock: Clock }): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async ({ event }) => {
      const req = httpRequest(event);
      const d = deps();
      const secret = await d.secrets.get('slack-signing-secret');
      if (!secret) throw new NotConfiguredError('The Slack signing secret is not configured for this deployment.');
      const verdict = verifySlackHeaders({
        signingSecret: secret,
        timestamp: req.headers['x-slack-request-timestamp'],
        signature: req.headers['x-slack-signature'],
        rawBody: req.rawBody,
        now: d.clock.now(),
      });
      if (!verdict.ok) throw new UnauthorizedError(`The Slack signature did not verify (${verdict.reason}).`);
    },
  };
}

/**
 * Middleware for a route signed per Standard Webhooks: `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` must verify against the raw body within 5 minutes; else 401 naming the header.
 * A missing or malformed signing secret is the operator's mistake, not the sender's: 503 to the
 * sender, the reason in the log (never the secret).
 */
export function verifyStandardWebhook(deps: () => { secrets: Secrets; config: Pick<Config, 'WEBHOOK_SECRET_PARAM'> }): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async ({ event }) => {
      const req = httpRequest(event);
      const d = deps();
      const secret = await d.secrets.get('webhook-secret');
      if (!secret) throw new NotConfiguredError('The webhook signing secret is not configured for this deployment.');
      const problem = webhookSecretProblem(secret);
      if (problem) throw new NotConfiguredError(`The webhook signing secret (${d.config.WEBHOOK_SECRET_PARAM || 'WEBHOOK_SECRET'}) ${problem}.`);
      verifyWebhookHeaders(secret, req.rawBody, req.headers);
    },
  };
}
