/**
 * Leases, without AWS: the `ttl` a request may carry (its form and its limits, hostile values
 * included), the request digest it is part of, the schedule of reminders and extensions, and the
 * lease reminder as every channel renders it.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snsMessage } from '../../shared/adapters/aws/sns-notifier';
import { slackWebhookMessage } from '../../shared/adapters/http/slack-webhook';
import { notificationEvent, webhookMessageId } from '../../shared/adapters/http/webhook-notifier';
import { OutboxNotifier } from '../../shared/adapters/local/outbox-notifier';
import { advance, newEnvironment, type Environment, type Lease } from '../../shared/domain/environment';
import { InvalidInputError } from '../../shared/domain/errors';
import { extendedLease, reminderDue, startLease } from '../../shared/domain/lease-schedule';
import { renderNotification } from '../../shared/domain/messages';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { readyMessage } from '../../shared/domain/slack-messages';
import { buildSwitchRoleDetails } from '../../shared/domain/switch-role';
import type { Notification } from '../../shared/ports';

const DAY = 86_400;
const HOUR = 3_600;
const limits = { minSeconds: HOUR, maxSeconds: 90 * DAY };
const defaults = { emailTemplate: 'admin+{slug}@example.com', lease: limits };
const base = { name: 'Staging', ou: 'Workloads/Staging' };

function refusal(body: unknown, withDefaults = defaults): InvalidInputError {
  try {
    parseEnvironmentRequest(body, withDefaults);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(body)?.slice(0, 80)} to be refused`);
}

describe('the ttl of a request', () => {
  it.each([
    ['P14D', 14 * DAY],
    ['PT12H', 12 * HOUR],
    ['P1W', 7 * DAY],
    ['P1DT6H', DAY + 6 * HOUR],
    ['PT90M', 90 * 60],
    ['p2d', 2 * DAY],
    ['PT1H', HOUR],
    ['P90D', 90 * DAY],
  ])('accepts %s as %i seconds', (ttl, seconds) => {
    expect(parseEnvironmentRequest({ ...base, ttl }, defaults).ttlSeconds).toBe(seconds);
  });

  it('is optional: a request without one has no ttl', () => {
    expect(parseEnvironmentRequest(base, defaults)).not.toHaveProperty('ttlSeconds');
  });

  it.each([
    ['below the minimum (an hour)', 'PT59M', /at least 3600 seconds/],
    ['zero', 'PT0S', /at least 3600 seconds/],
    ['above LEASE_MAX', 'P91D', /LEASE_MAX/],
    ['far above LEASE_MAX', 'P520W', /LEASE_MAX/],
  ])('is refused %s, naming ttl', (_what, ttl, message) => {
    const error = refusal({ ...base, ttl });
    expect(error.fields).toEqual([{ field: 'ttl', message: expect.stringMatching(message) }]);
    expect(error.status).toBe(400);
  });

  it('takes the limits it is given: one second is a lease where the minimum is one second', () => {
    expect(parseEnvironmentRequest({ ...base, ttl: 'PT1S' }, { ...defaults, lease: { minSeconds: 1, maxSeconds: DAY } }).ttlSeconds).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['P alone', 'P'],
    ['PT alone', 'PT'],
    ['years', 'P1Y'],
    ['months', 'P1M'],
    ['negative', '-P1D'],
    ['a fraction of a day', 'P1.5D'],
    ['a fraction of a second', 'PT3600.5S'],
    ['plain text', 'two weeks'],
    ['a unit without the P', '14d'],
    ['seconds as text', '86400'],
    ['two durations', 'P1D P2D'],
    ['a line break inside', 'P1D\nP2D'],
    ['a NUL byte', 'P1D\u0000'],
    ['full-width digits', 'P１D'],
    ['more than ten years', 'P99999999999D'],
    ['a very long value', `P${'1'.repeat(10_000)}D`],
    ['an injection attempt', "P1D'; DROP TABLE environments; --"],
    ['HTML', '<script>alert(1)</script>'],
  ])('is refused when %s, naming only ttl', (_what, ttl) => {
    const error = refusal({ ...base, ttl });
    expect(new Set(error.fields.map((f) => f.field))).toEqual(new Set(['ttl']));
    // What the caller sent is not echoed back in full.
    expect(error.message.length).toBeLessThan(400);
  });

  it.each([
    ['a number', 86_400],
    ['null', null],
    ['an array', ['P1D']],
    ['an object', { days: 1 }],
    ['a boolean', true],
  ])('is refused when it is %s', (_what, ttl) => {
    expect(refusal({ ...base, ttl }).fields.map((f) => f.field)).toEqual(['ttl']);
  });

  it('is named beside every other field at fault', () => {
    const fields = refusal({ name: '', ou: 'Workloads/Staging', ttl: 'P1Y' }).fields.map((f) => f.field);
    expect(fields.sort()).toEqual(['name', 'ttl']);
    const limitsToo = refusal({ name: '', ou: 'Workloads/Staging', ttl: 'P365D' }).fields.map((f) => f.field);
    expect(limitsToo.sort()).toEqual(['name', 'ttl']);
  });

  it('is another field under another spelling (TTL): unknown, and refused', () => {
    expect(refusal({ ...base, TTL: 'P1D' }).fields[0]).toEqual({ field: '(body)', message: expect.stringContaining('TTL') });
  });
});

describe('the request digest', () => {
  const digest = (body: Record<string, unknown>) => parseEnvironmentRequest(body, defaults).requestHash;

  it('is what it was before leases for a request without a ttl, so stored environments still match', () => {
    // sha256 of the canonical {color, email, name, ou, tags}, as the release before leases computed it.
    expect(digest(base)).toBe('3179bbb0dacb4213c02cbd059f480bcd');
  });

  it('includes the ttl: the same ttl is the same request, in any spelling; another ttl is another request', () => {
    expect(digest({ ...base, ttl: 'P1D' })).toBe(digest({ ...base, ttl: 'PT24H' }));
    expect(digest({ ...base, ttl: 'P1D' })).toBe(digest({ ...base, ttl: 'p1d' }));
    expect(digest({ ...base, ttl: 'P1D' })).not.toBe(digest({ ...base, ttl: 'P2D' }));
    expect(digest({ ...base, ttl: 'P1D' })).not.toBe(digest(base));
  });
});

describe('a new environment', () => {
  const t0 = new Date('2026-11-28T09:00:00Z');
  it('records the lease it was given, and not the ttl as a field of its own', () => {
    const request = parseEnvironmentRequest({ ...base, ttl: 'P14D' }, defaults);
    const env = newEnvironment(request, { now: t0, source: 'api', lease: { seconds: 14 * DAY, from: 'ttl' } });
    expect(env.lease).toEqual({ seconds: 14 * DAY, from: 'ttl' });
    expect(env).not.toHaveProperty('ttlSeconds');
    expect(env.requestHash).toBe(request.requestHash);
  });
});

const T = Date.parse('2026-12-01T00:00:00Z');
const at = (seconds: number) => new Date(T + seconds * 1000);
const REMINDERS = [7 * DAY, DAY];

describe('when a lease starts', () => {
  const handedOver = (lease?: Lease): Environment => {
    const request = parseEnvironmentRequest(base, defaults);
    return advance({ ...newEnvironment(request, { now: at(-600), source: 'api', ...(lease ? { lease } : {}) }), accountId: '123456789012' }, 'NOTIFYING', at(0));
  };

  it('ends its length after the handover, once: a step that runs again moves nothing', () => {
    const started = startLease(handedOver({ seconds: 14 * DAY, from: 'ttl' }), at(0));
    expect(started.lease?.expiresAt).toBe(at(14 * DAY).toISOString());
    expect(startLease(started, at(3600)).lease?.expiresAt).toBe(at(14 * DAY).toISOString());
  });

  it('does nothing to an environment without a lease, or one not handed over', () => {
    expect(startLease(handedOver(), at(0)).lease).toBeUndefined();
    const failed = advance(handedOver({ seconds: DAY, from: 'ttl' }), 'FAILED', at(1));
    expect(startLease(failed, at(2)).lease?.expiresAt).toBeUndefined();
  });
});

describe('reminders', () => {
  const lease = (seconds: number, more: Partial<Lease> = {}): Lease => ({ seconds, from: 'ttl', expiresAt: at(seconds).toISOString(), ...more });

  it('are due at their offset before the end, each once', () => {
    const l = lease(14 * DAY);
    // The first look records that nothing was told yet.
    expect(reminderDue(l, REMINDERS, at(0))).toEqual({ reminded: [] });
    const before = lease(14 * DAY, { reminded: [] });
    expect(reminderDue(before, REMINDERS, at(7 * DAY - 1))).toBeUndefined();
    expect(reminderDue(before, REMINDERS, at(7 * DAY))).toEqual({ send: 7 * DAY, reminded: [7 * DAY] });
    const weekTold = lease(14 * DAY, { reminded: [7 * DAY] });
    expect(reminderDue(weekTold, REMINDERS, at(10 * DAY))).toBeUndefined();
    expect(reminderDue(weekTold, REMINDERS, at(13 * DAY))).toEqual({ send: DAY, reminded: [7 * DAY, DAY] });
    expect(reminderDue(lease(14 * DAY, { reminded: [7 * DAY, DAY] }), REMINDERS, at(14 * DAY - 1))).toBeUndefined();
  });

  it('that would fall before the lease began count as told by the ready message', () => {
    // A three-day lease: only the one-day reminder goes out.
    expect(reminderDue(lease(3 * DAY), REMINDERS, at(0))).toEqual({ reminded: [7 * DAY] });
    expect(reminderDue(lease(3 * DAY), REMINDERS, at(2 * DAY))).toEqual({ send: DAY, reminded: [7 * DAY, DAY] });
    // Twelve hours: none.
    expect(reminderDue(lease(12 * HOUR), REMINDERS, at(11 * HOUR))).toEqual({ reminded: [7 * DAY, DAY] });
  });

  it('that fell due together go out as one, the nearest', () => {
    expect(reminderDue(lease(10 * DAY, { reminded: [] }), REMINDERS, at(9 * DAY + 12 * HOUR))).toEqual({ send: DAY, reminded: [7 * DAY, DAY] });
  });
});

describe('an extension', () => {
  const l: Lease & { expiresAt: string } = { seconds: 14 * DAY, from: 'ttl', expiresAt: at(14 * DAY).toISOString(), reminded: [7 * DAY] };
  const input = { maxSeconds: 90 * DAY, reminders: REMINDERS };

  it('adds to the current end, records who and when, and arms the reminders now further away again', () => {
    const done = extendedLease(l, { ...input, seconds: 7 * DAY, now: at(8 * DAY), by: 'local:ana' });
    if ('problem' in done) throw new Error(done.problem);
    expect(done.lease.expiresAt).toBe(at(21 * DAY).toISOString());
    expect(done.lease.extended).toEqual([{ at: at(8 * DAY).toISOString(), by: 'local:ana', expiresAt: at(21 * DAY).toISOString() }]);
    expect(done.lease.reminded).toEqual([]);
    expect(done.lease.seconds).toBe(14 * DAY);
    expect(done.note).toContain('local:ana');
  });

  it('keeps as told the reminders due already for the new end', () => {
    const done = extendedLease(l, { ...input, seconds: DAY, now: at(13 * DAY + 12 * HOUR) });
    if ('problem' in done) throw new Error(done.problem);
    // New end: day 15; the one-week reminder was due on day 8, the one-day one is due on day 14.
    expect(done.lease.reminded).toEqual([7 * DAY]);
  });

  it('counts from now for a lease past its end that is not closed yet', () => {
    const done = extendedLease(l, { ...input, seconds: DAY, now: at(15 * DAY) });
    if ('problem' in done) throw new Error(done.problem);
    expect(done.lease.expiresAt).toBe(at(16 * DAY).toISOString());
  });

  it('is refused past LEASE_MAX from now, saying how much more fits', () => {
    const done = extendedLease(l, { ...input, seconds: 80 * DAY, now: at(DAY) });
    expect(done).toEqual({ problem: expect.stringMatching(/LEASE_MAX \(P90D\).*at most P77D more/) });
    expect('problem' in extendedLease(l, { ...input, seconds: 77 * DAY, now: at(DAY) })).toBe(false);
  });
});

describe('the lease reminder on every channel', () => {
  const request = parseEnvironmentRequest({ name: 'Play <!channel> & co', ou: 'Sandbox/Playground', ttl: 'P14D' }, defaults);
  const env: Environment = {
    ...advance({ ...newEnvironment(request, { now: at(-600), source: 'api', lease: { seconds: 14 * DAY, from: 'ttl' } }), accountId: '123456789012', ouPath: 'Sandbox/Playground' }, 'READY', at(0)),
    lease: { seconds: 14 * DAY, from: 'ttl', expiresAt: at(14 * DAY).toISOString(), reminded: [] },
  };
  const week: Notification = { kind: 'lease-reminder', environment: env, before: 7 * DAY };
  const day: Notification = { kind: 'lease-reminder', environment: env, before: DAY };

  it('is an email that says when, what happens then, and how to extend', () => {
    const mail = renderNotification(week);
    expect(mail.subject).toBe(`[Switchyard] Play <!channel> & co: lease ends in 7 days (${at(14 * DAY).toISOString()})`);
    expect(mail.text).toContain(`POST /environments/${env.id}/extend`);
    expect(mail.text).toContain('{"ttl": "P7D"}');
    expect(mail.text).toContain('SUSPENDED');
    expect(mail.html).not.toContain('<!channel>');
    expect(mail.html).toContain('Play &lt;!channel&gt; &amp; co');
  });

  it('is a Slack message with an Extend button carrying the environment id, the name escaped', () => {
    const message = slackWebhookMessage(week);
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions).toMatchObject({ type: 'actions', elements: [{ type: 'button', action_id: 'extend', value: env.id, text: { text: 'Extend 7 days' } }] });
    expect(JSON.stringify(message)).not.toContain('<!channel>');
    expect(message.text).toContain('Play &lt;!channel&gt; &amp; co');
  });

  it('is a signed-webhook event of its own type, one message id per offset and end', () => {
    const event = notificationEvent(week);
    expect(event).toEqual({
      type: 'environment.lease_reminder',
      timestamp: at(7 * DAY).toISOString(),
      data: {
        id: env.id,
        name: env.name,
        ou: 'Sandbox/Playground',
        accountId: '123456789012',
        expiresAt: at(14 * DAY).toISOString(),
        remindBeforeSeconds: 7 * DAY,
        remindBefore: 'P7D',
        extendPath: `/environments/${env.id}/extend`,
      },
    });
    expect(webhookMessageId(week)).not.toBe(webhookMessageId(day));
    const extended: Notification = { ...week, environment: { ...env, lease: { ...env.lease!, expiresAt: at(21 * DAY).toISOString() } } };
    expect(webhookMessageId(extended)).not.toBe(webhookMessageId(week));
    expect(webhookMessageId(week)).toBe(webhookMessageId({ ...week }));
  });

  it('is an SNS message whose FIFO deduplication id differs per reminder', () => {
    expect(snsMessage(week).attributes).toEqual({ kind: 'lease-reminder', environmentId: env.id });
    expect(snsMessage(week).deduplicationId).not.toBe(snsMessage(day).deduplicationId);
    expect(snsMessage(week).subject.length).toBeLessThan(100);
  });

  it('is one outbox file per offset and channel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-lease-outbox-'));
    const outbox = new OutboxNotifier(dir, { channel: 'email' });
    await outbox.send(week);
    await outbox.send(week);
    await outbox.send(day);
    expect(readdirSync(dir).sort()).toEqual([`${env.id}.lease-reminder-P1D.email.json`, `${env.id}.lease-reminder-P7D.email.json`]);
    const file = JSON.parse(readFileSync(join(dir, `${env.id}.lease-reminder-P7D.email.json`), 'utf8'));
    expect(file).toMatchObject({ kind: 'lease-reminder', remindBefore: 'P7D', lease: { expiresAt: at(14 * DAY).toISOString() } });
  });

  it('the ready message names the end of the lease', () => {
    const details = buildSwitchRoleDetails({ accountId: '123456789012', displayName: env.name, color: env.color, profileName: 'play', sourceProfile: 'default', expiresAt: env.lease!.expiresAt });
    expect(details.expiresAt).toBe(at(14 * DAY).toISOString());
    const slack = JSON.stringify(readyMessage(env, details));
    expect(slack).toContain('*Lease ends* <!date^');
    expect(renderNotification({ kind: 'ready', environment: env, switchRole: details }).text).toMatch(new RegExp(`Lease ends:\\s+${at(14 * DAY).toISOString()}`));
  });
});
