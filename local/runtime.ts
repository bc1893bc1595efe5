import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsOrganization, createOrganizationsClient } from '../shared/adapters/aws/organizations';
import { dynamoStores } from '../shared/adapters/aws/dynamodb-stores';
import { createDynamoDocumentClient, ensureRegistryTable } from '../shared/adapters/aws/dynamodb-table';
import { LocalWorkflow, type StateEvent, type TaskFunction } from '../shared/adapters/local/local-workflow';
import { SimulatedAccess } from '../shared/adapters/local/sim-access';
import { IamAccessGrants, createIamClient } from '../shared/adapters/aws/iam-grants';
import { StsAccountSetup } from '../shared/adapters/aws/account-setup';
import { StsRoleProbe, createStsClient } from '../shared/adapters/aws/role-probe';
import { EnvSecrets } from '../shared/adapters/local/env-secrets';
import { LocalEventBus } from '../shared/adapters/local/local-event-bus';
import { SimulatedOrganization } from '../shared/adapters/local/sim-org';
import { simOrganizationsClient } from '../shared/adapters/local/sim-org-transport';
import { simIamClient, simStsClient } from '../shared/adapters/local/sim-iam-transport';
import { parseFaults, type SimulatedFaults } from '../shared/adapters/local/sim-faults';
import { loadConfig, type Config } from '../shared/lambda/config';
import { runDriftCheck } from '../shared/lambda/drift-triggers';
import { systemClock, type Channel, type Clock, type Stores } from '../shared/ports';
import type { Deps } from '../shared/use-cases/deps';
import type { DriftReport } from '../shared/domain/drift';
import { checkDrift, walkOrganization } from '../shared/use-cases/drift-check';
import { indexSnapshot } from '../shared/use-cases/organization-index';
import type { ApprovalSweep } from '../shared/use-cases/approval';
import { loadDefinition } from '../statemachines/provision-environment.cjs';
import { loadDefinition as loadDecommissionDefinition } from '../statemachines/decommission-environment.cjs';
import { closeExecutionName } from '../shared/use-cases/close-steps';
import { localChannels } from './channels';
import { buildFunctions, type LocalDeps } from './functions';
import { createHttpServer } from './http-server';
import { EVENT_RULES, ROUTES } from './routes';
import { putEventsEndpoint } from './aws-events-endpoint';
import { CloudTrailFeed } from './cloudtrail-feed';
import { checkOrganizationFile, openLocalRegistry } from './state-guard';
import { claimDataDir, folderCursorKey, recordMode } from './data-folder';

export interface RuntimeOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Real AWS clients (standard credential and endpoint variables) instead of the simulation. */
  aws?: boolean;
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** Tests zero the waits and retry intervals. */
  waitOverrideMs?: number;
  retryOverrideMs?: number;
  print?: (line: string) => void;
  /** Restart the executions of environments left in flight (default true; one-shot CLIs say false). */
  resume?: boolean;
  /** Every state machine event, e.g. to count state transitions. */
  onWorkflowEvent?: (event: StateEvent) => void;
  /** Every function the event bus invoked, with its event and how long it ran (the benchmark prices them). */
  onBusInvocation?: (fn: string, event: unknown, ms: number) => void;
}

export interface Runtime {
  url: string;
  port: number;
  dataDir: string;
  deps: Deps;
  sim?: SimulatedOrganization;
  workflow: LocalWorkflow;
  bus: LocalEventBus;
  /** Environments resumed at start (they were in flight when the last process stopped). */
  resumed: string[];
  /** Runs one drift check now, as the schedule would. */
  checkDrift(trigger?: string): Promise<DriftReport>;
  /** Runs the lifecycle check now (approval expiry and follow-up), as the schedule would. */
  checkLifecycle(): Promise<ApprovalSweep & { closingsResumed: string[] }>;
  /**
   * Settles once the organization's CloudTrail records up to now are delivered to the bus (with the
   * simulated organization; rebuilding the index from a walk first when records were lost) and the
   * bus's handlers are done with them. Already settled against AWS, where CloudTrail delivers.
   */
  organizationEventsDelivered(): Promise<void>;
  close(): Promise<void>;
}

