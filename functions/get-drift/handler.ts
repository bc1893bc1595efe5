import { NotFoundError } from '../../shared/domain/errors';
import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, json } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { awsDriftReports } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';

/** GET /drift: the latest drift report, findings first seen when, confirmed or not. */
export const build = (deps: () => Pick<Deps, 'config' | 'driftReports'>) =>
  httpHandler(async () => {
    const report = await deps().driftReports.latest();
    if (!report) throw new NotFoundError('No drift check has run yet; POST /drift-checks runs one now.');
    return json(200, report);
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, driftReports: awsDriftReports(config) };
  }),
);
