import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { OutcomeInput } from '../../shared/lambda/task-inputs';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { recordReadyStep } from '../../shared/use-cases/provision-steps';

/** RecordReady: Marks the environment READY. */
export const build = (deps: () => Pick<Deps, 'environments' | 'clock' | 'events' | 'config'>) => taskHandler('RecordReady', OutcomeInput, (input) => recordReadyStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), events: awsEvents(config) };
  }),
);
