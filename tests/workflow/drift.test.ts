import type { Context } from 'aws-lambda';
import type { DriftReport, Finding } from '../../shared/domain/drift';
import { newEnvironment } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import type { Notification } from '../../shared/ports';
import { checkDrift } from '../../shared/use-cases/drift-check';
import { harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const check = (h: Harness, trigger = 'test') => checkDrift(h.deps, { trigger });
const driftNotices = (h: Harness) => h.notifier.sent.filter((n): n is Extract<Notification, { kind: 'drift' }> => n.kind === 'drift');
const driftEvents = (h: Harness) => h.events.published.filter((e) => e.detailType.startsWith('Drift'));
const kinds = (report: DriftReport) => report.findings.map((f) => f.kind);

async function provisioned(env: Record<string, string> = {}) {
  h = await harness({ createSeconds: 10, env });
  const staging = await h.provision({ name: 'Staging', ou: 'Workloads/Staging', tags: { team: 'payments' } });
  const production = await h.provision({ name: 'Production', ou: 'Workloads/Production' });
  expect([staging.status, production.status]).toEqual(['READY', 'READY']);
  h.events.published.length = 0;
  h.notifier.sent.length = 0;
  return { h, staging, production };
}

describe('drift checks against the simulated organization', () => {
  it('finds nothing in an organization that matches the registry, and says how many calls one walk took', async () => {
    const { h } = await provisioned();
    const report = await check(h);
    expect(report.findings).toEqual([]);
    expect(report.environmentsChecked).toBe(2);
    expect(report.organization).toEqual({ accounts: 3, ous: 5 });
    // The floor of any walk: ListRoots, then for each of the 6 parents (the root and 5 OUs) one page of
    // OUs and one of accounts; this walk adds one tag read per managed account.
    expect(report.floorCalls).toBe(1 + 6 * 2);
    expect(report.apiCalls).toBe(1 + 6 * 2 + 2);
    expect(driftEvents(h)).toEqual([]);
    expect(driftNotices(h)).toEqual([]);
    expect(await h.deps.driftReports.latest()).toEqual(report);
  });

  it('announces a moved account only when a second check still sees it, once, and its return as resolved', async () => {
    const { h, staging } = await provisioned();
    h.sim.ensureOuPath('Sandbox/Elsewhere');
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Elsewhere');

    const first = await check(h);
    expect(first.findings).toEqual([
      expect.objectContaining({ kind: 'ACCOUNT_MISPLACED', accountId: staging.accountId, expected: 'Workloads/Staging', actual: 'Sandbox/Elsewhere', confirmed: false, checks: 1 }),
    ]);
    expect(first.counts).toMatchObject({ total: 1, pending: 1, confirmed: 0 });
    expect(driftEvents(h)).toEqual([]);
    expect(driftNotices(h)).toEqual([]);

    h.clock.advance(60);
    const second = await check(h);
    expect(second.findings[0]).toMatchObject({ confirmed: true, checks: 2, firstSeen: first.checkedAt, lastSeen: second.checkedAt });
    expect(driftEvents(h)).toEqual([{ detailType: 'Drift Detected', detail: expect.objectContaining({ reportId: second.id, finding: expect.objectContaining({ key: `ACCOUNT_MISPLACED#${staging.accountId}` }) }) }]);
    expect(driftNotices(h)).toHaveLength(1);
    expect(driftNotices(h)[0]!.detected.map((f) => f.accountId)).toEqual([staging.accountId]);

    await check(h);
    expect(driftEvents(h)).toHaveLength(1);
    expect(driftNotices(h)).toHaveLength(1);

    h.sim.moveAccountTo(staging.accountId!, 'Workloads/Staging');
    const back = await check(h);
    expect(back.findings).toEqual([]);
    expect(back.resolved.map((f) => f.key)).toEqual([`ACCOUNT_MISPLACED#${staging.accountId}`]);
    expect(driftEvents(h).map((e) => e.detailType)).toEqual(['Drift Detected', 'Drift Resolved']);
    expect(driftNotices(h)).toHaveLength(2);
  });

  it('announces again when a confirmed finding changes, and drops a pending one that went away quietly', async () => {
    const { h, staging, production } = await provisioned({ DRIFT_CONFIRM_CHECKS: '2' });
    h.sim.ensureOuPath('Sandbox/Elsewhere');
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Elsewhere');
    await check(h);
    await check(h);
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    const moved = await check(h);
    expect(moved.findings[0]).toMatchObject({ actual: 'Sandbox/Playground', confirmed: true, checks: 3 });
    expect(driftEvents(h)).toHaveLength(2);

    // A move in progress: seen once, gone by the next check. Nobody is told.
    h.sim.moveAccountTo(production.accountId!, 'Sandbox/Elsewhere');
    await check(h);
    h.sim.moveAccountTo(production.accountId!, 'Workloads/Production');
    const settled = await check(h);
    expect(settled.resolved).toEqual([]);
    expect(driftEvents(h)).toHaveLength(2);
  });

  it('reports closed accounts, hand-made accounts in a managed OU, changed tags and a renamed OU', async () => {
    const { h, staging, production } = await provisioned({ DRIFT_CONFIRM_CHECKS: '1' });
    h.sim.closeAccount(production.accountId!);
    const stray = h.sim.createAccountByHand('Stray', 'stray@example.com', 'Workloads/Staging');
    h.sim.tagAccount(staging.accountId!, { team: 'risk', 'switchyard:environment-id': '' });
    h.sim.renameOu('Workloads/Staging', 'Stage');

    const report = await check(h);
    const byKind = Object.fromEntries(report.findings.map((f) => [f.kind, f])) as Record<string, Finding>;
    expect(Object.keys(byKind).sort()).toEqual(['ACCOUNT_SUSPENDED', 'OU_RENAMED', 'TAGS_CHANGED', 'UNMANAGED_ACCOUNT']);
    expect(byKind.ACCOUNT_SUSPENDED).toMatchObject({ accountId: production.accountId, expected: 'ACTIVE', actual: 'SUSPENDED' });
    expect(byKind.UNMANAGED_ACCOUNT).toMatchObject({ accountId: stray.id, accountName: 'Stray' });
    expect(byKind.TAGS_CHANGED).toMatchObject({
      accountId: staging.accountId,
      expected: { team: 'payments', 'switchyard:environment-id': staging.id },
      actual: { team: 'risk', 'switchyard:environment-id': null },
    });
    expect(byKind.OU_RENAMED).toMatchObject({ ouId: staging.ouId, expected: 'Workloads/Staging', actual: 'Workloads/Stage' });
    // The account is still in its OU (by id): a rename is not a misplacement.
    expect(kinds(report)).not.toContain('ACCOUNT_MISPLACED');
    expect(driftEvents(h)).toHaveLength(4);
    const notice = driftNotices(h)[0]!;
    expect(notice.detected).toHaveLength(4);
  });

  it('reports a deleted OU and the account that had to leave it, and an account gone from the organization', async () => {
    const { h, staging, production } = await provisioned({ DRIFT_CONFIRM_CHECKS: '1' });
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    h.sim.deleteOu('Workloads/Staging');
    const report = await check(h);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'OU_DELETED', ouId: staging.ouId, expected: 'Workloads/Staging', actual: '(no such OU)' }),
        expect.objectContaining({ kind: 'ACCOUNT_MISPLACED', accountId: staging.accountId, actual: 'Sandbox/Playground' }),
      ]),
    );
    expect(kinds(report)).not.toContain('ACCOUNT_GONE');

    h.sim.removeAccount(production.accountId!);
    const gone = await check(h);
    expect(gone.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'ACCOUNT_GONE', accountId: production.accountId, environmentName: 'Production' })]));
  });

  it('reports an environment stuck past the workflow cap', async () => {
    h = await harness({ env: { ACCOUNT_CREATION_CAP_SECONDS: '600' } });
    const request = parseEnvironmentRequest({ name: 'Limbo', ou: 'Sandbox/Playground' }, { emailTemplate: h.deps.config.EMAIL_TEMPLATE });
    const { environment } = await h.deps.environments.create(newEnvironment(request, { now: h.clock.now(), source: 'test' }));
    expect(kinds(await check(h))).toEqual([]);
    h.clock.advance(600 + 15 * 60 + 1);
    const report = await check(h);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'ENVIRONMENT_STUCK', environmentId: environment.id, actual: `REQUESTED since ${environment.createdAt}` })]);
  });

  it('checks the organization access role when asked to', async () => {
    const { h, staging } = await provisioned({ DRIFT_CHECK_ROLE: 'true', DRIFT_CONFIRM_CHECKS: '1' });
    const real = h.deps.roleProbe.roleProblem.bind(h.deps.roleProbe);
    h.deps.roleProbe.roleProblem = async (accountId, role) => (accountId === staging.accountId ? 'AssumeRole on OrganizationAccountAccessRole was denied' : real(accountId, role));
    const report = await check(h);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'ROLE_NOT_ASSUMABLE', accountId: staging.accountId })]);
  });
});

