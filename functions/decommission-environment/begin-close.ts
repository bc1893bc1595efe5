import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsClosingWindow, awsEnvironments, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import { beginCloseStep } from '../../shared/use-cases/close-steps';
import type { Deps } from '../../shared/use-cases/deps';

/** BeginClose: the account is this environment's and not the management account; a place in the closing quota. */
export const build = (deps: () => Pick<Deps, 'config' | 'clock' | 'environments' | 'organization' | 'organizationIndex' | 'closingWindow'>) =>
  taskHandler('BeginClose', IdInput, (input) => beginCloseStep(deps(), input));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    organization: () => awsOrganization(),
    organizationIndex: awsOrganizationIndex,
    closingWindow: awsClosingWindow,
  }),
);
