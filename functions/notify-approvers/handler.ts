import { loadConfig } from '../../shared/lambda/config';
import { lazy } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { ApprovalRequestedEventSchema } from '../../shared/lambda/task-inputs';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsDeliveries, awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { systemClock } from '../../shared/ports';
import { askApprovers } from '../../shared/use-cases/approval';
import type { Deps } from '../../shared/use-cases/deps';

/** `Environment Approval Requested` from the bus: asks the approvers on every channel, once each. */
export const build = (deps: () => Pick<Deps, 'environments' | 'deliveries' | 'channels' | 'clock' | 'config'>) =>
  taskHandler('NotifyApprovers', ApprovalRequestedEventSchema, (event) => askApprovers(deps(), event.detail.id));

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, clock: systemClock, environments: awsEnvironments(config), deliveries: awsDeliveries(config), channels: awsChannels(config, awsSecrets(config)) };
  }),
);