describe('remediation (DRIFT_REMEDIATE=move-back)', () => {
  it('moves a misplaced account back, says so in the timeline and the announcement, and touches nothing else', async () => {
    const { h, staging, production } = await provisioned({ DRIFT_REMEDIATE: 'move-back' });
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    h.sim.closeAccount(production.accountId!);

    const report = await check(h);
    const misplaced = report.findings.find((f) => f.kind === 'ACCOUNT_MISPLACED')!;
    expect(misplaced.remediation).toMatchObject({ action: 'moved-back', from: 'Sandbox/Playground', to: 'Workloads/Staging' });
    expect(h.sim.accountsView().find((a) => a.id === staging.accountId)?.ou).toBe('Workloads/Staging');
    expect(h.sim.accountsView().find((a) => a.id === production.accountId)?.status).toBe('SUSPENDED');
    const timeline = (await h.deps.environments.get(staging.id))!.timeline;
    expect(timeline.at(-1)!.note).toMatch(/drift check moved account \d{12} back from Sandbox\/Playground to Workloads\/Staging/);
    expect(driftEvents(h).map((e) => (e.detail as { finding: Finding }).finding.kind)).toEqual(['ACCOUNT_MISPLACED']);

    const next = await check(h);
    expect(kinds(next)).toEqual(['ACCOUNT_SUSPENDED']);
    expect(next.resolved.map((f) => f.kind)).toEqual(['ACCOUNT_MISPLACED']);
  });

  it('does not move an account whose OU was deleted: that is for a person to decide', async () => {
    const { h, staging } = await provisioned({ DRIFT_REMEDIATE: 'move-back', DRIFT_CONFIRM_CHECKS: '1' });
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    h.sim.deleteOu('Workloads/Staging');
    const report = await check(h);
    expect(report.findings.find((f) => f.kind === 'ACCOUNT_MISPLACED')!.remediation).toBeUndefined();
    expect(h.sim.accountsView().find((a) => a.id === staging.accountId)?.ou).toBe('Sandbox/Playground');
  });
});

