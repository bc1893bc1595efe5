import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { placeAccountStep } from '../../shared/use-cases/provision-steps';

/** PlaceAccount: Moves the new account from the root into its OU; already there is success. */
export const build = (deps: () => Pick<Deps, 'environments' | 'organization' | 'organizationIndex' | 'clock' | 'config'>) => taskHandler('PlaceAccount', IdInput, (input) => placeAccountStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), organization: awsOrganization(), organizationIndex: awsOrganizationIndex(config) };
  }),
);
