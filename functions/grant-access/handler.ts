import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsGrants } from '../../shared/lambda/aws/access';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments, awsGrantPatterns } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { grantAccessStep } from '../../shared/use-cases/handoff-steps';

/** GrantAccess: lets the admin principal assume the organization access role in the new account's OU. */
export const build = (deps: () => Pick<Deps, 'environments' | 'grantPatterns' | 'organization' | 'grants' | 'clock' | 'config'>) =>
  taskHandler('GrantAccess', IdInput, (input) => grantAccessStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), grantPatterns: awsGrantPatterns(config), organization: awsOrganization(), grants: awsGrants() };
  }),
);