describe('the drift report', () => {
  it('walks 10,000 accounts in 200 OUs within 1.25x the floor of one tree walk', async () => {
    const { h } = await provisioned();
    h.sim.seed({ accounts: 10_000, ous: 200 });
    const report = await check(h);
    expect(report.organization).toEqual({ accounts: 10_003, ous: 205 });
    expect(report.findings).toEqual([]);
    expect(report.apiCalls).toBeLessThanOrEqual(1.25 * report.floorCalls);
    // Nothing close to one ListParents per account.
    expect(h.sim.stats().callsByOperation.ListParents ?? 0).toBeLessThan(100);
  });

  it('two checks at once both land: the later builds on the earlier report', async () => {
    const { h, staging } = await provisioned();
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    const [a, b] = await Promise.all([check(h), check(h)]);
    const latest = (await h.deps.driftReports.latest())!;
    expect([a.id, b.id]).toContain(latest.id);
    expect(latest.findings[0]).toMatchObject({ checks: 2, confirmed: true });
  });

  it('is served by GET /drift, and POST /drift-checks runs one', async () => {
    const { h } = await provisioned();
    const context = {} as Context;
    const none = (await h.functions.getDrift!({ requestContext: { http: { method: 'GET' } }, headers: {} }, context)) as { statusCode: number; body: string };
    expect(none.statusCode).toBe(404);
    expect(JSON.parse(none.body).error.message).toMatch(/POST \/drift-checks/);
    const posted = (await h.functions.checkDrift!({ requestContext: { http: { method: 'POST' } }, headers: {} }, context)) as { statusCode: number; body: string };
    expect(posted.statusCode).toBe(200);
    const got = (await h.functions.getDrift!({ requestContext: { http: { method: 'GET' } }, headers: {} }, context)) as { statusCode: number; body: string };
    expect(JSON.parse(got.body)).toEqual(JSON.parse(posted.body));
    expect(JSON.parse(got.body).trigger).toBe('api');
  });

  it('runs once per queue batch, and asks for a confirming recheck while findings are pending', async () => {
    const { h, staging } = await provisioned();
    const rechecks: number[] = [];
    (h.deps as unknown as { recheck: (round: number) => Promise<void> }).recheck = async (round) => {
      rechecks.push(round);
    };
    const sqs = (bodies: string[]) => ({ Records: bodies.map((body) => ({ eventSource: 'aws:sqs', body })) });
    const context = {} as Context;
    await h.functions.checkDriftFromQueue!(sqs(['{"detail":{"eventName":"MoveAccount"}}', '{"detail":{"eventName":"TagResource"}}']), context);
    expect((await h.deps.driftReports.latest())!.trigger).toBe('event');
    expect(rechecks).toEqual([]);

    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    await h.functions.checkDriftFromQueue!(sqs(['{"detail":{"eventName":"MoveAccount"}}']), context);
    expect(rechecks).toEqual([2]);
    await h.functions.checkDriftFromQueue!(sqs(['{"recheck":2}']), context);
    const confirmed = (await h.deps.driftReports.latest())!;
    expect(confirmed).toMatchObject({ trigger: 'recheck', counts: { confirmed: 1, pending: 0 } });
    expect(rechecks).toEqual([2]);
  });
});

