import { InvalidInputError } from '../../shared/domain/errors';
import { loadConfig } from '../../shared/lambda/config';
import { environmentIdParam, httpHandler, json, jsonBody } from '../../shared/lambda/http';
import { lazyPorts } from '../../shared/lambda/lazy';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import { extendLease, type ExtendDeps } from '../../shared/use-cases/leases';
import { environmentView } from '../../shared/use-cases/views';
import type { Config } from '../../shared/lambda/config';

/** `{ "ttl": "P7D" }` and nothing else; anything else is a 400 naming the field. */
function parseExtendBody(body: unknown): { ttl: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidInputError('The body must be a JSON object, e.g. {"ttl": "P7D"}.', [{ field: '(body)', message: 'must be a JSON object' }]);
  }
  const { ttl, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new InvalidInputError(`Unknown field ${unknown[0]}; an extension takes only ttl.`, unknown.slice(0, 10).map((field) => ({ field: field.slice(0, 64), message: 'is not a known field' })));
  if (ttl === undefined) throw new InvalidInputError('ttl is required, e.g. {"ttl": "P7D"}.', [{ field: 'ttl', message: 'is required' }]);
  if (typeof ttl !== 'string') throw new InvalidInputError('ttl must be an ISO 8601 duration such as P7D.', [{ field: 'ttl', message: 'must be an ISO 8601 duration such as P7D' }]);
  return { ttl };
}

/**
 * POST /environments/{id}/extend (IAM-authorised), body `{ "ttl": "P7D" }`: a READY environment's
 * lease ends `ttl` after the later of now and its current end, at most LEASE_MAX from now. 200 with
 * the environment; 400 naming ttl; 404; 409 NOT_LEASED or NOT_READY.
 */
export const build = (deps: () => ExtendDeps & { config: Config }) =>
  httpHandler(async (req) => {
    const d = deps();
    const id = environmentIdParam(req);
    const { ttl } = parseExtendBody(jsonBody(req));
    const env = await extendLease(d, { id, ttl, ...(req.principal ? { by: req.principal } : {}) });
    return json(200, environmentView(env, d.config));
  });

export const handler = build(lazyPorts(loadConfig, { clock: () => systemClock, environments: awsEnvironments, events: awsEvents }));