/** Where a running runtime says how to reach it, so `npm run drift` can ask it rather than open the folder. */
export const RUNTIME_URL_FILE = 'runtime.url';

/** `300`, `30s`, `5m`, `1h`: seconds; empty, `0` or `off` turn the interval off. */
export function parseInterval(value: string | undefined, name = 'SWITCHYARD_DRIFT_INTERVAL'): number | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (!v || v === '0' || v === 'off') return undefined;
  const m = /^(\d+)\s*(s|m|h)?$/.exec(v);
  if (!m) throw new Error(`${name} must be a number of seconds or like 30s, 5m, 1h (got ${JSON.stringify(value)}).`);
  const seconds = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  if (seconds < 1) return undefined;
  return seconds;
}

// The SDK's notice that releases after January 2027 need Node 22 says nothing actionable to a local user on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const DEFAULT_SIM_OUS = 'Workloads/Production,Workloads/Staging,Sandbox/Playground';

/** Settings the local runtime uses unless the environment says otherwise: quick polls for short simulated creations. */
const LOCAL_DEFAULTS: Record<string, string> = {
  POLL_FIRST_SECONDS: '1',
  POLL_MAX_SECONDS: '5',
  CREATE_SLOT_POLL_SECONDS: '1',
  PUBLIC_BASE_URL: '',
};

/**
 * The simulated management account has an Admins group, as the walk-through's admin would. Against
 * AWS nothing is assumed: the grant goes to the ADMIN_GROUP or ADMIN_USER given, or to nobody (said at start).
 */
const SIMULATION_DEFAULTS: Record<string, string> = { ADMIN_GROUP: 'Admins' };

interface Started<T> {
  value: T;
  close?: () => Promise<void>;
}

/** The registry's stores: the configured DynamoDB table with --aws, else dynalite checked against its journal. */
async function openStores(opts: RuntimeOptions, ctx: { config: Config; env: Record<string, string | undefined>; dataDir: string; clock: Clock; print: (line: string) => void }): Promise<Started<Stores>> {
  const { config, env, dataDir, clock, print } = ctx;
  if (opts.aws) {
    const doc = createDynamoDocumentClient();
    if (env.SWITCHYARD_ENSURE_TABLE === 'true') await ensureRegistryTable(doc as unknown as DynamoDBClient, config.REGISTRY_TABLE);
    return { value: dynamoStores(doc, config.REGISTRY_TABLE, clock) };
  }
  // Checked against its journal first: a damaged registry is rebuilt whole or the start stops, naming the file.
  const local = await openLocalRegistry({ dataDir, tableName: config.REGISTRY_TABLE, print });
  return {
    value: dynamoStores(DynamoDBDocumentClient.from(local.client, { marshallOptions: { removeUndefinedValues: true } }), config.REGISTRY_TABLE, clock),
    close: local.close,
  };
}

