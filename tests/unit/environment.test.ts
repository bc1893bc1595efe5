import { advance, ENVIRONMENT_STATUSES, newEnvironment, publicView, type Environment, type EnvironmentStatus } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';

const t0 = new Date('2025-01-01T10:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function fresh(): Environment {
  const request = parseEnvironmentRequest({ name: 'Staging', ou: 'Workloads/Staging', requestedBy: 'ana' }, { emailTemplate: 'admin+{slug}@example.com' });
  return newEnvironment(request, { now: t0, source: 'api' });
}

/** Walks the happy path up to `status`, one minute per step. */
function reach(status: EnvironmentStatus): Environment {
  let env = fresh();
  const path: EnvironmentStatus[] = ['CREATING', 'PLACING', 'NOTIFYING', 'READY'];
  const stopAt = status === 'FAILED' ? 'PLACING' : status;
  for (const [i, next] of path.entries()) {
    if (env.status === stopAt) break;
    env = advance(env, next, at(i + 1));
  }
  if (status === 'FAILED') env = advance(env, 'FAILED', at(9));
  expect(env.status).toBe(status);
  return env;
}

describe('a new environment', () => {
  it('starts REQUESTED with one timeline entry saying who asked and how', () => {
    const env = fresh();
    expect(env.status).toBe('REQUESTED');
    expect(env.createdAt).toBe(t0.toISOString());
    expect(env.timeline).toHaveLength(1);
    expect(env.timeline[0]).toMatchObject({ at: t0.toISOString(), status: 'REQUESTED' });
    expect(env.timeline[0]!.note).toContain('api');
    expect(env.timeline[0]!.note).toContain('ana');
    expect(env.executionName).toBe(env.id);
  });
});

describe('advance', () => {
  it('appends each forward move to the timeline', () => {
    let env = fresh();
    env = advance(env, 'CREATING', at(1), 'CreateAccount started', { createRequestId: 'car-abc12345' });
    env = advance(env, 'PLACING', at(3), undefined, { accountId: '123456789012' });
    env = advance(env, 'NOTIFYING', at(4));
    env = advance(env, 'READY', at(5), 'switch-role details sent');
    expect(env.status).toBe('READY');
    expect(env.updatedAt).toBe(at(5).toISOString());
    expect(env.createdAt).toBe(t0.toISOString());
    expect(env.timeline.map((e) => e.status)).toEqual(['REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'READY']);
    expect(env.timeline.map((e) => e.at)).toEqual([t0, at(1), at(3), at(4), at(5)].map((d) => d.toISOString()));
    expect(env.timeline[1]!.note).toBe('CreateAccount started');
    expect(env.timeline[4]!.note).toBe('switch-role details sent');
    expect(env).toMatchObject({ createRequestId: 'car-abc12345', accountId: '123456789012' });
  });

  it('does not change the environment it was given', () => {
    const env = fresh();
    const snapshot = structuredClone(env);
    advance(env, 'CREATING', at(1), 'x', { accountId: '123456789012' });
    advance(env, 'FAILED', at(1));
    expect(env).toEqual(snapshot);
  });

  it.each([
    ['CREATING', 'CREATING'],
    ['PLACING', 'PLACING'],
    ['NOTIFYING', 'NOTIFYING'],
    ['PLACING', 'CREATING'],
    ['NOTIFYING', 'REQUESTED'],
    ['NOTIFYING', 'PLACING'],
  ] as const)('in %s, asking for %s again is a no-op', (from, to) => {
    const env = reach(from);
    const again = advance(env, to, at(30), 'step re-run');
    expect(again.status).toBe(from);
    expect(again.timeline).toEqual(env.timeline);
    expect(again.updatedAt).toBe(env.updatedAt);
  });

  it('lets a step run twice without a second timeline entry', () => {
    const once = advance(fresh(), 'CREATING', at(1));
    const twice = advance(once, 'CREATING', at(2));
    expect(twice.timeline.filter((e) => e.status === 'CREATING')).toHaveLength(1);
  });

  it.each(['REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING'] as const)('can fail from %s', (from) => {
    const env = reach(from);
    const failure = { code: 'EMAIL_ALREADY_EXISTS', message: 'taken', fix: 'use a plus-address' };
    const failed = advance(env, 'FAILED', at(20), 'CreateAccount failed', { failure });
    expect(failed.status).toBe('FAILED');
    expect(failed.failure).toEqual(failure);
    expect(failed.timeline).toHaveLength(env.timeline.length + 1);
    expect(failed.timeline.at(-1)).toEqual({ at: at(20).toISOString(), status: 'FAILED', note: 'CreateAccount failed' });
    expect(failed.updatedAt).toBe(at(20).toISOString());
  });

  const CLOSING = ['CLOSE_QUEUED', 'CLOSING', 'CLOSED'] as const;
  it.each(
    (['READY', 'FAILED'] as const).flatMap((from) => ENVIRONMENT_STATUSES.filter((to) => from !== 'READY' || !(CLOSING as readonly string[]).includes(to)).map((to) => [from, to] as const)),
  )('never moves %s (asked for %s)', (from, to) => {
    const env = reach(from);
    const after = advance(env, to, at(60), 'late step', { accountId: '999999999999', failure: { code: 'X', message: 'x', fix: 'x' } });
    expect(after).toEqual(env);
  });

  it.each(CLOSING)('lets a READY environment be closed: READY → %s', (to) => {
    const env = reach('READY');
    const after = advance(env, to, at(60), 'closing');
    expect(after.status).toBe(to);
    expect(after.timeline.at(-1)).toEqual({ at: at(60).toISOString(), status: to, note: 'closing' });
  });

  it('moves a closing back and forth between CLOSING and CLOSE_QUEUED, and never out of CLOSED', () => {
    const closing = advance(reach('READY'), 'CLOSING', at(60));
    const queued = advance(closing, 'CLOSE_QUEUED', at(61));
    expect(queued.status).toBe('CLOSE_QUEUED');
    expect(advance(queued, 'CLOSING', at(62)).status).toBe('CLOSING');
    const closed = advance(closing, 'CLOSED', at(63));
    for (const to of ENVIRONMENT_STATUSES) expect(advance(closed, to, at(64))).toEqual(closed);
  });
});

describe('publicView', () => {
  it('hides the internal bookkeeping and keeps what the requester needs', () => {
    const env = { ...advance(reach('NOTIFYING'), 'READY', at(9), undefined, { accountId: '123456789012' }), version: 7, notified: ['admin-ready'] };
    const view = publicView(env) as Record<string, unknown>;
    expect(view).not.toHaveProperty('version');
    expect(view).not.toHaveProperty('requestHash');
    expect(view).not.toHaveProperty('notified');
    expect(view).toMatchObject({ id: env.id, name: 'Staging', status: 'READY', accountId: '123456789012', ou: 'Workloads/Staging' });
    expect(view.timeline).toEqual(env.timeline);
    expect(env.version).toBe(7);
    expect(env.notified).toEqual(['admin-ready']);
  });

  it('survives JSON serialisation without the hidden fields', () => {
    const json = JSON.stringify(publicView({ ...fresh(), version: 3, notified: ['x'] }));
    expect(json).not.toMatch(/"version"|"requestHash"|"notified"/);
  });
});
