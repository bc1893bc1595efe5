import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { ApprovalRequestedEvent } from '../../shared/lambda/task-inputs';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsDeliveries, awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { systemClock } from '../../shared/ports';
import { askApprovers } from '../../shared/use-cases/approval';
import type { Deps } from '../../shared/use-cases/deps';

/** `Environment Approval Requested` from the bus: asks the approvers on every channel, once each. */
export const build = (deps: () => Pick<Deps, 'environments' | 'deliveries' | 'channels' | 'clock' | 'config'>) =>
  taskHandler('NotifyApprovers', ApprovalRequestedEvent, (event) => askApprovers(deps(), event.detail.id));

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    deliveries: awsDeliveries,
    channels: (config) => awsChannels(config, awsSecrets(config)),
  }),
);
