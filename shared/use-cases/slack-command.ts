import { InvalidInputError, SwitchyardError } from '../domain/errors';
import { ENVIRONMENT_ID_PATTERN, environmentId } from '../domain/naming';
import { parseEnvironmentRequest } from '../domain/request';
import { parseSlackCommand, parseSlashCommandForm } from '../domain/slack-command';
import { ackCreate, listMessage, rejectedMessage, statusMessage, usageMessage } from '../domain/slack-messages';
import { slackRequestKey } from '../domain/slack-signature';
import { REQUEST_DETAIL_TYPE, REQUEST_EVENT_SOURCE } from '../ports';
import { assertAllowedResponseUrl } from '../adapters/http/slack-response-url';
import type { Config } from '../lambda/config';
import type { Deps } from './deps';
import { extendLease } from './leases';
import { requestClose } from './close-steps';
import { switchRoleFor, type SwitchRoleSettings } from './provision-steps';
import { REPLY_TO_KEY } from './request-from-event';

export type SlackReply = ReturnType<typeof usageMessage>;

/**
 * `/env …` from Slack. Only a verified request gets this far (the route's verifySlackSignature
 * middleware). `create` is validated here (pure and fast) and handed to the request function through
 * the bus, so Slack hears back within its 3 s whatever the pre-flight costs; progress and the result
 * follow on the command's response_url.
 */
export async function handleSlackCommand(
  deps: Pick<Deps, 'environments' | 'idempotency' | 'events' | 'clock' | 'decommission'> & {
    config: SwitchRoleSettings & Pick<Config, 'SLACK_RESPONSE_URL_PREFIXES' | 'DEFAULT_OU' | 'EMAIL_TEMPLATE' | 'LEASE_MAX' | 'LEASE_REMINDERS' | 'APPROVAL_OUS' | 'APPROVERS' | 'APPROVAL_TIMEOUT'>;
  },
  req: { rawBody: string; headers: Record<string, string> },
): Promise<SlackReply> {
  const form = parseSlashCommandForm(req.rawBody);
  if (!form) throw new InvalidInputError('Not a Slack slash-command payload.', [{ field: '(body)', message: 'needs command and response_url' }]);
  // Checked now, not when the result is posted: a response_url outside Slack is refused before it is stored.
  assertAllowedResponseUrl(form.responseUrl, deps.config.SLACK_RESPONSE_URL_PREFIXES);
  const command = parseSlackCommand(form.text);

  switch (command.kind) {
    case 'help':
      return usageMessage();
    case 'usage':
      return usageMessage(command.problem);
    case 'list': {
      const page = await deps.environments.list({ limit: 10 });
      return listMessage(page.items);
    }
    case 'status': {
      const env = await findEnvironment(deps, command.target);
      if (!env) return usageMessage(`No environment called "${command.target}".`);
      return statusMessage(env, env.status === 'READY' ? switchRoleFor(env, deps.config) : undefined);
    }
    case 'extend':
    case 'close': {
      const env = await findEnvironment(deps, command.target);
      if (!env) return usageMessage(`No environment called "${command.target}".`);
      // Once per signed request: Slack retrying a slow answer must not extend twice.
      if (!(await deps.idempotency.claimOnce(slackRequestKey(req.headers['x-slack-request-timestamp']!, req.rawBody)))) return statusMessage(env);
      try {
        const changed =
          command.kind === 'extend'
            ? await extendLease(deps, { id: env.id, ttl: command.ttl, by: form.userId })
            : await requestClose(deps, { id: env.id, reason: 'slack', requestedBy: form.userId });
        return statusMessage(changed);
      } catch (error) {
        if (error instanceof SwitchyardError && error.status < 500) return rejectedMessage({ code: error.code, message: error.message, fields: (error as InvalidInputError).fields });
        throw error;
      }
    }
    case 'create': {
      const body = {
        ...command.body,
        ...(command.body.ou || !deps.config.DEFAULT_OU ? {} : { ou: deps.config.DEFAULT_OU }),
        requestedBy: `slack:${form.userName || form.userId}`,
      };
      let request;
      try {
        request = parseEnvironmentRequest(body, { emailTemplate: deps.config.EMAIL_TEMPLATE });
      } catch (error) {
        if (error instanceof SwitchyardError) return rejectedMessage({ code: error.code, message: error.message, fields: (error as InvalidInputError).fields });
        throw error;
      }
      const existing = await deps.environments.get(request.id);
      if (existing && existing.requestHash !== request.requestHash) {
        return rejectedMessage({ code: 'NAME_TAKEN', message: `An environment named "${existing.name}" already exists (${existing.id}, ${existing.status}).`, fields: [{ field: 'name', message: 'is already used by another environment' }] });
      }
      if (!existing) await handOver(deps, slackRequestKey(req.headers['x-slack-request-timestamp']!, req.rawBody), body, form);
      return ackCreate({ id: request.id, name: request.name, ou: request.ou }, Boolean(existing));
    }
  }
}

/**
 * Hands a create to the request function once per signed request. Copies of it (Slack retrying a slow
 * answer, the same request sent twice at once) find the claim taken and publish nothing, so there is
 * one Environment Requested event and one acknowledgement on response_url; they still get the same
 * ephemeral answer. The claim is taken before publishing and given back if publishing fails, so a
 * retry can hand it over then.
 */
async function handOver(
  deps: Pick<Deps, 'idempotency' | 'events'>,
  key: string,
  body: Record<string, unknown>,
  form: { responseUrl: string; userId: string },
): Promise<void> {
  if (!(await deps.idempotency.claimOnce(key))) return;
  try {
    await deps.events.publish([
      {
        source: REQUEST_EVENT_SOURCE,
        detailType: REQUEST_DETAIL_TYPE,
        detail: { ...body, [REPLY_TO_KEY]: { slackResponseUrl: form.responseUrl, slackUserId: form.userId } },
      },
    ]);
  } catch (error) {
    await deps.idempotency.releaseClaim(key).catch(() => undefined);
    throw error;
  }
}

/**
 * The environment a command names: a well-formed id is looked up as one (as GET /environments/{id}
 * does), anything else as a name whose id is derived. Free text is never used as a key: a long target
 * would fail the read (a 502).
 */
async function findEnvironment(deps: Pick<Deps, 'environments'>, target: string) {
  const byId = ENVIRONMENT_ID_PATTERN.test(target) ? await deps.environments.get(target) : undefined;
  return byId ?? (await deps.environments.get(environmentId(target)));
}
