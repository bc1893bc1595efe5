import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments, awsGrantPatterns } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import { prepareCloseStep } from '../../shared/use-cases/close-steps';
import type { Deps } from '../../shared/use-cases/deps';

/** PrepareClose: the account tagged with when it was closed and moved into CLOSED_OU, out of every granted OU. */
export const build = (deps: () => Pick<Deps, 'config' | 'clock' | 'environments' | 'organization' | 'grantPatterns'>) =>
  taskHandler('PrepareClose', IdInput, (input) => prepareCloseStep(deps(), input));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    organization: () => awsOrganization(),
    grantPatterns: awsGrantPatterns,
  }),
);
