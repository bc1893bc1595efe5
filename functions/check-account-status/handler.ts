import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { PollInput } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsCreationSlots, awsEnvironments, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { checkAccountStatusStep } from '../../shared/use-cases/provision-steps';

/** CheckAccountStatus: Reports the creation state and the next wait; throws AccountCreationTimedOutError past the cap. */
export const build = (deps: () => Pick<Deps, 'environments' | 'creationSlots' | 'organization' | 'organizationIndex' | 'clock' | 'config'>) => taskHandler('CheckAccountStatus', PollInput, (input) => checkAccountStatusStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), creationSlots: awsCreationSlots(config), organization: awsOrganization(), organizationIndex: awsOrganizationIndex(config) };
  }),
);
