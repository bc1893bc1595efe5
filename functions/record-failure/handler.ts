import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { OutcomeInput } from '../../shared/lambda/task-inputs';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsCreationSlots, awsEnvironments } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { recordFailureStep } from '../../shared/use-cases/provision-steps';

/** RecordFailure: Marks the environment FAILED with the reason and a fix, whichever step failed. */
export const build = (deps: () => Pick<Deps, 'environments' | 'creationSlots' | 'clock' | 'events' | 'config'>) => taskHandler('RecordFailure', OutcomeInput, (input) => recordFailureStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), creationSlots: awsCreationSlots(config), events: awsEvents(config) };
  }),
);
