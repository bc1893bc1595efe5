import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { PollInput } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { checkClosureStep } from '../../shared/use-cases/close-steps';
import type { Deps } from '../../shared/use-cases/deps';

/** CheckClosure: DescribeAccount until the account is SUSPENDED. */
export const build = (deps: () => Pick<Deps, 'environments' | 'organization'>) => taskHandler('CheckClosure', PollInput, (input) => checkClosureStep(deps(), input));

export const handler = build(
  lazyPorts(loadConfig, {
    environments: awsEnvironments,
    organization: () => awsOrganization(),
  }),
);
