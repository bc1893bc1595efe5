import { loadConfig } from '../../shared/lambda/config';
import { ENVIRONMENT_STATUSES, type EnvironmentStatus } from '../../shared/domain/environment';
import { InvalidInputError } from '../../shared/domain/errors';
import { httpHandler, pageLimit, type HttpRequest } from '../../shared/lambda/http';
import { pageCursor } from '../../shared/lambda/page-cursors';
import { lazy } from '../../shared/lambda/lazy';
import { environmentsPage } from '../../shared/lambda/replies';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';

/** GET /environments?limit=&cursor=&status=: newest first, one page at a time, of one status when asked (e.g. CLOSED). */
export const build = (deps: () => Pick<Deps, 'config' | 'environments'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const limit = pageLimit(req);
    const status = statusFilter(req);
    return environmentsPage(await d.environments.list({ limit, cursor: pageCursor(req, d.config), ...(status ? { status } : {}) }), limit, d.config, status);
  });

function statusFilter(req: HttpRequest): EnvironmentStatus | undefined {
  const status = req.query.status;
  if (status === undefined) return undefined;
  if (!(ENVIRONMENT_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidInputError(`status must be one of ${ENVIRONMENT_STATUSES.join(', ')}.`, [{ field: 'status', message: 'is not an environment status' }]);
  }
  return status as EnvironmentStatus;
}

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, environments: awsEnvironments(config) };
  }),
);