describe('POST /drift-checks with settings for that one check', () => {
  const post = (h: Harness, body: unknown) =>
    h.functions.checkDrift!(
      { requestContext: { http: { method: 'POST' } }, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      {} as Context,
    ) as Promise<{ statusCode: number; body: string }>;

  it('refuses them where the deployment does not take them, and moves nothing', async () => {
    const { h, staging } = await provisioned();
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    const refused = await post(h, { settings: { DRIFT_REMEDIATE: 'move-back' } });
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).error.fields).toEqual([{ field: 'settings', message: 'are not accepted by this deployment' }]);
    expect(h.sim.accountsView().find((a) => a.id === staging.accountId)?.ou).toBe('Sandbox/Playground');
    expect(await h.deps.driftReports.latest()).toBeUndefined();
    // Without settings (or with none), the check runs as configured.
    expect((await post(h, {})).statusCode).toBe(200);
  });

  it('runs that check with them where they are taken, the next one with its own, and names a bad one', async () => {
    const { h, staging } = await provisioned();
    const delays: Array<[number, number]> = [];
    Object.assign(h.deps, {
      settingsPerCheck: true,
      recheck: async (round: number, delaySeconds: number) => void delays.push([round, delaySeconds]),
    });
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    const pending = await post(h, { settings: { DRIFT_CONFIRM_CHECKS: '3', DRIFT_RECHECK_SECONDS: 5 } });
    expect(pending.statusCode).toBe(200);
    expect(JSON.parse(pending.body).findings).toEqual([expect.objectContaining({ kind: 'ACCOUNT_MISPLACED', confirmed: false })]);
    expect(delays).toEqual([[2, 5]]);

    const moved = await post(h, { settings: { DRIFT_REMEDIATE: 'move-back', DRIFT_CONFIRM_CHECKS: 1 } });
    expect(JSON.parse(moved.body).findings).toEqual([expect.objectContaining({ confirmed: true, remediation: expect.objectContaining({ action: 'moved-back', to: 'Workloads/Staging' }) })]);
    expect(h.sim.accountsView().find((a) => a.id === staging.accountId)?.ou).toBe('Workloads/Staging');
    // The configuration itself is untouched: the next check without settings reports only.
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    const plain = await post(h, {});
    expect(JSON.parse(plain.body).findings[0].remediation).toBeUndefined();

    const bad = await post(h, { settings: { DRIFT_REMEDIATE: 'sideways', DRIFT_WALK_CONCURRENCY: '0' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['DRIFT_REMEDIATE', 'DRIFT_WALK_CONCURRENCY']);
    const unknown = await post(h, { settings: { REGISTRY_TABLE: 'elsewhere' } });
    expect(unknown.statusCode).toBe(400);
  });
});

describe('remediation that fails', () => {
  it('reports the failure on the finding, keeps the report and the other findings', async () => {
    h = await harness({ createSeconds: 10, env: { DRIFT_REMEDIATE: 'move-back', DRIFT_CONFIRM_CHECKS: '1' } });
    const staging = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    h.sim.moveAccountTo(staging.accountId!, 'Sandbox/Playground');
    h.deps.organization.moveAccount = async () => {
      throw Object.assign(new Error('not allowed'), { name: 'AwsRequestRejectedError' });
    };
    const report = await checkDrift(h.deps, { trigger: 'test' });
    expect(report.findings[0]!.remediation).toMatchObject({ action: 'move-failed', error: 'AwsRequestRejectedError: not allowed' });
    expect(h.sim.accountsView().find((a) => a.id === staging.accountId)?.ou).toBe('Sandbox/Playground');
    expect(await h.deps.driftReports.latest()).toMatchObject({ id: report.id });
  });
});
