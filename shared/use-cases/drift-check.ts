import { randomUUID } from 'node:crypto';
import {
  countFindings,
  describeFinding,
  floorCalls,
  managedEnvironments,
  observeDrift,
  reconcile,
  type DriftReport,
  type Finding,
  type Observation,
  type OrgSnapshot,
  type SnapshotAccount,
  type SnapshotOu,
} from '../domain/drift';
import { annotate } from '../domain/environment';
import type { Organization } from '../ports';
import { sendOnce } from './deliver';
import { indexSnapshot } from './organization-index';
import type { Config } from '../lambda/config';
import type { Deps } from './deps';

/** The settings a drift check goes by. */
export type DriftSettings = Pick<
  Config,
  'DRIFT_WALK_CONCURRENCY' | 'DRIFT_CHECK_ROLE' | 'DRIFT_REMEDIATE' | 'DRIFT_CONFIRM_CHECKS' | 'ROLE_NAME' | 'ACCOUNT_CREATION_CAP_SECONDS'
>;

export type DriftDeps = Pick<Deps, 'clock' | 'environments' | 'driftReports' | 'deliveries' | 'organization' | 'organizationIndex' | 'events' | 'channels' | 'roleProbe'> & {
  config: DriftSettings;
};

/** A stored report holds at most this many findings (a DynamoDB item is at most 400 KB); counts cover all. */
export const MAX_STORED_FINDINGS = 300;
/** Beyond the creation cap, what the steps after creation may take before an environment counts as stuck. */
const STUCK_GRACE_SECONDS = 15 * 60;

/** Runs `work` over `items` with at most `limit` in flight at once. */
export async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * One walk of the whole organization: ListRoots, then for every parent its child OUs and its
 * accounts, level by level with at most `concurrency` requests in flight. Never one ListParents per
 * account: the calls grow with OUs and accounts/20.
 */
export async function walkOrganization(org: Organization, concurrency: number): Promise<Pick<OrgSnapshot, 'rootId' | 'ous' | 'accounts'>> {
  const rootId = await org.getRootId();
  const ous = new Map<string, SnapshotOu>();
  const accounts = new Map<string, SnapshotAccount>();
  let level: Array<{ id: string; path: string }> = [{ id: rootId, path: '' }];
  while (level.length) {
    // Child OUs and accounts of one parent are independent requests: one task list for both.
    const tasks = level.flatMap((parent) => [
      async () => {
        const children = await org.listChildOus(parent.id);
        return children.map((c) => {
          const ou: SnapshotOu = { id: c.id, name: c.name, parentId: parent.id, path: parent.path ? `${parent.path}/${c.name}` : c.name };
          ous.set(ou.id, ou);
          return { id: ou.id, path: ou.path };
        });
      },
      async () => {
        for (const a of await org.listAccountsForParent(parent.id)) accounts.set(a.id, { id: a.id, name: a.name, email: a.email, status: a.status, parentId: parent.id });
        return [];
      },
    ]);
    level = (await inBatches(tasks, concurrency, (task) => task())).flat();
  }
  return { rootId, ous, accounts };
}

/** Moves misplaced accounts back, when remediation is on; notes it in each environment's timeline. */
async function remediate(deps: DriftDeps, observations: Observation[], snapshot: OrgSnapshot): Promise<void> {
  for (const o of observations) {
    if (o.kind !== 'ACCOUNT_MISPLACED' || !o.accountId || !o.environmentId || !o.ouId) continue;
    const account = snapshot.accounts.get(o.accountId);
    // Only into an OU that still exists; a deleted OU is a decision for a person.
    if (!account || !snapshot.ous.has(o.ouId)) continue;
    const at = deps.clock.now();
    try {
      await deps.organization.moveAccount(o.accountId, account.parentId, o.ouId);
    } catch (error) {
      // One account that cannot be moved (access denied, throttled past retries) must not cost the report.
      o.remediation = { action: 'move-failed', at: at.toISOString(), from: String(o.actual), to: String(o.expected), error: `${(error as Error).name}: ${(error as Error).message}` };
      continue;
    }
    o.remediation = { action: 'moved-back', at: at.toISOString(), from: String(o.actual), to: String(o.expected) };
    await deps.environments.update(o.environmentId, (env) => annotate(env, at, `drift check moved account ${o.accountId} back from ${o.actual} to ${o.expected} (was moved at or before ${at.toISOString()})`));
  }
}

export interface DriftCheckOptions {
  trigger: string;
  /** Which check of a confirmation chain this is (1 for a fresh one). */
  round?: number;
  /**
   * Asks for another check after a delay. Given, a check that leaves findings unconfirmed asks for
   * the next one at once instead of waiting for the schedule, so a change is confirmed (or gone)
   * within minutes.
   */
  recheck?: (round: number) => Promise<void>;
}

/**
 * Compares the organization with the registry, stores the report, refreshes the organization index
 * from the same walk, and announces what changed since the previous one: Drift Detected per new or changed confirmed finding, Drift Resolved per finding
 * gone, and one summary to the admin's channels.
 */
