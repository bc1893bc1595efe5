import { InvalidInputError, NotFoundError } from '../../shared/domain/errors';
import { ENVIRONMENT_ID_PATTERN } from '../../shared/domain/naming';
import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, json } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { awsRegistry } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';
import { environmentView } from '../../shared/use-cases/views';

/** GET /environments/{id}: status, account, OU, timeline, failure with its fix, switch-role details once ready. */
export const build = (deps: () => Pick<Deps, 'config' | 'registry'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const id = req.path.id ?? '';
    if (!ENVIRONMENT_ID_PATTERN.test(id)) {
      throw new InvalidInputError('That is not an environment id.', [{ field: 'id', message: 'must look like staging-1a2b3c4d' }]);
    }
    const env = await d.registry.get(id);
    if (!env) throw new NotFoundError(`No environment ${id}.`);
    return json(200, environmentView(env, d.config));
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, registry: awsRegistry(config) };
  }),
);
