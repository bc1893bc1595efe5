import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInputSchema } from '../../shared/lambda/task-inputs';
import { awsAccountSetup } from '../../shared/lambda/aws/access';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsRegistry } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { configureAccountStep } from '../../shared/use-cases/handoff-steps';

/** ConfigureAccount: sets the account alias from the environment name and tags the account. */
export const build = (deps: () => Pick<Deps, 'registry' | 'organization' | 'accountSetup' | 'clock' | 'config'>) =>
  taskHandler('ConfigureAccount', IdInputSchema, (input) => configureAccountStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, registry: awsRegistry(config), organization: awsOrganization(), accountSetup: awsAccountSetup() };
  }),
);
