import { NotFoundError } from '../../shared/domain/errors';
import { loadConfig } from '../../shared/lambda/config';
import { environmentIdParam, httpHandler, json } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';
import { environmentView } from '../../shared/use-cases/views';

/** GET /environments/{id}: status, account, OU, timeline, failure with its fix, switch-role details once ready. */
export const build = (deps: () => Pick<Deps, 'config' | 'environments'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const id = environmentIdParam(req);
    const env = await d.environments.get(id);
    if (!env) throw new NotFoundError(`No environment ${id}.`);
    return json(200, environmentView(env, d.config));
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, environments: awsEnvironments(config) };
  }),
);
