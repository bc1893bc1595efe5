import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsAccountSetup } from '../../shared/lambda/aws/access';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { configureAccountStep } from '../../shared/use-cases/handoff-steps';

/** ConfigureAccount: sets the account alias from the environment name, tags the account and paints it in its console colour. */
export const build = (deps: () => Pick<Deps, 'environments' | 'organization' | 'accountSetup' | 'clock' | 'config'>) =>
  taskHandler('ConfigureAccount', IdInput, (input) => configureAccountStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), organization: awsOrganization(), accountSetup: awsAccountSetup() };
  }),
);
