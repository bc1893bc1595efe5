import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsCreationSlots, awsCreationWakes, awsEnvironments, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { createAccountStep } from '../../shared/use-cases/provision-steps';

/** CreateAccount: Starts the account creation once per environment (see createAccountStep for how a re-run finds its own attempt). */
export const build = (deps: () => Pick<Deps, 'environments' | 'creationSlots' | 'creationWakes' | 'organization' | 'organizationIndex' | 'clock' | 'config'>) => taskHandler('CreateAccount', IdInput, (input) => createAccountStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), creationSlots: awsCreationSlots(config), creationWakes: awsCreationWakes(config), organization: awsOrganization(), organizationIndex: awsOrganizationIndex(config) };
  }),
);
