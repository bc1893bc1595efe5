import { loadConfig } from '../../shared/lambda/config';
import { lazyPorts } from '../../shared/lambda/lazy';
import { logger } from '../../shared/lambda/logger';
import { taskHandler } from '../../shared/lambda/task';
import { ScheduleEvent } from '../../shared/lambda/drift-triggers';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsDeliveries, awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { awsDecommission, awsWorkflow } from '../../shared/lambda/aws/workflow';
import { systemClock } from '../../shared/ports';
import { sweepApprovals } from '../../shared/use-cases/approval';
import { sweepClosings } from '../../shared/use-cases/close-steps';
import { sweepLeases } from '../../shared/use-cases/leases';
import type { Deps } from '../../shared/use-cases/deps';

type LifecycleDeps = Pick<Deps, 'config' | 'clock' | 'environments' | 'events' | 'workflow' | 'decommission' | 'deliveries' | 'channels'>;

/**
 * The lifecycle check, on a schedule (`lifecycleSchedule`): requests nobody approved in time are
 * rejected (APPROVAL_EXPIRED), approvers not asked yet are asked, approved requests whose execution
 * never started are started; closings waiting for the quota get their next attempt; leases that
 * come to an end are reminded of (LEASE_REMINDERS before it) and, once ended, closed.
 */
export const build = (deps: () => LifecycleDeps) =>
  taskHandler('CheckLifecycle', ScheduleEvent, async () => {
    // One read of the environments in flight for both sweeps: they act on different statuses.
    const active = await deps().environments.listActive();
    const approvals = await sweepApprovals(deps(), active);
    const closings = await sweepClosings(deps(), active);
    const leases = await sweepLeases(deps());
    const sweep = { ...approvals, closingsResumed: closings.resumed, leaseReminders: leases.reminded, leasesExpired: leases.expired, leasesFailed: leases.failed };
    if (Object.values(sweep).some((ids) => ids.length)) logger.info('lifecycle check', { ...sweep });
    return sweep;
  });

export const handler = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    events: awsEvents,
    workflow: awsWorkflow,
    decommission: awsDecommission,
    deliveries: awsDeliveries,
    channels: (config) => awsChannels(config, awsSecrets(config)),
  }),
);
