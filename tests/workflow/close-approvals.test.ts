/**
 * Closing an environment in a protected OU (APPROVAL_OUS) waits for an approver like creating one:
 * nothing is closed before a yes, the one who asked cannot say it, a no (or nobody in time) leaves
 * the account open, and a lease that ends asks once, not at every lifecycle check. The real ASLs,
 * handlers and adapters over the simulated organization and dynalite (see harness.ts).
 */
import { decideApproval, sweepApprovals } from '../../shared/use-cases/approval';
import { requestClose } from '../../shared/use-cases/close-steps';
import { extendLease, sweepLeases } from '../../shared/use-cases/leases';
import { requestEnvironment } from '../../shared/use-cases/request-environment';
import { crashingOnce, harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ANA = 'local:ana';
const BOB = 'local:bob';
const settings = { APPROVAL_OUS: 'Workloads/Production', APPROVERS: `${ANA},${BOB}`, APPROVAL_TIMEOUT: 'PT6H' };

/** A READY environment in the protected OU: requested by Carol, approved by Bob. */
async function readyProduction(target: Harness, body: Record<string, unknown> = {}) {
  const { environment } = await requestEnvironment(target.deps, { body: { name: 'Payments Prod', ou: 'Workloads/Production', ...body }, source: 'api', principal: 'local:carol' });
  // The creation's question goes out (what notifyApprovers does on AWS).
  expect((await sweepApprovals(target.deps)).asked).toEqual([environment.id]);
  await decideApproval(target.deps, { id: environment.id, decision: 'approve', principal: BOB, via: 'api' });
  await target.workflow.idle();
  const ready = (await target.deps.environments.get(environment.id))!;
  expect(ready.status).toBe('READY');
  return ready;
}

async function settled(target: Harness, id: string) {
  await (target.deps.decommission as unknown as { idle(): Promise<void> }).idle();
  return (await target.deps.environments.get(id))!;
}

const accountStatus = (target: Harness, accountId: string) => target.sim.accountsView().find((a) => a.id === accountId)!.status;

describe('closing in a protected OU', () => {
  it('waits for an approver: READY and open meanwhile, the approvers asked once on every channel, then closed on a yes', async () => {
    h = await harness({ createSeconds: 5, env: settings });
    const env = await readyProduction(h);
    const asked = await requestClose(h.deps, { id: env.id, reason: 'api', requestedBy: ANA });
    expect(asked).toMatchObject({ status: 'READY', approval: { action: 'close', closeReason: 'api', requester: ANA, ou: 'Workloads/Production', approvers: [ANA, BOB] } });
    expect(asked.approval!.decision).toBeUndefined();
    expect((await settled(h, env.id)).status).toBe('READY');
    expect(accountStatus(h, env.accountId!)).toBe('ACTIVE');
    const question = h.events.published.filter((e) => e.detailType === 'Environment Approval Requested').at(-1)!;
    expect(question.detail).toMatchObject({ id: env.id, action: 'close' });

    // Asking again while it waits asks nobody again.
    expect(await requestClose(h.deps, { id: env.id, reason: 'api', requestedBy: BOB })).toMatchObject({ status: 'READY', approval: { requester: ANA } });
    // The creation's question went out long ago; this one is its own, and goes out once however often the sweep runs.
    expect((await sweepApprovals(h.deps)).asked).toEqual([env.id]);
    expect((await sweepApprovals(h.deps)).asked).toEqual([]);
    const questions = h.notifier.sent.filter((n) => n.kind === 'approval' && n.environment.id === env.id);
    expect(questions.map((n) => (n.kind === 'approval' ? n.environment.approval?.action ?? 'create' : ''))).toEqual(['create', 'close']);

    // Ana asked: she may not decide. Bob may.
    await expect(decideApproval(h.deps, { id: env.id, decision: 'approve', principal: ANA, via: 'api' })).rejects.toMatchObject({ status: 403, code: 'SELF_APPROVAL' });
    const approved = await decideApproval(h.deps, { id: env.id, decision: 'approve', principal: BOB, via: 'api', comment: 'retired' });
    expect(approved).toMatchObject({ status: 'CLOSING', closing: { reason: 'api', requestedBy: ANA, attempt: 1 }, approval: { action: 'close', decision: 'APPROVED', decidedBy: BOB } });
    const done = await settled(h, env.id);
    expect(done.status).toBe('CLOSED');
    expect(accountStatus(h, env.accountId!)).toBe('SUSPENDED');
    expect(h.events.published.filter((e) => e.detailType === 'Environment Approved').at(-1)!.detail).toMatchObject({ id: env.id, action: 'close', decidedBy: BOB });
    expect(done.timeline.map((t) => t.note ?? '')).toContainEqual(expect.stringContaining(`closing approved by ${BOB} via api: retired`));
    // The decision stands: a second one is told so.
    await expect(decideApproval(h.deps, { id: env.id, decision: 'reject', principal: ANA, via: 'api' })).rejects.toMatchObject({ status: 409, code: 'ALREADY_DECIDED' });
  });

  it('a no leaves the account open and the environment READY; asking again is a new question', async () => {
    h = await harness({ createSeconds: 5, env: settings });
    const env = await readyProduction(h);
    await requestClose(h.deps, { id: env.id, reason: 'slack', requestedBy: 'U0CAROL01' });
    await sweepApprovals(h.deps);
    const rejected = await decideApproval(h.deps, { id: env.id, decision: 'reject', principal: ANA, via: 'api', comment: 'still serving' });
    expect(rejected).toMatchObject({ status: 'READY', approval: { action: 'close', decision: 'REJECTED', decidedBy: ANA } });
    expect(rejected.closing).toBeUndefined();
    expect((await settled(h, env.id)).status).toBe('READY');
    expect(accountStatus(h, env.accountId!)).toBe('ACTIVE');
    expect(h.events.published.filter((e) => e.detailType === 'Environment Rejected').at(-1)!.detail).toMatchObject({ id: env.id, action: 'close' });

    h.clock.advance(60);
    const again = await requestClose(h.deps, { id: env.id, reason: 'api', requestedBy: BOB });
    expect(again).toMatchObject({ status: 'READY', approval: { action: 'close', requester: BOB } });
    expect(again.approval!.decision).toBeUndefined();
    await sweepApprovals(h.deps);
    expect(h.notifier.sent.filter((n) => n.kind === 'approval' && n.environment.id === env.id)).toHaveLength(3);
  });

  it('nobody deciding in time leaves the account open (APPROVAL_EXPIRED); a late yes loses', async () => {
    h = await harness({ createSeconds: 5, env: settings });
    const env = await readyProduction(h);
    await requestClose(h.deps, { id: env.id, reason: 'api', requestedBy: 'local:carol' });
    h.clock.advance(6 * 3600 + 1);
    expect((await sweepApprovals(h.deps)).expired).toEqual([env.id]);
    const expired = (await h.deps.environments.get(env.id))!;
    expect(expired).toMatchObject({ status: 'READY', approval: { action: 'close', decision: 'REJECTED', reason: 'APPROVAL_EXPIRED', via: 'timeout' } });
    await expect(decideApproval(h.deps, { id: env.id, decision: 'approve', principal: BOB, via: 'api' })).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
    expect(accountStatus(h, env.accountId!)).toBe('ACTIVE');
  });

  it('an approved closing whose start was lost is started by the next lifecycle check, once', async () => {
    h = await harness({ createSeconds: 5, env: settings });
    const env = await readyProduction(h);
    await requestClose(h.deps, { id: env.id, reason: 'api', requestedBy: ANA });
    const real = h.deps.decommission;
    h.deps.decommission = crashingOnce(real);
    await expect(decideApproval(h.deps, { id: env.id, decision: 'approve', principal: BOB, via: 'api' })).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(await h.deps.environments.get(env.id)).toMatchObject({ status: 'CLOSING', approval: { decision: 'APPROVED' } });
    const { sweepClosings } = await import('../../shared/use-cases/close-steps');
    expect((await sweepClosings(h.deps)).resumed).toEqual([env.id]);
    h.deps.decommission = real;
    expect((await settled(h, env.id)).status).toBe('CLOSED');
  });

  it('a lease that ends asks once; a no keeps it open without asking at every check; an extension withdraws a pending question', async () => {
    h = await harness({ createSeconds: 5, env: { ...settings, LEASE_REMINDERS: '' } });
    const env = await readyProduction(h, { ttl: 'PT2H' });
    h.clock.advance(2 * 3600 + 1);
    await sweepLeases(h.deps);
    const waiting = (await h.deps.environments.get(env.id))!;
    expect(waiting).toMatchObject({ status: 'READY', approval: { action: 'close', closeReason: 'lease' } });
    expect(waiting.approval!.requester).toBeUndefined();
    // Nobody asked, so any approver may decide; Ana says no.
    await decideApproval(h.deps, { id: env.id, decision: 'reject', principal: ANA, via: 'api' });
    const asks = () => h!.events.published.filter((e) => e.detailType === 'Environment Approval Requested' && (e.detail as { action?: string }).action === 'close').length;
    expect(asks()).toBe(1);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(300);
      await sweepLeases(h.deps);
    }
    expect(asks()).toBe(1);
    expect((await h.deps.environments.get(env.id))!.status).toBe('READY');

    // Extended, it ends again later and asks again; extended while that waits, the question is withdrawn.
    await extendLease(h.deps, { id: env.id, ttl: 'PT1H', by: 'local:carol' });
    h.clock.advance(3600 + 1);
    await sweepLeases(h.deps);
    expect(asks()).toBe(2);
    const extended = await extendLease(h.deps, { id: env.id, ttl: 'PT1H', by: 'local:carol' });
    expect(extended).toMatchObject({ status: 'READY', approval: { action: 'close', decision: 'REJECTED', reason: 'LEASE_EXTENDED' } });
    await expect(decideApproval(h.deps, { id: env.id, decision: 'approve', principal: BOB, via: 'api' })).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
    expect(accountStatus(h, env.accountId!)).toBe('ACTIVE');
  });

  it('an environment outside the protected OUs closes at once, as before', async () => {
    h = await harness({ createSeconds: 5, env: settings });
    const env = await h.provision({ name: 'Playground', ou: 'Sandbox/Playground' });
    expect(await requestClose(h.deps, { id: env.id, reason: 'api', requestedBy: ANA })).toMatchObject({ status: 'CLOSING' });
    expect((await settled(h, env.id)).status).toBe('CLOSED');
  });
});