/** Organizations through the SDK: against AWS with --aws, else against the simulated organization in the data folder. */
async function openOrganization(
  opts: RuntimeOptions,
  ctx: { config: Config; env: Record<string, string | undefined>; dataDir: string; clock: Clock; faults: SimulatedFaults; stores: Stores },
): Promise<{ organization: AwsOrganization; sim?: SimulatedOrganization }> {
  if (opts.aws) return { organization: new AwsOrganization(createOrganizationsClient()) };
  const { config, env, dataDir, clock } = ctx;
  const fresh = !existsSync(join(dataDir, 'organization.json'));
  // A missing or damaged organization file stops the start (naming it) rather than become a new, empty organization.
  if (fresh) await checkOrganizationFile(dataDir, ctx.stores.environments);
  const sim = new SimulatedOrganization({
    dataDir,
    clock,
    createSeconds: Number(env.SWITCHYARD_SIM_CREATE_SECONDS ?? 5),
    createSpread: Number(env.SWITCHYARD_SIM_CREATE_SPREAD ?? 0),
    // Off unless asked for: the demo and the tests stay fast. The bucket is this process's.
    latencyMs: Number(env.SWITCHYARD_SIM_LATENCY_MS ?? 0),
    requestRate: Number(env.SWITCHYARD_SIM_RATE ?? 0),
    // A quota the organization already has (e.g. raised by `npm run sim -- seed`) stands unless set explicitly.
    accountQuota: env.SWITCHYARD_SIM_ACCOUNT_QUOTA ? Number(env.SWITCHYARD_SIM_ACCOUNT_QUOTA) : fresh ? config.ACCOUNT_QUOTA : undefined,
    roleDelaySeconds: Number(env.SWITCHYARD_SIM_ROLE_DELAY_SECONDS ?? 1),
    // Closing: PENDING_CLOSURE this long (0: SUSPENDED by the next call, as `npm run sim -- close` always
    // showed it), within AWS's rolling quota ('default' is the API reference's rule) and a few at once.
    closeSeconds: Number(env.SWITCHYARD_SIM_CLOSE_SECONDS ?? 0),
    closeQuota: !env.SWITCHYARD_SIM_CLOSE_QUOTA || env.SWITCHYARD_SIM_CLOSE_QUOTA === 'default' ? 'default' : Number(env.SWITCHYARD_SIM_CLOSE_QUOTA),
    maxConcurrentCloses: Number(env.SWITCHYARD_SIM_MAX_CONCURRENT_CLOSES ?? 3),
    faults: ctx.faults,
  });
  // A new simulated organization starts like the walk-through's: the OUs exist, the accounts do not.
  if (fresh) for (const path of (env.SWITCHYARD_SIM_OUS ?? DEFAULT_SIM_OUS).split(',').map((p) => p.trim()).filter(Boolean)) sim.ensureOuPath(path);
  return { organization: new AwsOrganization(simOrganizationsClient(sim)), sim };
}

/** Grants, account setup and role probes: the Lambda adapters, whose IAM and STS calls reach the simulated management account locally. */
function accessAdapters(sim: SimulatedOrganization | undefined): Pick<Deps, 'grants' | 'accountSetup' | 'roleProbe'> {
  if (!sim) {
    return { grants: new IamAccessGrants(createIamClient(), createStsClient()), accountSetup: new StsAccountSetup(createStsClient()), roleProbe: new StsRoleProbe(createStsClient()) };
  }
  const access = new SimulatedAccess(sim);
  return { grants: new IamAccessGrants(simIamClient(sim), simStsClient(sim)), accountSetup: access, roleProbe: access };
}

/**
 * Drift checks the runtime runs itself: on an interval, and the confirming rechecks the drift queue
 * delays on AWS. On stop its timers are cleared and a check under way is waited for, so none is left
 * reading stores the runtime is about to close.
 */
class LocalDriftChecks {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  readonly deps: LocalDeps;

  constructor(
    deps: Deps,
    private readonly print: (line: string) => void,
  ) {
    this.deps = {
      ...deps,
      // The local stand-in for the drift queue's delayed message.
      recheck: async (round: number, delaySeconds: number) => this.later(delaySeconds, 'recheck', round),
      // POST /drift-checks is served on loopback only: `npm run drift` passes the settings it was given.
      settingsPerCheck: true,
    };
  }

  every(seconds: number): void {
    const timer = setInterval(() => void this.run('interval'), seconds * 1000);
    this.timers.add(timer);
    this.print(`[drift] checking every ${seconds} s (SWITCHYARD_DRIFT_INTERVAL)`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private later(seconds: number, trigger: string, round: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.run(trigger, round);
    }, seconds * 1000);
    this.timers.add(timer);
  }

