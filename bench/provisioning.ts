import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { functions as functionDefinitions } from '../functions/index.cjs';
import { loadDefinition, taskFunctionKeys, WAIT_FOR_TASK_TOKEN } from '../statemachines/provision-environment.cjs';
import type { Runtime } from '../local/runtime';
import type { StateEvent } from '../shared/adapters/local/local-workflow';
import { meterDynamo, stopMetering, unmetered, type DynamoUsage } from './dynamodb-meter';
import { costUsd, type Usage } from './prices';
import { AWS_LIKE_ORGANIZATIONS, AWS_LIKE_ORGANIZATIONS_ENV, DEPLOYED_POLLING, mean, percentile, post, round, settled, sleep, untilFinal, withRuntime } from './runtime-groups';

/**
 * Provisioning as a deployment pays for it: environments requested a few at a time against creations
 * whose durations vary (log-normal), Organizations answering with AWS-like latency and rate, the
 * deployed poll settings. Measured per environment from the local workflow's own events: the time
 * from AWS's CompletedTimestamp to READY, state transitions, Lambda invocations and their duration
 * (× the memory each function is deployed with), and the registry's request units; priced at list
 * prices beside AWS's sample vending-machine loop over the same creations.
 */

/**
 * Creations the group simulates. AWS says account creation "usually takes one to a few minutes"
 * (aws-facts.md) and bounds nothing: a median of a minute and a sigma of 0.5 (half the creations
 * within ×0.71–×1.4 of it, one in twenty beyond ×2.3) is that sentence as a distribution.
 */
export const PROVISIONING_CREATE_SECONDS = 60;
export const PROVISIONING_CREATE_SPREAD = 0.5;
/** Environments measured (after one warm-up), and how many may be creating at once: AWS's 5, so none queues. */
const SAMPLES = 10;
const AT_ONCE = 5;

/** AWS's sample loop: Wait 30 s → a Lambda calling DescribeCreateAccountStatus → Choice, until the creation has ended. */
export const SAMPLE_LOOP = {
  waitSeconds: 30,
  /** Assumed: the Lambda minimum (and the console's default), which a one-call function needs no more than. */
  memoryMb: 128,
  /** Assumed: one DescribeCreateAccountStatus at the simulated median latency plus 10 ms of handler time. */
  invocationMs: AWS_LIKE_ORGANIZATIONS.latencyMs + 10,
  transitionsPerRound: 3,
};

/**
 * Switchyard's states that wait for a creation slot or for the account, and the event function's
 * invocation that ends the wait: what the sample loop replaces.
 */
const WAKE = 'CreateAccountResult → indexOrganization';
const WAITING_STATES = new Set(['WaitForAccount', 'CheckAccountStatus', 'IsAccountCreated', WAKE]);

export interface ProvisioningResult {
  createSecondsMedian: number;
  createSecondsSpread: number;
  readyAfterCreateP50Ms: number;
  readyAfterCreateP95Ms: number;
  /** Per environment (mean): states entered, retries included, as Step Functions bills them. */
  stateTransitions: number;
  /** Per environment (mean): Σ ⌈duration ms⌉ × memory of every task invocation, in GB-seconds. */
  lambdaGbSeconds: number;
  costPerEnvironmentUsd: number;
  sampleLoopCostPerEnvironmentUsd: number;
  samples: number;
  /** CheckAccountStatus invocations per environment (mean). */
  statusPolls: number;
  lambdaRequests: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  /** The creations the samples actually drew, in seconds (AWS's RequestedTimestamp to CompletedTimestamp). */
  creationSeconds: { min: number; median: number; max: number };
  maxConcurrentCreates: number;
  simLatencyMs: number;
  simRatePerSecond: number;
  /** Per function: invocations per environment, median duration, deployed memory. */
  lambdaByFunction: Record<string, { invocations: number; medianMs: number; memoryMb: number }>;
  sampleLoop: {
    waitSeconds: number;
    memoryMb: number;
    invocationMs: number;
    statusPolls: number;
    stateTransitions: number;
    lambdaRequests: number;
    lambdaGbSeconds: number;
    readyAfterCreateP50Ms: number;
    readyAfterCreateP95Ms: number;
  };
}

interface TimedEvent extends StateEvent {
  at: number;
}

interface Invocation {
  state: string;
  fn: string;
  ms: number;
  /** The first attempt of this visit to the state (retries are not). */
  first: boolean;
}

