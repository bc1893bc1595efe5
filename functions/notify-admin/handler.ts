import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { IdInput } from '../../shared/lambda/task-inputs';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsDeliveries, awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { notifyAdminStep } from '../../shared/use-cases/provision-steps';

/** NotifyAdmin: Sends the admin the switch-role details, once. */
export const build = (deps: () => Pick<Deps, 'environments' | 'deliveries' | 'channels' | 'clock' | 'config'>) => taskHandler('NotifyAdmin', IdInput, (input) => notifyAdminStep(deps(), input));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), deliveries: awsDeliveries(config), channels: awsChannels(config, awsSecrets(config)) };
  }),
);
