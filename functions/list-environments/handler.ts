import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, pageLimit } from '../../shared/lambda/http';
import { pageCursor } from '../../shared/lambda/page-cursors';
import { lazy } from '../../shared/lambda/lazy';
import { environmentsPage } from '../../shared/lambda/replies';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';

/** GET /environments?limit=&cursor=: newest first, one page at a time. */
export const build = (deps: () => Pick<Deps, 'config' | 'environments'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const limit = pageLimit(req);
    return environmentsPage(await d.environments.list({ limit, cursor: pageCursor(req, d.config) }), limit, d.config);
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, environments: awsEnvironments(config) };
  }),
);