/** Memory each function is deployed with: its own memorySize, else the provider's (serverless.yml). */
export function deployedMemoryMb(): Record<string, number> {
  const provider = (YAML.parseDocument(readFileSync(join(__dirname, '..', 'serverless.yml'), 'utf8')).toJS() as { provider: { memorySize?: number } }).provider;
  const fallback = provider.memorySize ?? 1024;
  return Object.fromEntries(Object.entries(functionDefinitions()).map(([key, def]) => [key, Number(def.memorySize ?? fallback)]));
}

const gbSeconds = (ms: number, memoryMb: number) => (Math.ceil(ms) * memoryMb) / 1024 / 1000;

/**
 * The Lambda invocations of one execution from its events: a Task's invocation runs from its
 * StateEntered (or StateRetried) to the execution's next event. A failed attempt's span includes
 * the retry's backoff, so retried tasks count long, never short.
 */
function invocations(events: TimedEvent[], taskFunctions: Record<string, string>, waitsForToken: ReadonlySet<string>): Invocation[] {
  const out: Invocation[] = [];
  events.forEach((e, i) => {
    if (!e.state || !taskFunctions[e.state] || (e.type !== 'StateEntered' && e.type !== 'StateRetried')) return;
    // A task that waits for its token: the function ran until the wait began (or, failing, until the next event).
    const next = waitsForToken.has(e.state) ? (events.slice(i + 1).find((n) => n.type === 'TaskWaitingForToken' && n.state === e.state) ?? events[i + 1]) : events[i + 1];
    if (!next) return;
    out.push({ state: e.state, fn: taskFunctions[e.state]!, ms: next.at - e.at, first: e.type === 'StateEntered' });
  });
  return out;
}

export async function provisioning(opts: { log?: (line: string) => void; samples?: number; createSeconds?: number; createSpread?: number } = {}): Promise<ProvisioningResult> {
  const log = opts.log ?? (() => undefined);
  const samples = opts.samples ?? SAMPLES;
  const createSeconds = opts.createSeconds ?? PROVISIONING_CREATE_SECONDS;
  const createSpread = opts.createSpread ?? PROVISIONING_CREATE_SPREAD;
  const definition = loadDefinition();
  const taskFunctions = taskFunctionKeys(definition) as Record<string, string>;
  const waitsForToken = new Set(Object.entries(definition.States).filter(([, s]) => (s as { Resource?: string }).Resource === WAIT_FOR_TASK_TOKEN).map(([name]) => name));
  // indexOrganization's invocations for the creations' CreateAccountResult: the wake is part of the cost.
  const wakes = new Map<string, number[]>();
  const onBusInvocation = (fn: string, event: unknown, ms: number) => {
    const detail = (event as { detail?: { eventName?: string; serviceEventDetails?: { createAccountStatus?: { accountName?: string } } } }).detail;
    const name = detail?.serviceEventDetails?.createAccountStatus?.accountName;
    if (fn !== 'indexOrganization' || detail?.eventName !== 'CreateAccountResult' || !name) return;
    wakes.set(name, [...(wakes.get(name) ?? []), ms]);
  };
  const memory = deployedMemoryMb();
  const events = new Map<string, TimedEvent[]>();
  const onWorkflowEvent = (e: StateEvent) => {
    const list = events.get(e.execution) ?? [];
    list.push({ ...e, at: Date.now() });
    events.set(e.execution, list);
  };
  const env = {
    ...DEPLOYED_POLLING,
    ...AWS_LIKE_ORGANIZATIONS_ENV,
    SWITCHYARD_SIM_CREATE_SECONDS: String(createSeconds),
    SWITCHYARD_SIM_CREATE_SPREAD: String(createSpread),
  };
  return withRuntime(
    env,
    async (rt) => {
      const warm = await post(rt, { name: 'Warm Up', ou: 'Sandbox/Playground' });
      await untilFinal(rt, [warm], 900_000);
      await rt.workflow.idle();
      await settled(rt);
      log(`  provisioning: warm-up done; ${samples} environments, ${AT_ONCE} creating at a time, creations ${createSeconds} s median (sigma ${createSpread})`);

      const dynamo = meterDynamo();
      const ids = await requestAFewAtATime(rt, samples);
      await untilFinal(rt, ids, 1_800_000);
      await rt.workflow.idle();
      // The organization's change events from these creations: keeping the index current is part of the cost.
      await settled(rt);
      stopMetering();
      return summarise(rt, { ids, events, taskFunctions, waitsForToken, wakes, memory, dynamo, createSeconds, createSpread });
    },
    { onWorkflowEvent, onBusInvocation },
  );
}