  private run(trigger: string, round = 1): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const check = (async () => {
      try {
        const report = await runDriftCheck(this.deps, { trigger, round });
        this.print(`[drift] ${trigger}: ${report.counts.total} finding(s), ${report.counts.confirmed} confirmed; ${report.apiCalls} Organizations calls`);
      } catch (error) {
        this.print(`[drift] ${trigger} check failed: ${(error as Error).message}`);
      }
    })();
    this.running.add(check);
    void check.finally(() => this.running.delete(check));
    return check;
  }
}

/** The functions, each reporting how long every invocation ran. */
function timedFunctions(functions: Record<string, TaskFunction>, report: (fn: string, event: unknown, ms: number) => void): Record<string, TaskFunction> {
  return Object.fromEntries(
    Object.entries(functions).map(([key, fn]) => [
      key,
      async (event: unknown, context: unknown) => {
        const started = performance.now();
        try {
          return await fn(event, context);
        } finally {
          report(key, event, performance.now() - started);
        }
      },
    ]),
  );
}

function workflowPrinter(opts: RuntimeOptions, print: (line: string) => void): (e: StateEvent) => void {
  return (e) => {
    opts.onWorkflowEvent?.(e);
    if (e.type === 'StateEntered' && e.state) print(`[workflow] ${e.execution} → ${e.state}`);
    else if (e.type === 'StateRetried') print(`[workflow] ${e.execution} retrying ${e.state}`);
    else if (e.type === 'ExecutionFailed') print(`[workflow] ${e.execution} failed: ${e.error ?? ''}`);
  };
}

