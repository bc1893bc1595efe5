import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, json, jsonBody } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsRegistry } from '../../shared/lambda/aws/registry';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { requestEnvironment } from '../../shared/use-cases/request-environment';
import { environmentView } from '../../shared/use-cases/views';

type RouteDeps = Pick<Deps, 'config' | 'clock' | 'registry' | 'organization' | 'workflow'>;

/** POST /environments: 202 for a new environment, 200 with the same one for the same request again. */
export const build = (deps: () => RouteDeps) =>
  httpHandler(async (req) => {
    const d = deps();
    const { environment, created } = await requestEnvironment(d, {
      body: jsonBody(req),
      source: 'api',
      idempotencyKey: req.headers['idempotency-key'],
    });
    const view = environmentView(environment, d.config);
    return json(created ? 202 : 200, { id: environment.id, status: environment.status, environment: view, links: view.links }, { location: view.links.self });
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, registry: awsRegistry(config), organization: awsOrganization(), workflow: awsWorkflow(config) };
  }),
);
