import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { logger } from '../../shared/lambda/logger';
import { taskHandler } from '../../shared/lambda/task';
import { OrganizationEventSchema } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import { applyOrganizationEvent, type IndexDeps } from '../../shared/use-cases/organization-index';

/** IndexOrganization: one CloudTrail event of the organization, applied to the organization index. */
export const build = (deps: () => IndexDeps) =>
  taskHandler('IndexOrganization', OrganizationEventSchema, async (event) => {
    const change = await applyOrganizationEvent(deps(), event);
    logger.info('organization index', { ...change });
    return change;
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { clock: systemClock, organization: awsOrganization(), organizationIndex: awsOrganizationIndex(config) };
  }),
);