/** Requests `count` environments, keeping at most AT_ONCE waiting for their account, as a steady trickle would. */
async function requestAFewAtATime(rt: Runtime, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const creating = await unmetered(async () => (await Promise.all(ids.map((id) => rt.deps.environments.get(id)))).filter((e) => e && (e.status === 'REQUESTED' || e.status === 'CREATING')).length);
    if (creating < AT_ONCE) ids.push(await post(rt, { name: `Bench ${String(ids.length + 1).padStart(2, '0')}`, ou: 'Sandbox/Playground' }));
    else await sleep(250);
  }
  return ids;
}

interface Collected {
  ids: string[];
  events: Map<string, TimedEvent[]>;
  taskFunctions: Record<string, string>;
  waitsForToken: ReadonlySet<string>;
  /** indexOrganization's durations for each environment's CreateAccountResult, by account name. */
  wakes: Map<string, number[]>;
  memory: Record<string, number>;
  dynamo: DynamoUsage;
  createSeconds: number;
  createSpread: number;
}

async function creationTimes(rt: Runtime): Promise<Map<string, { requested: number; completed: number }>> {
  const out = new Map<string, { requested: number; completed: number }>();
  let token: string | undefined;
  do {
    // Straight to the simulator, not through the paced transport: the measurement is over.
    const page = rt.sim!.ListCreateAccountStatus({ States: ['SUCCEEDED'], ...(token ? { NextToken: token } : {}) });
    for (const s of page.CreateAccountStatuses ?? []) out.set(s.AccountName!, { requested: new Date(s.RequestedTimestamp!).getTime(), completed: new Date(s.CompletedTimestamp!).getTime() });
    token = page.NextToken;
  } while (token);
  return out;
}

