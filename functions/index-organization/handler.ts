import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { logger } from '../../shared/lambda/logger';
import { taskHandler } from '../../shared/lambda/task';
import { OrganizationEvent } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsCreationWakes, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { applyOrganizationEvent, wakeOnCreationResult, type IndexDeps } from '../../shared/use-cases/organization-index';

/**
 * IndexOrganization: one CloudTrail event of the organization, applied to the organization index; a
 * creation's end also wakes the workflow waiting for it. A wake that fails is logged, not retried:
 * the workflow's own status poll is the backstop, and the index must not wait on it.
 */
export const build = (deps: () => IndexDeps & Pick<Deps, 'creationWakes' | 'workflow'>) =>
  taskHandler('IndexOrganization', OrganizationEvent, async (event) => {
    let wake: string;
    try {
      wake = await wakeOnCreationResult(deps(), event);
    } catch (error) {
      wake = 'failed';
      logger.warn('the waiting workflow could not be woken; its status poll will find the account', { error: error as Error });
    }
    const change = await applyOrganizationEvent(deps(), event);
    logger.info('organization index', { ...change, wake });
    return { ...change, wake };
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { clock: systemClock, organization: awsOrganization(), organizationIndex: awsOrganizationIndex(config), creationWakes: awsCreationWakes(config), workflow: awsWorkflow(config) };
  }),
);
