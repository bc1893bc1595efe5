import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsDeliveries, awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { systemClock } from '../../shared/ports';
import { recordClosedStep } from '../../shared/use-cases/close-steps';
import type { Deps } from '../../shared/use-cases/deps';

/** RecordClosed: CLOSED, everyone who got the ready message told, and Environment Closed on the bus. */
export const build = (deps: () => Pick<Deps, 'clock' | 'environments' | 'events' | 'deliveries' | 'channels'>) =>
  taskHandler('RecordClosed', IdInput, (input) => recordClosedStep(deps(), input));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    events: awsEvents,
    deliveries: awsDeliveries,
    channels: (config) => awsChannels(config, awsSecrets(config)),
  }),
);
