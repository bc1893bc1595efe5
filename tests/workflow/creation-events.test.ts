/**
 * WaitForAccount is woken by Organizations' CreateAccountResult event (through indexOrganization)
 * instead of waiting out its poll: the real ASL, AwaitAccount and indexOrganization handlers, the
 * wake items in dynalite, and the simulated organization's own CloudTrail record of the creation.
 */
import { wakeCreation } from '../../shared/use-cases/provision-steps';
import { requestEnvironment } from '../../shared/use-cases/request-environment';
import type { Workflow } from '../../shared/ports';
import { harness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hands the simulated organization's CloudTrail records to indexOrganization, as EventBridge does; what each answered. */
async function deliverTrail(target: Harness): Promise<Array<{ eventName?: string; wake?: string }>> {
  const { epoch } = target.sim.cloudTrailSince(undefined).cursor;
  const { records } = target.sim.cloudTrailSince({ epoch, seq: 0 });
  const out: Array<{ eventName?: string; wake?: string }> = [];
  for (const record of records) {
    out.push((await target.functions.indexOrganization!({ source: 'aws.organizations', 'detail-type': record.detailType, detail: record.detail }, {})) as { eventName?: string; wake?: string });
  }
  return out;
}

describe('waking the workflow when the account exists', () => {
  it('the CreateAccountResult event ends the wait long before its two-minute backstop: one status read, READY', async () => {
    h = await harness({ createSeconds: 60, tokenWaits: true, env: { CREATION_EVENT_WAIT_SECONDS: '120' } });
    const { environment } = await requestEnvironment(h.deps, { body: { name: 'Woken', ou: 'Workloads/Staging' }, source: 'test' });
    // Until AwaitAccount has left its token (the event may come first too: then AwaitAccount wakes at once).
    for (let i = 0; i < 200 && !(h.states.get(environment.executionName) ?? []).includes('WaitForAccount'); i++) await sleep(25);
    await sleep(200);
    const started = Date.now();
    const delivered = await deliverTrail(h);
    expect(delivered.filter((d) => d.eventName === 'CreateAccountResult').map((d) => d.wake)).toEqual(['woken']);
    await h.workflow.idle();
    // Far below the 120 s the task would otherwise wait: the token ended it.
    expect(Date.now() - started).toBeLessThan(30_000);
    const env = (await h.deps.environments.get(environment.id))!;
    expect(env.status).toBe('READY');
    expect((h.states.get(environment.executionName) ?? []).filter((s) => s === 'CheckAccountStatus')).toHaveLength(1);
  }, 60_000);
});

describe('the meeting point of the wait and the event', () => {
  function recordingWorkflow(sent: Array<{ token: string; output: unknown }>): Workflow {
    return { start: async () => ({ executionId: 'x', alreadyStarted: false }), sendTaskSuccess: async (token, output) => (sent.push({ token, output }), 'sent') };
  }

  it('wakes exactly once whichever comes first, and ignores creations Switchyard did not start', async () => {
    h = await harness();
    const wakes = h.deps.creationWakes;
    const now = h.clock.now();
    const sent: Array<{ token: string; output: unknown }> = [];
    const deps = { creationWakes: wakes, workflow: recordingWorkflow(sent) };

    // The wait first, then the event: the event wakes it.
    await wakes.expect('car-waitfirst01', 'env-a', now);
    expect(await wakes.awaitResult('car-waitfirst01', 'token-a')).toEqual({});
    expect(await wakeCreation(deps, 'car-waitfirst01', { state: 'SUCCEEDED', accountId: '111122223333' })).toBe('woken');
    expect(sent).toEqual([{ token: 'token-a', output: { state: 'SUCCEEDED', accountId: '111122223333' } }]);

    // The event first: it is kept, and the wait finds it (the waiting step then wakes itself).
    await wakes.expect('car-eventfirst1', 'env-b', now);
    expect(await wakeCreation(deps, 'car-eventfirst1', { state: 'FAILED' })).toBe('recorded');
    expect(await wakes.awaitResult('car-eventfirst1', 'token-b')).toEqual({ result: { state: 'FAILED' } });
    expect(sent).toHaveLength(1);

    // A creation someone else started: nothing is written, nobody is woken.
    expect(await wakeCreation(deps, 'car-notours0001', { state: 'SUCCEEDED', accountId: '444455556666' })).toBe('ignored');
    expect(await wakes.awaitResult('car-notours0001', 'token-c')).toEqual({});
    expect(sent).toHaveLength(1);
  });
});