/**
 * The whole of Switchyard in one process: the API routes over HTTP on loopback, the state machine on
 * aws-local-stepfunctions, the registry in dynalite, the simulated organization and a file outbox.
 * Everything it keeps lives under dataDir, so a restart (even after SIGKILL) resumes where it stood.
 */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const env = { ...LOCAL_DEFAULTS, ...(opts.aws ? {} : SIMULATION_DEFAULTS), ...(opts.env ?? process.env) };
  const print = opts.print ?? (() => undefined);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  env.CURSOR_KEY ||= folderCursorKey(dataDir);
  // Settings are checked before anything starts, so a typo stops the runtime with its name.
  const config = loadConfig(env);
  const faults = parseFaults(env.SWITCHYARD_SIM_FAULTS);
  const interval = parseInterval(env.SWITCHYARD_DRIFT_INTERVAL);
  const lifecycleInterval = parseInterval(env.SWITCHYARD_LIFECYCLE_INTERVAL ?? '60', 'SWITCHYARD_LIFECYCLE_INTERVAL');
  const releaseDataDir = await claimDataDir(dataDir);
  // The CLIs go by it: `npm run drift` checks AWS in an --aws folder, `npm run sim` refuses one.
  recordMode(dataDir, opts.aws ? 'aws' : 'simulated');
  const clock = opts.clock ?? systemClock;
  // Whatever started is stopped again, in reverse, on close or when a later part of the start fails.
  const closers: Array<() => Promise<void>> = [releaseDataDir];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const stores = await openStores(opts, { config, env, dataDir, clock, print });
    if (stores.close) closers.push(stores.close);
    const { organization, sim } = await openOrganization(opts, { config, env, dataDir, clock, faults, stores: stores.value });
    if (sim) closers.push(async () => sim.flushStats());

    const secrets = new EnvSecrets(env);
    let functions: Record<string, TaskFunction> = {};
    const bus = new LocalEventBus(join(dataDir, 'events'), EVENT_RULES, () => (opts.onBusInvocation ? timedFunctions(functions, opts.onBusInvocation) : functions), print);
    const workflow = new LocalWorkflow(loadDefinition(), () => functions, {
      waitOverrideMs: opts.waitOverrideMs,
      retryOverrideMs: opts.retryOverrideMs,
      onEvent: workflowPrinter(opts, print),
    });
    closers.push(() => workflow.stop());
    const decommission = new LocalWorkflow(loadDecommissionDefinition(), () => functions, {
      waitOverrideMs: opts.waitOverrideMs,
      retryOverrideMs: opts.retryOverrideMs,
      onEvent: workflowPrinter(opts, print),
    });
    closers.push(() => decommission.stop());
    closers.push(() => bus.idle());
    const deps: Deps = {
      config,
      clock,
      ...stores.value,
      organization,
      channels: localChannels({ config, env, secrets, dataDir, aws: opts.aws, print }) as Channel[],
      workflow,
      decommission,
      events: bus,
      secrets,
      ...accessAdapters(sim),
    };
    const drift = new LocalDriftChecks(deps, print);
    closers.push(() => drift.stop());
    functions = buildFunctions(() => drift.deps);

    const server = createHttpServer(functions, ROUTES, { '/_aws/events': putEventsEndpoint(bus) });
    await new Promise<void>((ok, fail) => server.listen(opts.port ?? 3000, '127.0.0.1', ok).once('error', fail));
    closers.push(async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    writeFileSync(join(dataDir, RUNTIME_URL_FILE), url);
    closers.push(async () => rmSync(join(dataDir, RUNTIME_URL_FILE), { force: true }));

    const resumed: string[] = [];
    if (opts.resume !== false) {
      for (const active of await stores.value.environments.listActive()) {
        // A request waiting for approval has no execution until someone approves it, and one waiting
        // for the closing quota none until the lifecycle check starts its next attempt; a READY one
        // listed here waits for approval to close, and nothing runs for it either.
        if (active.status === 'PENDING_APPROVAL' || active.status === 'CLOSE_QUEUED' || active.status === 'READY') continue;
        if (active.status === 'CLOSING') await decommission.start(closeExecutionName(active), { id: active.id });
        else await workflow.start(active.executionName, { id: active.id });
        resumed.push(active.id);
      }
    }
    if (resumed.length) print(`[runtime] resumed ${resumed.length} environment(s) that were in flight: ${resumed.join(', ')}`);
    if (interval) drift.every(interval);
    // The lifecycle check the deployment runs every lifecycleSchedule, through the same function.
    const checkLifecycle = async () => (await functions.checkLifecycle!({ source: 'local.schedule', 'detail-type': 'Scheduled Event', detail: {} }, { functionName: 'checkLifecycle', awsRequestId: randomUUID() })) as ApprovalSweep & { closingsResumed: string[] };
    if (lifecycleInterval) {
      const timer = setInterval(() => void checkLifecycle().catch((error: unknown) => print(`[lifecycle] check failed: ${(error as Error).message}`)), lifecycleInterval * 1000);
      timer.unref();
      closers.push(async () => clearInterval(timer));
    }

    // Organizations' CloudTrail events keep the pre-flight's organization index current between walks.
    let feed: CloudTrailFeed | undefined;
    if (sim) {
      const walk = async () => {
        const tree = await walkOrganization(organization, config.DRIFT_WALK_CONCURRENCY);
        await deps.organizationIndex.replace(indexSnapshot(tree), clock.now());
        print(`[index] organization index rebuilt from a walk: ${tree.accounts.size} accounts, ${tree.ous.size} OUs`);
      };
      feed = new CloudTrailFeed(sim, dataDir, (record) => bus.put({ source: 'aws.organizations', ...record }), walk, print);
      closers.push(() => feed!.stop());
      void feed.start();
    } else if (!(await deps.organizationIndex.summary()).refreshedAt) {
      print('[index] the organization index has not been built yet: run `npm run drift` (or wait for a drift check) so the pre-flight knows every account');
    }
    const organizationEventsDelivered = async () => {
      await feed?.poll();
      await bus.idle();
    };

    return { url, port, dataDir, deps, sim, workflow, bus, resumed, checkDrift: (trigger = 'cli') => checkDrift(drift.deps, { trigger }), checkLifecycle, organizationEventsDelivered, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
