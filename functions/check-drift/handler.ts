import type { Context } from 'aws-lambda';
import { InvalidInputError } from '../../shared/domain/errors';
import { zodFieldErrors } from '../../shared/domain/request';
import { loadConfig, type Config } from '../../shared/lambda/config';
import { DriftCheckRequestSchema, driftCheckOverrides } from '../../shared/lambda/drift-check-settings';
import { httpHandler, json, jsonBody, type HttpEvent, type HttpRequest } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { logger } from '../../shared/lambda/logger';
import { middyHandler } from '../../shared/lambda/middy';
import { awsRoleProbe } from '../../shared/lambda/aws/role-probe';
import { awsDriftRecheck } from '../../shared/lambda/aws/drift-queue';
import { awsEvents } from '../../shared/lambda/aws/events';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { awsOrganization } from '../../shared/lambda/aws/organization';
import { awsDeliveries, awsDriftReports, awsEnvironments } from '../../shared/lambda/aws/registry';
import { awsSecrets } from '../../shared/lambda/aws/secrets';
import { systemClock } from '../../shared/ports';
import { checkDrift, type DriftDeps } from '../../shared/use-cases/drift-check';

export interface CheckDriftDeps extends Omit<DriftDeps, 'config'> {
  config: Config;
  /** Queues a confirming recheck after a delay; absent where there is no queue. */
  recheck?: (round: number, delaySeconds: number) => Promise<void>;
  /**
   * Whether `POST /drift-checks` may carry settings for that one check: only the local runtime, on
   * loopback, whose own `npm run drift` passes the ones it was given. A deployment runs every check
   * with its parameters (`driftRemediate` decides whether accounts are moved), and refuses such a body.
   */
  settingsPerCheck?: boolean;
}

type SqsEvent = { Records: Array<{ body?: string; eventSource?: string }> };

function isHttp(event: unknown): event is HttpEvent {
  return !!(event as HttpEvent | undefined)?.requestContext && 'http' in (event as HttpEvent).requestContext;
}

function isSqs(event: unknown): event is SqsEvent {
  const records = (event as SqsEvent | undefined)?.Records;
  return Array.isArray(records) && records.every((r) => r?.eventSource === 'aws:sqs');
}

/** A batch of queue messages is one check: Organizations change events coalesce, rechecks carry their round. */
function fromQueue(event: SqsEvent): { trigger: string; round: number } {
  let round = 0;
  for (const record of event.Records) {
    try {
      const body = JSON.parse(record.body ?? '') as { recheck?: unknown };
      if (Number.isInteger(body?.recheck)) round = Math.max(round, Math.min(Number(body.recheck), 10));
    } catch {
      // An event EventBridge forwarded, or anything else: a reason to look, nothing more.
    }
  }
  return round ? { trigger: 'recheck', round } : { trigger: 'event', round: 1 };
}

/** The settings a `POST /drift-checks` body gives its check, refused (never dropped) where they are not accepted. */
function settingsOfRequest(req: HttpRequest, accepted: boolean): Partial<Config> {
  if (!req.rawBody.trim()) return {};
  const parsed = DriftCheckRequestSchema.safeParse(jsonBody(req));
  if (!parsed.success) throw new InvalidInputError('The body may hold only { "settings": { … } } with drift check settings.', zodFieldErrors(parsed.error));
  const settings = parsed.data.settings ?? {};
  if (!Object.keys(settings).length) return {};
  if (!accepted) {
    throw new InvalidInputError('Drift checks here run with the settings the deployment was given (driftRemediate, driftConfirmChecks, …); send the request without settings.', [
      { field: 'settings', message: 'are not accepted by this deployment' },
    ]);
  }
  return driftCheckOverrides(settings);
}

/**
 * CheckDrift: on a schedule, after Organizations changes (through the drift queue), and on demand
 * (`POST /drift-checks`, IAM-authorised, answers with the report). One function, one role, one job.
 */
export const build = (deps: () => CheckDriftDeps) => {
  const api = httpHandler(async (req) => {
    const d = deps();
    const config = { ...d.config, ...settingsOfRequest(req, d.settingsPerCheck === true) };
    const recheck = d.recheck;
    const report = await checkDrift({ ...d, config }, { trigger: 'api', ...(recheck ? { recheck: (round: number) => recheck(round, config.DRIFT_RECHECK_SECONDS) } : {}) });
    return json(200, report);
  });
  return middyHandler<unknown, unknown>((middy) => middy<unknown, unknown, Error, Context>({ timeoutEarlyInMillis: 0 }).handler(async (event, context) => {
    if (isHttp(event)) return api(event, context);
    const d = deps();
    const { trigger, round } = isSqs(event) ? fromQueue(event) : { trigger: (event as { 'detail-type'?: string })?.['detail-type'] === 'Scheduled Event' ? 'schedule' : 'invoke', round: 1 };
    const recheck = d.recheck;
    const report = await checkDrift(d, { trigger, round, ...(recheck ? { recheck: (next: number) => recheck(next, d.config.DRIFT_RECHECK_SECONDS) } : {}) });
    logger.info('Drift check done', { reportId: report.id, trigger, findings: report.counts.total, confirmed: report.counts.confirmed, apiCalls: report.apiCalls, floorCalls: report.floorCalls });
    return { reportId: report.id, findings: report.counts.total, detected: report.detected.length, resolved: report.resolved.length };
  }));
};

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    const recheck = config.DRIFT_QUEUE_URL ? awsDriftRecheck(config.DRIFT_QUEUE_URL) : undefined;
    return {
      config,
      clock: systemClock,
      environments: awsEnvironments(config),
      driftReports: awsDriftReports(config),
      deliveries: awsDeliveries(config),
      organization: awsOrganization(),
      events: awsEvents(config),
      channels: awsChannels(config, awsSecrets(config)),
      roleProbe: awsRoleProbe(),
      ...(recheck ? { recheck } : {}),
    };
  }),
);