async function summarise(rt: Runtime, c: Collected): Promise<ProvisioningResult> {
  const creations = await creationTimes(rt);
  const perEnv: Array<{
    readyAfter: number;
    creationMs: number;
    afterPlace: number;
    transitions: number;
    polls: number;
    calls: Invocation[];
    sampleTransitions: number;
    sampleCalls: Invocation[];
  }> = [];
  for (const id of c.ids) {
    const env = (await rt.deps.environments.get(id))!;
    if (env.status !== 'READY') throw new Error(`${env.name} ended ${env.status}: ${env.failure?.message}`);
    const events = c.events.get(env.executionName) ?? [];
    const creation = creations.get(env.name);
    if (!creation) throw new Error(`no finished creation for ${env.name}`);
    const readyAt = Date.parse(env.timeline.findLast((t) => t.status === 'READY')!.at);
    const placeAt = events.find((e) => e.type === 'StateEntered' && e.state === 'PlaceAccount')?.at ?? readyAt;
    const states = events.filter((e) => e.type === 'StateEntered' || e.type === 'StateRetried');
    const calls = [...invocations(events, c.taskFunctions, c.waitsForToken), ...(c.wakes.get(env.name) ?? []).map((ms) => ({ state: WAKE, fn: 'indexOrganization', ms, first: true }))];
    // Switchyard's own steps once each, without a retry, for the sample loop: the comparison can only favour the sample.
    const onceEach = new Set<string>();
    const sampleCalls = calls.filter((call) => call.first && !WAITING_STATES.has(call.state) && !onceEach.has(call.state) && onceEach.add(call.state));
    const stepsEntered = new Set(states.filter((e) => e.type === 'StateEntered' && !WAITING_STATES.has(e.state!)).map((e) => e.state!));
    perEnv.push({
      readyAfter: readyAt - creation.completed,
      creationMs: creation.completed - creation.requested,
      afterPlace: readyAt - placeAt,
      transitions: states.length,
      polls: states.filter((e) => e.state === 'CheckAccountStatus').length,
      calls,
      sampleTransitions: stepsEntered.size,
      sampleCalls,
    });
  }

  const n = perEnv.length;
  const gb = (calls: Invocation[]) => calls.reduce((sum, call) => sum + gbSeconds(call.ms, c.memory[call.fn] ?? 1024), 0);
  const switchyard: Usage = {
    stateTransitions: mean(perEnv.map((e) => e.transitions)),
    lambdaRequests: mean(perEnv.map((e) => e.calls.length)),
    lambdaGbSeconds: mean(perEnv.map((e) => gb(e.calls))),
    dynamoReadUnits: c.dynamo.readUnits / n,
    dynamoWriteUnits: c.dynamo.writeUnits / n,
  };

  // The sample loop over the very same creations: its first status check 30 s after CreateAccount,
  // then every 30 s until the creation has ended; its other steps are Switchyard's, once each.
  const rounds = perEnv.map((e) => Math.max(1, Math.ceil(e.creationMs / 1000 / SAMPLE_LOOP.waitSeconds)));
  const sampleGbPerPoll = gbSeconds(SAMPLE_LOOP.invocationMs, SAMPLE_LOOP.memoryMb);
  const sample: Usage = {
    stateTransitions: mean(perEnv.map((e, i) => e.sampleTransitions + SAMPLE_LOOP.transitionsPerRound * rounds[i]!)),
    lambdaRequests: mean(perEnv.map((e, i) => e.sampleCalls.length + rounds[i]!)),
    lambdaGbSeconds: mean(perEnv.map((e, i) => gb(e.sampleCalls) + rounds[i]! * sampleGbPerPoll)),
    // No registry at all: a lower bound on what the sample pays, so the comparison errs in its favour.
    dynamoReadUnits: 0,
    dynamoWriteUnits: 0,
  };
  const sampleReady = perEnv.map((e, i) => rounds[i]! * SAMPLE_LOOP.waitSeconds * 1000 - e.creationMs + SAMPLE_LOOP.invocationMs + e.afterPlace);

  const byFunction: ProvisioningResult['lambdaByFunction'] = {};
  const all = perEnv.flatMap((e) => e.calls);
  for (const fn of new Set(all.map((call) => call.fn))) {
    const mine = all.filter((call) => call.fn === fn);
    byFunction[fn] = { invocations: round(mine.length / n, 2), medianMs: round(percentile(mine.map((call) => call.ms), 50)), memoryMb: c.memory[fn] ?? 1024 };
  }
  const seconds = perEnv.map((e) => e.creationMs / 1000);

  return {
    createSecondsMedian: c.createSeconds,
    createSecondsSpread: c.createSpread,
    readyAfterCreateP50Ms: round(percentile(perEnv.map((e) => e.readyAfter), 50)),
    readyAfterCreateP95Ms: round(percentile(perEnv.map((e) => e.readyAfter), 95)),
    stateTransitions: round(switchyard.stateTransitions, 1),
    lambdaGbSeconds: round(switchyard.lambdaGbSeconds, 3),
    costPerEnvironmentUsd: round(costUsd(switchyard), 7),
    sampleLoopCostPerEnvironmentUsd: round(costUsd(sample), 7),
    samples: n,
    statusPolls: round(mean(perEnv.map((e) => e.polls)), 1),
    lambdaRequests: round(switchyard.lambdaRequests, 1),
    dynamoReadUnits: round(switchyard.dynamoReadUnits, 1),
    dynamoWriteUnits: round(switchyard.dynamoWriteUnits, 1),
    creationSeconds: { min: round(Math.min(...seconds), 1), median: round(percentile(seconds, 50), 1), max: round(Math.max(...seconds), 1) },
    maxConcurrentCreates: rt.sim!.stats().maxConcurrentCreates,
    simLatencyMs: AWS_LIKE_ORGANIZATIONS.latencyMs,
    simRatePerSecond: AWS_LIKE_ORGANIZATIONS.ratePerSecond,
    lambdaByFunction: byFunction,
    sampleLoop: {
      waitSeconds: SAMPLE_LOOP.waitSeconds,
      memoryMb: SAMPLE_LOOP.memoryMb,
      invocationMs: SAMPLE_LOOP.invocationMs,
      statusPolls: round(mean(rounds), 1),
      stateTransitions: round(sample.stateTransitions, 1),
      lambdaRequests: round(sample.lambdaRequests, 1),
      lambdaGbSeconds: round(sample.lambdaGbSeconds, 3),
      readyAfterCreateP50Ms: round(percentile(sampleReady, 50)),
      readyAfterCreateP95Ms: round(percentile(sampleReady, 95)),
    },
  };
}
