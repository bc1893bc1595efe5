import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { CloseFailureInput } from '../../shared/lambda/task-inputs';
import { awsClosingWindow, awsEnvironments } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import { recordCloseFailureStep } from '../../shared/use-cases/close-steps';
import type { Deps } from '../../shared/use-cases/deps';

/** RecordCloseFailure: FAILED with the reason and the fix; asking again takes the closing up where it stood. */
export const build = (deps: () => Pick<Deps, 'clock' | 'environments' | 'closingWindow'>) =>
  taskHandler('RecordCloseFailure', CloseFailureInput, (input) => recordCloseFailureStep(deps(), input));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    closingWindow: awsClosingWindow,
  }),
);
