/**
 * Leases over the real state machines, the simulated organization and dynalite: the lease a request
 * gets, its end fixed at the handover, the reminders the lifecycle check sends (each once, however
 * often it runs), an extension that moves the end and arms the reminders again, and the closing
 * when it ends. The harness clock is moved by the test; nothing sleeps.
 */
import { requestEnvironment } from '../../shared/use-cases/request-environment';
import { extendLease, sweepLeases } from '../../shared/use-cases/leases';
import { NotConfiguredError } from '../../shared/domain/errors';
import { named } from '../../shared/use-cases/channels';
import { harness, RecordingNotifier, type Harness } from './harness';

const DAY = 86_400;
const HOUR = 3_600;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const reminders = (target: Harness) => target.notifier.sent.filter((n) => n.kind === 'lease-reminder').map((n) => (n as { before: number }).before);
const decommissioned = async (target: Harness, id: string) => {
  await (target.deps.decommission as unknown as { idle(): Promise<void> }).idle();
  return (await target.deps.environments.get(id))!;
};
/** The time the environment became READY, from its own timeline. */
const readyAt = (env: { timeline: Array<{ status: string; at: string }> }) => Date.parse(env.timeline.find((t) => t.status === 'READY')!.at);

describe('the lease a request gets', () => {
  it('is its ttl; else the most specific LEASE_DEFAULTS entry for its OU, capped by LEASE_MAX; else none', async () => {
    h = await harness({ createSeconds: 10, env: { LEASE_DEFAULTS: 'Sandbox=P30D,Sandbox/Playground=P7D,Workloads=P365D', LEASE_MAX: 'P90D' } });
    const asked = await h.provision({ name: 'Asked', ou: 'Sandbox/Playground', ttl: 'P14D' });
    expect(asked.lease).toMatchObject({ seconds: 14 * DAY, from: 'ttl' });
    const play = await h.provision({ name: 'Play', ou: 'Sandbox/Playground' });
    expect(play.lease).toMatchObject({ seconds: 7 * DAY, from: 'default' });
    const staging = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(staging.lease).toMatchObject({ seconds: 90 * DAY, from: 'default' });
    const prod = await h.provision({ name: 'Root Level', ou: 'Workloads' });
    expect(prod.lease).toMatchObject({ seconds: 90 * DAY });
    h.sim.ensureOuPath('Research');
    const none = await h.provision({ name: 'Research', ou: 'Research' });
    expect(none.status).toBe('READY');
    expect(none.lease).toBeUndefined();
    // The lifecycle check reads the leased ones from the sparse index, and only them.
    expect((await h.deps.environments.listLeased()).map((e) => e.id).sort()).toEqual([asked.id, play.id, staging.id, prod.id].sort());
    expect((await h.deps.environments.listActive()).map((e) => e.id)).toEqual([]);
  });

  it('is part of the request: the same body again is the same environment, another ttl is a conflict', async () => {
    h = await harness({ createSeconds: 10 });
    const first = await requestEnvironment(h.deps, { body: { name: 'Twice', ou: 'Sandbox/Playground', ttl: 'P14D' }, source: 'test' });
    const again = await requestEnvironment(h.deps, { body: { name: 'Twice', ou: 'Sandbox/Playground', ttl: 'P2W' }, source: 'test' });
    expect(again).toMatchObject({ created: false, environment: { id: first.environment.id } });
    await expect(requestEnvironment(h.deps, { body: { name: 'Twice', ou: 'Sandbox/Playground', ttl: 'P15D' }, source: 'test' })).rejects.toMatchObject({ status: 409, code: 'NAME_TAKEN' });
    await expect(requestEnvironment(h.deps, { body: { name: 'Twice', ou: 'Sandbox/Playground' }, source: 'test' })).rejects.toMatchObject({ status: 409, code: 'NAME_TAKEN' });
    await h.workflow.idle();
  });

  it('is refused with a 400 naming ttl beyond LEASE_MAX or below the minimum, and nothing is recorded', async () => {
    h = await harness({ createSeconds: 10, env: { LEASE_MAX: 'P30D' } });
    await expect(requestEnvironment(h.deps, { body: { name: 'Long', ou: 'Sandbox/Playground', ttl: 'P31D' }, source: 'test' })).rejects.toMatchObject({
      status: 400,
      fields: [{ field: 'ttl', message: expect.stringContaining('LEASE_MAX') }],
    });
    await expect(requestEnvironment(h.deps, { body: { name: 'Short', ou: 'Sandbox/Playground', ttl: 'PT10M' }, source: 'test' })).rejects.toMatchObject({
      status: 400,
      fields: [{ field: 'ttl', message: expect.stringContaining('at least') }],
    });
    expect(await h.deps.environments.listAll()).toEqual([]);
  });
});

