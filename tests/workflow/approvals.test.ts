/**
 * Approvals, gated before the workflow starts: what waits, who may decide, one decision however
 * many arrive, expiry, and a crash between the decision and the start. The real ASL, handlers and
 * adapters over the simulated organization and dynalite (see harness.ts).
 */
import { decideApproval, sweepApprovals } from '../../shared/use-cases/approval';
import { requestEnvironment } from '../../shared/use-cases/request-environment';
import { crashingOnce, harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ANA = 'local:ana';
const BOB = 'arn:aws:iam::123456789012:user/bob';
const APPROVER_ROLE = 'arn:aws:iam::123456789012:role/Approvers';
const settings = { APPROVAL_OUS: 'Workloads/Production', APPROVERS: `${ANA},${BOB},${APPROVER_ROLE}`, APPROVAL_TIMEOUT: 'P3D' };

async function protectedHarness(): Promise<Harness> {
  return harness({ createSeconds: 20, env: settings });
}

const request = (target: Harness, body: Record<string, unknown>, principal = 'local:requester') => requestEnvironment(target.deps, { body, source: 'api', principal });
const production = { name: 'Payments Prod', ou: 'Workloads/Production' };
const finalState = async (target: Harness, id: string) => {
  await target.workflow.idle();
  return (await target.deps.environments.get(id))!;
};

describe('what waits', () => {
  it('leaves a request outside the protected OUs as it was: straight to READY', async () => {
    h = await protectedHarness();
    const { environment } = await request(h, { name: 'Staging', ou: 'Workloads/Staging' });
    expect(environment.status).toBe('REQUESTED');
    expect(environment.approval).toBeUndefined();
    expect((await finalState(h, environment.id)).status).toBe('READY');
  });

  it('holds a request in a protected OU (or below it) as PENDING_APPROVAL: no execution, no account, no slot, approvers asked', async () => {
    h = await harness({ createSeconds: 20, env: { ...settings, APPROVAL_OUS: 'Workloads' } });
    const { environment } = await request(h, production);
    expect(environment).toMatchObject({ status: 'PENDING_APPROVAL', approval: { ou: 'Workloads', requester: 'local:requester', approvers: [ANA, BOB, APPROVER_ROLE] } });
    expect(Date.parse(environment.approval!.expiresAt) - Date.parse(environment.approval!.requestedAt)).toBe(3 * 24 * 3600 * 1000);
    await h.workflow.idle();
    expect(h.states.get(environment.executionName)).toBeUndefined();
    expect(h.sim.accountsView().filter((a) => a.name === production.name)).toHaveLength(0);
    expect(await h.deps.creationSlots.acquire('probe', { limit: 5, now: h.clock.now(), staleAfterSeconds: 60 })).toMatchObject({ inUse: 1 });
    expect(h.events.published.map((e) => e.detailType)).toEqual(['Environment Approval Requested']);
    expect(h.events.published[0]!.detail).toMatchObject({ id: environment.id, approvers: [ANA, BOB, APPROVER_ROLE] });
  });
});

describe('deciding', () => {
  it('approved: the workflow runs to READY, and the timeline says who asked, who decided, when and why', async () => {
    h = await protectedHarness();
    const { environment } = await request(h, production);
    const decided = await decideApproval(h.deps, { id: environment.id, decision: 'approve', principal: BOB, via: 'api', comment: 'Q3 launch' });
    expect(decided).toMatchObject({ status: 'REQUESTED', approval: { decision: 'APPROVED', decidedBy: BOB, via: 'api', comment: 'Q3 launch' } });
    const ready = await finalState(h, environment.id);
    expect(ready.status).toBe('READY');
    const notes = ready.timeline.map((t) => t.note ?? '');
    expect(notes[0]).toContain('(local:requester)');
    expect(notes).toContainEqual(expect.stringContaining(`approved by ${BOB} via api: Q3 launch`));
    expect(h.events.published.map((e) => e.detailType)).toEqual(expect.arrayContaining(['Environment Approved', 'Environment Ready']));
  });

  it('rejected: REJECTED, final, no account, and an Environment Rejected event', async () => {
    h = await protectedHarness();
    const { environment } = await request(h, production);
    const rejected = await decideApproval(h.deps, { id: environment.id, decision: 'reject', principal: ANA, via: 'api', comment: 'use Staging' });
    expect(rejected).toMatchObject({ status: 'REJECTED', approval: { decision: 'REJECTED', reason: 'REJECTED', decidedBy: ANA } });
    await h.workflow.idle();
    expect(h.states.get(environment.executionName)).toBeUndefined();
    expect(h.sim.accountsView().filter((a) => a.name === production.name)).toHaveLength(0);
    expect(h.events.published.find((e) => e.detailType === 'Environment Rejected')!.detail).toMatchObject({ id: environment.id, decidedBy: ANA, comment: 'use Staging' });
  });

  it.each([
    ['someone not in APPROVERS', 'arn:aws:iam::123456789012:user/mallory', 'NOT_AN_APPROVER'],
    ['the requester, even when an approver', ANA, 'SELF_APPROVAL'],
  ])('refuses %s (403) and changes nothing', async (_who, principal, code) => {
    h = await protectedHarness();
    const { environment } = await request(h, production, ANA);
    await expect(decideApproval(h.deps, { id: environment.id, decision: 'approve', principal, via: 'api' })).rejects.toMatchObject({ status: 403, code });
    expect(await h.deps.environments.get(environment.id)).toMatchObject({ status: 'PENDING_APPROVAL', version: environment.version });
  });

  it('admits any session of an approver role, but not the requester signed in through another role', async () => {
    h = await protectedHarness();
    const { environment } = await request(h, production, 'arn:aws:sts::123456789012:assumed-role/Developers/carol');
    await expect(decideApproval(h.deps, { id: environment.id, decision: 'approve', principal: 'arn:aws:sts::123456789012:assumed-role/Approvers/carol', via: 'api' })).rejects.toMatchObject({ code: 'SELF_APPROVAL' });
    await expect(decideApproval(h.deps, { id: environment.id, decision: 'approve', principal: 'arn:aws:sts::123456789012:assumed-role/Approvers/dave', via: 'api' })).resolves.toMatchObject({ status: 'REQUESTED' });
  });

  it('two approvers at once make one decision; the other hears it (409 ALREADY_DECIDED with the first)', async () => {
    h = await protectedHarness();
    const { environment } = await request(h, production);
    const outcomes = await Promise.allSettled([
      decideApproval(h.deps, { id: environment.id, decision: 'approve', principal: ANA, via: 'slack' }),
      decideApproval(h.deps, { id: environment.id, decision: 'reject', principal: BOB, via: 'api' }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const final = await finalState(h, environment.id);
    expect(lost[0]).toMatchObject({ status: 409, code: 'ALREADY_DECIDED', details: { decision: { decision: final.approval!.decision, decidedBy: final.approval!.decidedBy } } });
    expect(final.timeline.filter((t) => /^(approved|rejected) by/.test(t.note ?? ''))).toHaveLength(1);
    expect(h.events.published.filter((e) => e.detailType === 'Environment Approved' || e.detailType === 'Environment Rejected')).toHaveLength(1);
    expect(h.sim.accountsView().filter((a) => a.name === production.name).length).toBe(final.approval!.decision === 'APPROVED' ? 1 : 0);
  });

  it('answers a second decision with the first, and an environment that never needed one with NOT_AWAITING_APPROVAL', async () => {
    h = await protectedHarness();
    const { environment } = await request(h, production);
    await decideApproval(h.deps, { id: environment.id, decision: 'reject', principal: BOB, via: 'api' });
    await expect(decideApproval(h.deps, { id: environment.id, decision: 'approve', principal: ANA, via: 'api' })).rejects.toMatchObject({ code: 'ALREADY_DECIDED', details: { decision: { decision: 'REJECTED', decidedBy: BOB } } });
    const plain = await request(h, { name: 'Staging', ou: 'Workloads/Staging' });
    await expect(decideApproval(h.deps, { id: plain.environment.id, decision: 'approve', principal: ANA, via: 'api' })).rejects.toMatchObject({ status: 409, code: 'NOT_AWAITING_APPROVAL' });
    await expect(decideApproval(h.deps, { id: 'nothing-00000000', decision: 'approve', principal: ANA, via: 'api' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('time and crashes', () => {
  it('rejects a request nobody decided on within APPROVAL_TIMEOUT as APPROVAL_EXPIRED; a late approval loses to it', async () => {
    h = await harness({ createSeconds: 20, env: { ...settings, APPROVAL_TIMEOUT: 'PT2H' } });
    const { environment } = await request(h, production);
    h.clock.advance(3600);
    expect((await sweepApprovals(h.deps)).expired).toEqual([]);
    h.clock.advance(3601);
    expect((await sweepApprovals(h.deps)).expired).toEqual([environment.id]);
    const expired = await h.deps.environments.get(environment.id);
    expect(expired).toMatchObject({ status: 'REJECTED', approval: { decision: 'REJECTED', reason: 'APPROVAL_EXPIRED', via: 'timeout' } });
    await expect(decideApproval(h.deps, { id: environment.id, decision: 'approve', principal: ANA, via: 'api' })).rejects.toMatchObject({ code: 'ALREADY_DECIDED', details: { decision: { reason: 'APPROVAL_EXPIRED' } } });
    expect(h.events.published.find((e) => e.detailType === 'Environment Rejected')!.detail).toMatchObject({ reason: 'APPROVAL_EXPIRED' });
  });

  it('starts an approved request whose start was lost in a crash, once: the next sweep does it', async () => {
    h = await protectedHarness();
    const { environment } = await request(h, production);
    const real = h.deps.workflow;
    h.deps.workflow = crashingOnce(real);
    await expect(decideApproval(h.deps, { id: environment.id, decision: 'approve', principal: ANA, via: 'api' })).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(await h.deps.environments.get(environment.id)).toMatchObject({ status: 'REQUESTED', approval: { decision: 'APPROVED' } });
    expect((await sweepApprovals(h.deps)).started).toEqual([]);
    h.clock.advance(61);
    expect((await sweepApprovals(h.deps)).started).toEqual([environment.id]);
    expect((await finalState(h, environment.id)).status).toBe('READY');
    expect(h.sim.accountsView().filter((a) => a.name === production.name)).toHaveLength(1);
  });

  it('asks the approvers on every channel once, however often the sweep runs', async () => {
    h = await protectedHarness();
    const { environment } = await request(h, production);
    expect((await sweepApprovals(h.deps)).asked).toEqual([environment.id]);
    expect((await sweepApprovals(h.deps)).asked).toEqual([]);
    expect(h.notifier.sent.filter((n) => n.kind === 'approval').map((n) => n.environment.id)).toEqual([environment.id]);
  });
});
