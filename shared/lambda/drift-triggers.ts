import type { DriftReport } from '../domain/drift';
import { InvalidInputError } from '../domain/errors';
import { arrayOf, fieldErrors, object, readShape, string, unknown, type Read } from '../domain/record-shape';
import { checkDrift, type DriftDeps } from '../use-cases/drift-check';
import type { Config } from './config';
import { DriftCheckRequest, driftCheckOverrides } from './drift-check-settings';
import { jsonBody, type HttpRequest } from './http';
import { withOverrides } from './lazy';
import { logger } from './logger';

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

export interface DriftRun {
  trigger: string;
  /** Which check of a confirmation chain this is (1 for a fresh one). */
  round?: number;
  /** Settings for this one check over the configured ones. */
  settings?: Partial<Config>;
}

/** One drift check, asking for its confirming recheck through the queue (or the local timer) where there is one. */
export function runDriftCheck(deps: CheckDriftDeps, run: DriftRun): Promise<DriftReport> {
  const config = { ...deps.config, ...run.settings };
  const recheck = deps.recheck;
  return checkDrift(
    withOverrides(deps, { config }),
    { trigger: run.trigger, ...(run.round ? { round: run.round } : {}), ...(recheck ? { recheck: (next: number) => recheck(next, config.DRIFT_RECHECK_SECONDS) } : {}) },
  );
}

/** What a scheduled or queued check answers its invoker with, and logs. */
export function driftSummary(report: DriftReport) {
  logger.info('Drift check done', { reportId: report.id, trigger: report.trigger, findings: report.counts.total, confirmed: report.counts.confirmed, apiCalls: report.apiCalls, floorCalls: report.floorCalls });
  return { reportId: report.id, findings: report.counts.total, detected: report.detected.length, resolved: report.resolved.length };
}

/** The settings a `POST /drift-checks` body gives its check, refused (never dropped) where they are not accepted. */
export function requestedSettings(req: HttpRequest, accepted: boolean): Partial<Config> {
  if (!req.rawBody.trim()) return {};
  const read = readShape(DriftCheckRequest, jsonBody(req));
  if (!read.ok) {
    throw new InvalidInputError('The body may hold only { "settings": { … } } with drift check settings.', fieldErrors(read.issues, { root: '(body)' }));
  }
  const settings = read.value.settings ?? {};
  if (!Object.keys(settings).length) return {};
  if (!accepted) {
    throw new InvalidInputError('Drift checks here run with the settings the deployment was given (driftRemediate, driftConfirmChecks, …); send the request without settings.', [
      { field: 'settings', message: 'are not accepted by this deployment' },
    ]);
  }
  return driftCheckOverrides(settings);
}

/** A scheduled invocation: whatever the schedule (or an operator's invoke) sends, it means "check now". */
export const ScheduleEvent = unknown;

/** A batch from the drift queue: Organizations change events EventBridge forwarded, and rechecks `{ "recheck": round }`. */
export const DriftQueueBatch = object({ Records: arrayOf(object({ body: string }, 'keep')) }, 'keep');

/** A batch is one check: change events coalesce into one, rechecks carry their round (the latest wins, at most 10). */
export function queueRun(batch: Read<typeof DriftQueueBatch>): DriftRun {
  let round = 0;
  for (const record of batch.Records) {
    try {
      const body = JSON.parse(record.body) as { recheck?: unknown };
      if (Number.isInteger(body?.recheck)) round = Math.max(round, Math.min(Number(body.recheck), 10));
    } catch {
      // An event EventBridge forwarded, or anything else: a reason to look, nothing more.
    }
  }
  return round ? { trigger: 'recheck', round } : { trigger: 'event', round: 1 };
}