describe('a lease over its life', () => {
  it('ends ttl after READY; reminds at P7D and P1D before, each once however often the check runs; closes when it ends', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Playground Ana', ou: 'Sandbox/Playground', ttl: 'P14D' });
    expect(env.status).toBe('READY');
    const end = readyAt(env) + 14 * DAY * 1000;
    expect(env.lease).toMatchObject({ seconds: 14 * DAY, from: 'ttl', expiresAt: new Date(end).toISOString() });
    // The ready message named that end.
    const ready = h.notifier.sent.find((n) => n.kind === 'ready')!;
    expect(ready.kind === 'ready' && ready.environment.lease?.expiresAt).toBe(new Date(end).toISOString());
    expect(ready.kind === 'ready' && ready.switchRole.expiresAt).toBe(new Date(end).toISOString());
    expect((await h.deps.environments.listLeased()).map((e) => e.id)).toEqual([env.id]);

    const moveTo = (ms: number) => h!.clock.advance((ms - h!.clock.now().getTime()) / 1000);
    for (let i = 0; i < 3; i++) expect(await sweepLeases(h.deps)).toEqual({ reminded: [], expired: [], failed: [] });
    moveTo(end - 7 * DAY * 1000 - 1000);
    await sweepLeases(h.deps);
    expect(reminders(h)).toEqual([]);
    moveTo(end - 7 * DAY * 1000);
    expect((await sweepLeases(h.deps)).reminded).toEqual([env.id]);
    for (let i = 0; i < 3; i++) expect((await sweepLeases(h.deps)).reminded).toEqual([]);
    expect(reminders(h)).toEqual([7 * DAY]);
    moveTo(end - DAY * 1000 + 60_000);
    await sweepLeases(h.deps);
    await sweepLeases(h.deps);
    expect(reminders(h)).toEqual([7 * DAY, DAY]);
    const reminded = (await h.deps.environments.get(env.id))!;
    expect(reminded.lease?.reminded).toEqual([7 * DAY, DAY]);
    expect(reminded.timeline.filter((t) => t.note?.startsWith('lease reminder'))).toHaveLength(2);

    moveTo(end - 1000);
    expect((await sweepLeases(h.deps)).expired).toEqual([]);
    moveTo(end);
    expect((await sweepLeases(h.deps)).expired).toEqual([env.id]);
    const closed = await decommissioned(h, env.id);
    expect(closed).toMatchObject({ status: 'CLOSED', closing: { reason: 'lease' } });
    expect(h.sim.accountsView().find((a) => a.id === env.accountId)).toMatchObject({ status: 'SUSPENDED' });
    expect(h.notifier.sent.filter((n) => n.kind === 'closed')).toHaveLength(1);
    // Closed environments leave the lease index; the check has nothing more to do.
    expect(await h.deps.environments.listLeased()).toEqual([]);
    expect(await sweepLeases(h.deps)).toEqual({ reminded: [], expired: [], failed: [] });
    expect(reminders(h)).toEqual([7 * DAY, DAY]);
  });

  it('sends only the nearest reminder when several fell due while the check did not run', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Late Check', ou: 'Sandbox/Playground', ttl: 'P10D' });
    h.clock.advance(9 * DAY + 12 * HOUR);
    expect((await sweepLeases(h.deps)).reminded).toEqual([env.id]);
    await sweepLeases(h.deps);
    expect(reminders(h)).toEqual([DAY]);
  });

  it('sends a reminder a channel could not take on the next check, there only, and records it once every channel has it', async () => {
    const webhook = new RecordingNotifier();
    webhook.failWith = new NotConfiguredError('The notification webhook signing secret is not set.');
    h = await harness({ createSeconds: 10, channels: [named('webhook', webhook)] });
    const env = await h.provision({ name: 'Flaky Hook', ou: 'Sandbox/Playground', ttl: 'P3D' });
    h.clock.advance(2 * DAY);
    expect(await sweepLeases(h.deps)).toEqual({ reminded: [], expired: [], failed: [env.id] });
    expect(reminders(h)).toEqual([DAY]);
    expect((await h.deps.environments.get(env.id))!.lease?.reminded).toBeUndefined();
    webhook.failWith = undefined;
    expect((await sweepLeases(h.deps)).reminded).toEqual([env.id]);
    await sweepLeases(h.deps);
    expect(reminders(h)).toEqual([DAY]);
    expect(webhook.sent.map((n) => n.kind)).toEqual(['lease-reminder']);
    expect((await h.deps.environments.get(env.id))!.lease?.reminded).toEqual([7 * DAY, DAY]);
  });

  it('extends: the end moves, the reminders are armed again for it, and the extension is recorded and announced', async () => {
    h = await harness({ createSeconds: 10, env: { LEASE_MAX: 'P30D' } });
    const env = await h.provision({ name: 'Extend Me', ou: 'Sandbox/Playground', ttl: 'P14D' });
    const end = readyAt(env) + 14 * DAY * 1000;
    h.clock.advance(7 * DAY);
    await sweepLeases(h.deps);
    expect(reminders(h)).toEqual([7 * DAY]);

    const extended = await extendLease(h.deps, { id: env.id, ttl: 'P7D', by: 'local:ana' });
    const newEnd = end + 7 * DAY * 1000;
    expect(extended.lease).toMatchObject({ expiresAt: new Date(newEnd).toISOString(), reminded: [], extended: [{ by: 'local:ana', expiresAt: new Date(newEnd).toISOString() }] });
    expect(extended.timeline.at(-1)?.note).toContain('lease extended by P7D by local:ana');
    expect(h.events.published.filter((e) => e.detailType === 'Environment Lease Extended')).toEqual([
      { detailType: 'Environment Lease Extended', detail: expect.objectContaining({ id: env.id, expiresAt: new Date(newEnd).toISOString(), previousExpiresAt: new Date(end).toISOString(), extendedBy: 'local:ana' }) },
    ]);

    // The old end passes without a closing; the one-week reminder comes again, a week before the new end.
    h.clock.advance(6 * DAY);
    expect(await sweepLeases(h.deps)).toEqual({ reminded: [], expired: [], failed: [] });
    h.clock.advance(DAY);
    expect((await sweepLeases(h.deps)).reminded).toEqual([env.id]);
    expect(reminders(h)).toEqual([7 * DAY, 7 * DAY]);
    expect((await h.deps.environments.get(env.id))!.status).toBe('READY');

    // LEASE_MAX (30 days) counts from now: 7 days are left, so 23 more fit and 24 do not.
    await expect(extendLease(h.deps, { id: env.id, ttl: 'P24D' })).rejects.toMatchObject({ status: 400, fields: [{ field: 'ttl', message: expect.stringContaining('at most P23D more') }] });
    await expect(extendLease(h.deps, { id: env.id, ttl: 'next week' })).rejects.toMatchObject({ status: 400, fields: [{ field: 'ttl' }] });
    await expect(extendLease(h.deps, { id: env.id, ttl: 'PT0S' })).rejects.toMatchObject({ status: 400, fields: [{ field: 'ttl' }] });
    expect((await extendLease(h.deps, { id: env.id, ttl: 'P23D' })).lease?.expiresAt).toBe(new Date(h.clock.now().getTime() + 30 * DAY * 1000).toISOString());
  });

  it('refuses to extend an environment without a lease (NOT_LEASED), one not READY (NOT_READY), and one that does not exist', async () => {
    h = await harness({ createSeconds: 10 });
    const forever = await h.provision({ name: 'Forever', ou: 'Workloads/Staging' });
    await expect(extendLease(h.deps, { id: forever.id, ttl: 'P7D' })).rejects.toMatchObject({ status: 409, code: 'NOT_LEASED' });
    await expect(extendLease(h.deps, { id: 'nothing-00000000', ttl: 'P7D' })).rejects.toMatchObject({ status: 404 });
    const leased = await h.provision({ name: 'Short Lived', ou: 'Sandbox/Playground', ttl: 'P1D' });
    h.clock.advance(DAY);
    expect((await sweepLeases(h.deps)).expired).toEqual([leased.id]);
    expect((await decommissioned(h, leased.id)).status).toBe('CLOSED');
    await expect(extendLease(h.deps, { id: leased.id, ttl: 'P7D' })).rejects.toMatchObject({ status: 409, code: 'NOT_READY' });
  });

  it('keeps a lease past its end open when it is extended before the check runs, counting from now', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.provision({ name: 'Just In Time', ou: 'Sandbox/Playground', ttl: 'P2D' });
    h.clock.advance(2 * DAY + HOUR);
    const extended = await extendLease(h.deps, { id: env.id, ttl: 'P1D' });
    expect(extended.lease?.expiresAt).toBe(new Date(h.clock.now().getTime() + DAY * 1000).toISOString());
    expect((await sweepLeases(h.deps)).expired).toEqual([]);
    expect((await h.deps.environments.get(env.id))!.status).toBe('READY');
  });
});
