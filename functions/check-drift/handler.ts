import { loadConfig } from '../../shared/lambda/config';
import { driftSummary, DriftQueueBatch, queueRun, requestedSettings, runDriftCheck, ScheduleEvent, type CheckDriftDeps } from '../../shared/lambda/drift-triggers';
import { httpHandler, json } from '../../shared/lambda/http';
import { lazyPorts } from '../../shared/lambda/lazy';
import { taskHandler } from '../../shared/lambda/task';
import { awsRoleProbe } from '../../shared/lambda/aws/role-probe';
import { awsDriftRecheck } from '../../shared/lambda/aws/drift-queue';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsDeliveries, awsDriftReports, awsEnvironments, awsOrganizationIndex } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { systemClock } from '../../shared/ports';

/** CheckDrift, one entry point per trigger; the three functions share one role. */
export const build = (deps: () => CheckDriftDeps) => ({
  /** POST /drift-checks (IAM-authorised): a check now, answered with its report. */
  api: httpHandler(async (req) => json(200, await runDriftCheck(deps(), { trigger: 'api', settings: requestedSettings(req, deps().settingsPerCheck === true) }))),
  /** The schedule (`driftSchedule`). */
  onSchedule: taskHandler('CheckDrift', ScheduleEvent, async () => driftSummary(await runDriftCheck(deps(), { trigger: 'schedule' }))),
  /** The drift queue: Organizations changes (from CloudTrail) and confirming rechecks, one check per batch. */
  fromQueue: taskHandler('CheckDrift', DriftQueueBatch, async (batch) => driftSummary(await runDriftCheck(deps(), queueRun(batch)))),
});

export const { api, onSchedule, fromQueue } = build(
  lazyPorts(loadConfig, {
    clock: () => systemClock,
    environments: awsEnvironments,
    driftReports: awsDriftReports,
    deliveries: awsDeliveries,
    organization: () => awsOrganization(),
    organizationIndex: awsOrganizationIndex,
    events: awsEvents,
    channels: (config) => awsChannels(config, awsSecrets(config)),
    roleProbe: () => awsRoleProbe(),
    recheck: (config) => (config.DRIFT_QUEUE_URL ? awsDriftRecheck(config.DRIFT_QUEUE_URL) : undefined),
  }),
);
