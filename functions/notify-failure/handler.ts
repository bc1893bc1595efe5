import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsDeliveries, awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { notifyFailureStep } from '../../shared/use-cases/provision-steps';

/** NotifyFailure: Tells the admin why provisioning failed and how to fix it, once. */
export const build = (deps: () => Pick<Deps, 'environments' | 'deliveries' | 'channels' | 'clock'>) => taskHandler('NotifyFailure', IdInput, (input) => notifyFailureStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { clock: systemClock, environments: awsEnvironments(config), deliveries: awsDeliveries(config), channels: awsChannels(config, awsSecrets(config)) };
  }),
);
