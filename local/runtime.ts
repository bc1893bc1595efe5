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
import { parseFaults } from '../shared/adapters/local/sim-faults';
import { loadConfig } from '../shared/lambda/config';
import { systemClock, type Channel, type Clock, type Stores } from '../shared/ports';
import type { Deps } from '../shared/use-cases/deps';
import type { DriftReport } from '../shared/domain/drift';
import { checkDrift } from '../shared/use-cases/drift-check';
import { loadDefinition } from '../statemachines/provision-environment.cjs';
import { localChannels } from './channels';
import { buildFunctions } from './functions';
import { createHttpServer } from './http-server';
import { EVENT_RULES, ROUTES } from './routes';
import { putEventsEndpoint } from './aws-events-endpoint';
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
  close(): Promise<void>;
}

/** Where a running runtime says how to reach it, so `npm run drift` can ask it rather than open the folder. */
export const RUNTIME_URL_FILE = 'runtime.url';

/** `300`, `30s`, `5m`, `1h`: seconds; empty, `0` or `off` turn the interval off. */
export function parseInterval(value: string | undefined): number | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (!v || v === '0' || v === 'off') return undefined;
  const m = /^(\d+)\s*(s|m|h)?$/.exec(v);
  if (!m) throw new Error(`SWITCHYARD_DRIFT_INTERVAL must be a number of seconds or like 30s, 5m, 1h (got ${JSON.stringify(value)}).`);
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
  const releaseDataDir = await claimDataDir(dataDir);
  // The CLIs go by it: `npm run drift` checks AWS in an --aws folder, `npm run sim` refuses one.
  recordMode(dataDir, opts.aws ? 'aws' : 'simulated');
  const clock = opts.clock ?? systemClock;

  const closers: Array<() => Promise<void>> = [];
  let stores: Stores;
  if (opts.aws) {
    const doc = createDynamoDocumentClient();
    if (env.SWITCHYARD_ENSURE_TABLE === 'true') await ensureRegistryTable(doc as unknown as DynamoDBClient, config.REGISTRY_TABLE);
    stores = dynamoStores(doc, config.REGISTRY_TABLE, clock);
  } else {
    // Checked against its journal first: a damaged registry is rebuilt whole or the start stops, naming the file.
    const local = await openLocalRegistry({ dataDir, tableName: config.REGISTRY_TABLE, print }).catch(async (error: unknown) => {
      await releaseDataDir();
      throw error;
    });
    closers.push(local.close);
    stores = dynamoStores(DynamoDBDocumentClient.from(local.client, { marshallOptions: { removeUndefinedValues: true } }), config.REGISTRY_TABLE, clock);
  }

  let sim: SimulatedOrganization | undefined;
  let organization: AwsOrganization;
  if (opts.aws) {
    organization = new AwsOrganization(createOrganizationsClient());
  } else {
    const fresh = !existsSync(join(dataDir, 'organization.json'));
    try {
      // A missing or damaged organization file stops the start (naming it) rather than become a new, empty organization.
      if (fresh) await checkOrganizationFile(dataDir, stores.environments);
      sim = new SimulatedOrganization({
        dataDir,
        clock,
        createSeconds: Number(env.SWITCHYARD_SIM_CREATE_SECONDS ?? 5),
        // A quota the organization already has (e.g. raised by `npm run sim -- seed`) stands unless set explicitly.
        accountQuota: env.SWITCHYARD_SIM_ACCOUNT_QUOTA ? Number(env.SWITCHYARD_SIM_ACCOUNT_QUOTA) : fresh ? config.ACCOUNT_QUOTA : undefined,
        roleDelaySeconds: Number(env.SWITCHYARD_SIM_ROLE_DELAY_SECONDS ?? 1),
        faults,
      });
    } catch (error) {
      for (const close of closers.reverse()) await close();
      await releaseDataDir();
      throw error;
    }
    // A new simulated organization starts like the walk-through's: the OUs exist, the accounts do not.
    if (fresh) for (const path of (env.SWITCHYARD_SIM_OUS ?? DEFAULT_SIM_OUS).split(',').map((p) => p.trim()).filter(Boolean)) sim.ensureOuPath(path);
    organization = new AwsOrganization(simOrganizationsClient(sim));
  }

  const secrets = new EnvSecrets(env);
  const channels: Channel[] = localChannels({ config, env, secrets, dataDir, aws: opts.aws, print });

  let functions: Record<string, TaskFunction> = {};
  const bus = new LocalEventBus(join(dataDir, 'events'), EVENT_RULES, () => functions, print);
  const workflow = new LocalWorkflow(loadDefinition(), () => functions, {
    waitOverrideMs: opts.waitOverrideMs,
    retryOverrideMs: opts.retryOverrideMs,
    onEvent: (e: StateEvent) => {
      opts.onWorkflowEvent?.(e);
      if (e.type === 'StateEntered' && e.state) print(`[workflow] ${e.execution} → ${e.state}`);
      else if (e.type === 'StateRetried') print(`[workflow] ${e.execution} retrying ${e.state}`);
      else if (e.type === 'ExecutionFailed') print(`[workflow] ${e.execution} failed: ${e.error ?? ''}`);
    },
  });
  const deps: Deps = {
    config,
    clock,
    ...stores,
    organization,
    channels,
    workflow,
    events: bus,
    secrets,
    // The same adapter as on Lambda; locally its IAM and STS calls reach the simulated management account.
    grants: sim ? new IamAccessGrants(simIamClient(sim), simStsClient(sim)) : new IamAccessGrants(createIamClient(), createStsClient()),
    accountSetup: sim ? new SimulatedAccess(sim) : new StsAccountSetup(createStsClient()),
    roleProbe: sim ? new SimulatedAccess(sim) : new StsRoleProbe(createStsClient()),
  };
  // Timers the runtime owns (drift interval, confirming rechecks), cleared on close.
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const driftDeps = {
    ...deps,
    // The local stand-in for the drift queue's delayed message.
    recheck: async (round: number, delaySeconds = config.DRIFT_RECHECK_SECONDS) => {
      if (closed) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void runCheck('recheck', round);
      }, delaySeconds * 1000);
      timers.add(timer);
    },
    // POST /drift-checks is served on loopback only: `npm run drift` passes the settings it was given.
    settingsPerCheck: true,
  };
  const runCheck = async (trigger: string, round = 1): Promise<DriftReport | undefined> => {
    if (closed) return undefined;
    try {
      const report = await checkDrift(driftDeps, { trigger, round, recheck: driftDeps.recheck });
      print(`[drift] ${trigger}: ${report.counts.total} finding(s), ${report.counts.confirmed} confirmed; ${report.apiCalls} Organizations calls`);
      return report;
    } catch (error) {
      print(`[drift] ${trigger} check failed: ${(error as Error).message}`);
      return undefined;
    }
  };
  functions = buildFunctions(() => driftDeps);

  const server = createHttpServer(functions, ROUTES, { '/_aws/events': putEventsEndpoint(bus) });
  await new Promise<void>((ok, fail) => server.listen(opts.port ?? 3000, '127.0.0.1', ok).once('error', fail));
  const port = (server.address() as AddressInfo).port;

  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dataDir, RUNTIME_URL_FILE), url);
  const resumed: string[] = [];
  if (opts.resume !== false) {
    for (const active of await stores.environments.listActive()) {
      await workflow.start(active.executionName, { id: active.id });
      resumed.push(active.id);
    }
  }
  if (resumed.length) print(`[runtime] resumed ${resumed.length} environment(s) that were in flight: ${resumed.join(', ')}`);
  const interval = parseInterval(env.SWITCHYARD_DRIFT_INTERVAL);
  if (interval) {
    const timer = setInterval(() => void runCheck('interval'), interval * 1000);
    timers.add(timer);
    print(`[drift] checking every ${interval} s (SWITCHYARD_DRIFT_INTERVAL)`);
  }

  return {
    url,
    port,
    dataDir,
    deps,
    sim,
    workflow,
    bus,
    resumed,
    checkDrift: (trigger = 'cli') => checkDrift(driftDeps, { trigger }),
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      rmSync(join(dataDir, RUNTIME_URL_FILE), { force: true });
      await new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      await bus.idle();
      await workflow.stop();
      sim?.flushStats();
      for (const close of closers.reverse()) await close();
      await releaseDataDir();
    },
  };
}