export async function checkDrift(deps: DriftDeps, opts: DriftCheckOptions): Promise<DriftReport> {
  const started = deps.clock.now();
  const callsBefore = deps.organization.apiCalls();
  const concurrency = deps.config.DRIFT_WALK_CONCURRENCY;

  const [environments, tree] = await Promise.all([deps.environments.listAll(), walkOrganization(deps.organization, concurrency)]);
  const managed = managedEnvironments(environments).filter((e) => tree.accounts.has(e.accountId!));
  const tags = new Map(await inBatches(managed, concurrency, async (e) => [e.accountId!, await deps.organization.listTags(e.accountId!)] as const));
  const snapshot: OrgSnapshot = { ...tree, tags };
  if (deps.config.DRIFT_CHECK_ROLE) {
    const problems = await inBatches(managed, concurrency, async (e) => [e.accountId!, await deps.roleProbe.roleProblem(e.accountId!, deps.config.ROLE_NAME)] as const);
    snapshot.roleProblems = new Map(problems.filter((p): p is readonly [string, string] => p[1] !== undefined));
  }

  const observations = observeDrift(environments, snapshot, { now: started, stuckAfterSeconds: deps.config.ACCOUNT_CREATION_CAP_SECONDS + STUCK_GRACE_SECONDS });
  if (deps.config.DRIFT_REMEDIATE === 'move-back') await remediate(deps, observations, snapshot);
  const apiCalls = deps.organization.apiCalls() - callsBefore;
  // The walk saw every account and OU: the pre-flight's index becomes exactly that (only changes are written).
  await deps.organizationIndex.replace(indexSnapshot(tree), started);

  // Two checks racing: the later one reconciles against the report it lost to (the store runs this again on it).
  let detected: Finding[] = [];
  const report = await deps.driftReports.saveLatest((previous) => {
    const reconciled = reconcile(previous?.findings ?? [], observations, { now: started, confirmChecks: deps.config.DRIFT_CONFIRM_CHECKS });
    const { findings, resolved } = reconciled;
    detected = reconciled.detected;
    return {
      id: randomUUID(),
      checkedAt: started.toISOString(),
      trigger: opts.trigger,
      durationMs: deps.clock.now().getTime() - started.getTime(),
      apiCalls,
      floorCalls: floorCalls(snapshot),
      organization: { accounts: snapshot.accounts.size, ous: snapshot.ous.size },
      environmentsChecked: environments.length,
      findings: findings.slice(0, MAX_STORED_FINDINGS),
      counts: countFindings(findings),
      detected: detected.map((f) => f.key),
      resolved,
      ...(findings.length > MAX_STORED_FINDINGS ? { omitted: findings.length - MAX_STORED_FINDINGS } : {}),
    };
  });
  await announce(deps, report, detected);
  const round = opts.round ?? 1;
  if (opts.recheck && report.counts.pending > 0 && round < deps.config.DRIFT_CONFIRM_CHECKS) await opts.recheck(round + 1);
  return report;
}

async function announce(deps: DriftDeps, report: DriftReport, detected: Finding[]): Promise<void> {
  const events = [
    ...detected.map((finding) => ({ detailType: 'Drift Detected' as const, detail: { reportId: report.id, checkedAt: report.checkedAt, finding } })),
    ...report.resolved.map((finding) => ({ detailType: 'Drift Resolved' as const, detail: { reportId: report.id, checkedAt: report.checkedAt, finding } })),
  ];
  // PutEvents takes at most 10 entries a call.
  for (let i = 0; i < events.length; i += 10) await deps.events.publish(events.slice(i, i + 10));
  if (!detected.length && !report.resolved.length) return;
  const notification = { kind: 'drift' as const, report, detected };
  // Once per report and channel, like every notification; one channel failing must not keep the
  // summary from the others, nor lose the stored report.
  await Promise.allSettled(
    deps.channels.map((c) => sendOnce(deps.deliveries, { subject: report.id, kind: 'drift', channel: c.name }, () => deps.clock.now(), () => c.send(notification))),
  );
}

/** The report as lines of text, for the CLI. */
export function formatDriftReport(report: DriftReport): string {
  const lines = [
    `Drift check ${report.checkedAt} (${report.trigger}): ${report.organization.accounts} accounts in ${report.organization.ous} OUs, ${report.environmentsChecked} environments`,
    `  ${report.apiCalls} Organizations calls (floor ${report.floorCalls}) in ${(report.durationMs / 1000).toFixed(2)} s`,
  ];
  if (!report.counts.total) lines.push('  No drift: the organization matches the registry.');
  for (const f of report.findings) lines.push(`  ${f.confirmed ? '!' : '?'} ${describeFinding(f)}${f.confirmed ? '' : ` (seen ${f.checks}×, not yet confirmed)`}`, `      fix: ${f.fix}`);
  if (report.omitted) lines.push(`  … and ${report.omitted} more (see counts)`);
  for (const f of report.resolved) lines.push(`  ✓ resolved: ${describeFinding(f)}`);
  return lines.join('\n');
}
