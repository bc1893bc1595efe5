import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import { closeAccountStep } from '../../shared/use-cases/close-steps';
import type { Deps } from '../../shared/use-cases/deps';

/** CloseAccount: AWS is asked to close the account, once; its quota refusing queues the closing. */
export const build = (deps: () => Pick<Deps, 'clock' | 'environments' | 'organization'>) => taskHandler('CloseAccount', IdInput, (input) => closeAccountStep(deps(), input));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    organization: () => awsOrganization(),
  }),
);
