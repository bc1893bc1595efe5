import { CreateAccountFailureReason } from '@aws-sdk/client-organizations';
import { RetryableAwsError } from '../../shared/domain/errors';
import { faulty, harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const timedOut = (message: string) => Object.assign(new Error(message), { name: 'Sandbox.Timedout' });

describe('the provisioning workflow (real ASL, simulated organization)', () => {
  it('creates the account, waits for it, places it in its OU, notifies the admin and ends READY', async () => {
    h = await harness({ createSeconds: 90 });
    const env = await h.provision({ name: 'Staging', ou: 'Workloads/Staging' });

    expect(env.status).toBe('READY');
    expect(env.accountId).toMatch(/^\d{12}$/);
    expect(env.createRequestId).toMatch(/^car-[a-z0-9]{8,32}$/);
    expect(env.ouPath).toBe('Workloads/Staging');
    expect([...new Set(env.timeline.map((t) => t.status))]).toEqual(['REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'READY']);
    expect(env.timeline.map((t) => t.note)).toEqual(expect.arrayContaining([expect.stringContaining('group Admins may switch into the account'), 'account alias staging; tagged']));
    expect(h.sim.accountsView().filter((a) => a.name === 'Staging')).toEqual([expect.objectContaining({ id: env.accountId, ou: 'Workloads/Staging', alias: 'staging' })]);

    expect(h.notifier.sent).toHaveLength(1);
    const note = h.notifier.sent[0]!;
    expect(note.kind).toBe('ready');
    if (note.kind === 'ready') {
      expect(note.switchRole.consoleUrl).toBe(
        `https://signin.aws.amazon.com/switchrole?account=${env.accountId}&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95`,
      );
    }
    expect(h.events.published).toEqual([
      {
        detailType: 'Environment Ready',
        detail: expect.objectContaining({ id: env.id, name: 'Staging', accountId: env.accountId, ou: 'Workloads/Staging', consoleUrl: expect.stringContaining(env.accountId!) }),
      },
    ]);
    expect(JSON.stringify(h.events.published)).not.toContain('admin+staging@example.com');
    const states = h.states.get(env.executionName)!;
    expect(states[0]).toBe('CreateAccount');
    expect(states.slice(-5)).toEqual(['PlaceAccount', 'GrantAccess', 'ConfigureAccount', 'NotifyAdmin', 'RecordReady']);
    // A 90 s creation is polled with backoff, not in a tight loop.
    const polls = states.filter((s) => s === 'CheckAccountStatus').length;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(8);
  });

  it('records EMAIL_ALREADY_EXISTS from Organizations as FAILED with the plus-addressing fix and tells the admin', async () => {
    h = await harness({ createSeconds: 30 });
    h.sim.CreateAccount({ AccountName: 'Someone Else', Email: 'admin+staging@example.com' });
    h.clock.advance(31);
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('FAILED');
    expect(env.failure).toMatchObject({ code: 'EMAIL_ALREADY_EXISTS', fix: expect.stringContaining('plus-address') });
    expect(env.accountId).toBeUndefined();
    expect(h.notifier.sent.map((n) => n.kind)).toEqual(['failed']);
    expect(h.events.published).toEqual([
      { detailType: 'Environment Provisioning Failed', detail: expect.objectContaining({ id: env.id, reason: 'EMAIL_ALREADY_EXISTS', fix: env.failure!.fix }) },
    ]);
  });

  it('records ACCOUNT_LIMIT_EXCEEDED when the organization is full', async () => {
    h = await harness({ createSeconds: 10, accountQuota: 1 });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('FAILED');
    expect(env.failure).toMatchObject({ code: 'ACCOUNT_LIMIT_EXCEEDED', fix: expect.stringContaining('raise the account limit') });
  });

  // Every FailureReason of the API model the SDK was generated from.
  it.each(Object.values(CreateAccountFailureReason))('records FailureReason %s as FAILED with its own explanation and fix', async (reason) => {
    h = await harness({
      createSeconds: 10,
      wrapOrganization: (org) =>
        faulty(org, {
          describeCreateAccountStatus: async (real, id) => ({ ...(await real(id)), state: 'FAILED', accountId: undefined, failureReason: reason }),
        }),
    });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('FAILED');
    expect(env.failure).toEqual(expect.objectContaining({ code: reason, message: expect.any(String), fix: expect.any(String) }));
    // Not the words kept for a reason Switchyard does not know.
    expect(env.failure!.message).not.toBe(`AWS Organizations reported FailureReason ${reason}.`);
    expect(env.failure!.fix).not.toBe('Look at the message and the workflow execution history; retry once the cause is fixed.');
  });

  it('retries throttling and concurrent modification, then succeeds', async () => {
    let throttles = 0;
    h = await harness({
      createSeconds: 10,
      wrapOrganization: (org) =>
        faulty(org, {
          createAccount: async (real, input) => {
            if (throttles++ < 2) throw new RetryableAwsError('Too many requests', 'TooManyRequestsException');
            return real(input);
          },
          moveAccount: async (real, ...args) => {
            if (throttles++ < 4) throw new RetryableAwsError('Concurrent modification', 'ConcurrentModificationException');
            return real(...args);
          },
        }),
    });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(throttles).toBeGreaterThanOrEqual(5);
    expect(h.sim.accountsView().filter((a) => a.name === 'Staging')).toHaveLength(1);
  });

  it('does not create a second account when the step dies right after CreateAccount was accepted', async () => {
    let creates = 0;
    h = await harness({
      createSeconds: 20,
      wrapOrganization: (org) =>
        faulty(org, {
          createAccount: async (real, input) => {
            creates++;
            const status = await real(input);
            if (creates === 1) throw timedOut('Task timed out after 30.00 seconds');
            return status;
          },
        }),
    });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(creates).toBe(1);
    expect(h.sim.accountsView().filter((a) => a.email === 'admin+staging@example.com')).toHaveLength(1);
  });

  it('adopts its own account when the creation already finished before the retried step ran', async () => {
    h = await harness({
      createSeconds: 0,
      wrapOrganization: (org) => {
        let first = true;
        return faulty(org, {
          createAccount: async (real, input) => {
            const status = await real(input);
            if (first) {
              first = false;
              throw timedOut('Task timed out after 30.00 seconds');
            }
            return status;
          },
        });
      },
    });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(h.sim.accountsView().filter((a) => a.name === 'Staging')).toHaveLength(1);
  });

  it('gives up with AccountCreationTimedOutError once a creation outlasts the cap', async () => {
    h = await harness({ createSeconds: 10 ** 7, env: { ACCOUNT_CREATION_CAP_SECONDS: '600' } });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('FAILED');
    expect(env.failure).toMatchObject({ code: 'AccountCreationTimedOutError', fix: expect.stringContaining('ACCOUNT_CREATION_CAP_SECONDS') });
    expect(env.failure!.message).toContain('600 s');
    const polls = h.states.get(env.executionName)!.filter((s) => s === 'CheckAccountStatus').length;
    expect(polls).toBeLessThanOrEqual(30);
  });

  it('fails with OuNotFoundError when the OU disappears before placement', async () => {
    h = await harness({ createSeconds: 10 });
    const env = await h.run({ name: 'Lost', ou: 'Workloads/Gone' });
    expect(env.status).toBe('FAILED');
    expect(env.failure).toMatchObject({ code: 'OuNotFoundError', message: expect.stringContaining('Workloads/Gone') });
    expect(env.accountId).toMatch(/^\d{12}$/);
  });

  it('ends READY even when the notification cannot be sent, and says so in the timeline', async () => {
    h = await harness({ createSeconds: 10 });
    h.notifier.failWith = Object.assign(new Error('mail server down'), { name: 'AwsRequestRejectedError' });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    expect(env.status).toBe('READY');
    expect(env.timeline.at(-1)!.note).toContain('notification could not be sent');
  });

  it('changes nothing when a step runs a second time', async () => {
    h = await harness({ createSeconds: 0 });
    const env = await h.run({ name: 'Staging', ou: 'Workloads/Staging' });
    const before = h.sim.accountsView();
    const calls = { ...h.sim.stats().callsByOperation };
    const ctx = {};
    await h.functions.createAccount!({ id: env.id }, ctx);
    await h.functions.placeAccount!({ id: env.id }, ctx);
    await h.functions.notifyAdmin!({ id: env.id }, ctx);
    await h.functions.recordReady!({ id: env.id, input: {} }, ctx);
    expect(h.sim.accountsView()).toEqual(before);
    expect(h.sim.stats().callsByOperation.CreateAccount).toBe(calls.CreateAccount);
    expect(h.sim.stats().callsByOperation.MoveAccount).toBe(calls.MoveAccount);
    expect(h.notifier.sent).toHaveLength(1);
    const after = await h.deps.environments.get(env.id);
    expect(after!.timeline).toEqual(env.timeline);
  });

  it('rejects malformed task input with a terminal InvalidInputError', async () => {
    h = await harness();
    await expect(h.functions.createAccount!({ id: '../../etc/passwd' }, {})).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(h.functions.checkAccountStatus!({ id: 'staging-1a2b3c4d', polls: -1, extra: 1 }, {})).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});
