import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { dynamoStores } from '../../shared/adapters/aws/dynamodb-stores';
import { ensureRegistryTable } from '../../shared/adapters/aws/dynamodb-table';
import { AwsOrganization } from '../../shared/adapters/aws/organizations';
import { LocalWorkflow, type TaskFunction } from '../../shared/adapters/local/local-workflow';
import { seededRandom, SimulatedOrganization } from '../../shared/adapters/local/sim-org';
import { simOrganizationsClient } from '../../shared/adapters/local/sim-org-transport';
import { parseFaults } from '../../shared/adapters/local/sim-faults';
import { newEnvironment, type Environment } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { loadConfig } from '../../shared/lambda/config';
import type { AccountSetup, Channel, Events, Notification, Notifier, Organization, OutgoingEvent, Workflow } from '../../shared/ports';
import { named } from '../../shared/use-cases/channels';
import { EnvSecrets } from '../../shared/adapters/local/env-secrets';
import { SimulatedAccess } from '../../shared/adapters/local/sim-access';
import { simIamClient, simStsClient } from '../../shared/adapters/local/sim-iam-transport';
import { IamAccessGrants } from '../../shared/adapters/aws/iam-grants';
import type { Deps } from '../../shared/use-cases/deps';
import { requestEnvironment } from '../../shared/use-cases/request-environment';
import { buildFunctions } from '../../local/functions';
import { loadDefinition } from '../../statemachines/provision-environment.cjs';
import { loadDefinition as loadDecommissionDefinition } from '../../statemachines/decommission-environment.cjs';

/** A clock the test moves: the simulated organization and the steps both read it. */
export class ManualClock {
  private t = Date.parse('2026-11-28T09:00:00Z');
  now = () => new Date(this.t);
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}

export class RecordingNotifier implements Notifier {
  sent: Notification[] = [];
  failWith?: Error;
  async send(notification: Notification) {
    if (this.failWith) throw this.failWith;
    this.sent.push(notification);
  }
}

export class RecordingEvents implements Events {
  published: OutgoingEvent[] = [];
  async publish(events: OutgoingEvent[]) {
    this.published.push(...events);
  }
}

export interface HarnessOptions {
  createSeconds?: number;
  /** Tasks that wait for a task token wait for it for real (up to their timeout), instead of timing out at once. */
  tokenWaits?: boolean;
  accountQuota?: number;
  roleDelaySeconds?: number;
  env?: Record<string, string>;
  /** Wraps the organization port, e.g. to inject faults a test needs at an exact point. */
  wrapOrganization?: (org: Organization) => Organization;
  /** Wraps the AccountSetup port (the simulated account's alias and colour), e.g. to have AWS refuse a call. */
  wrapAccountSetup?: (setup: AccountSetup) => AccountSetup;
  /** More channels, delivered after the recording `email` one. */
  channels?: Channel[];
  /** SWITCHYARD_SIM_FAULTS for the simulated organization, with a seeded die so a run repeats. */
  faults?: string;
  seed?: number;
  /** SDK attempts per Organizations call: 1 by default so tests see each error; 5 is what deployments use. */
  orgMaxAttempts?: number;
  /** Sees the Organizations SDK client before the adapter does, e.g. to add a middleware that answers as AWS would. */
  onOrganizationsClient?: (client: OrganizationsClient) => void;
}

/** A small seeded generator: the same faults in the same order on every run (the simulator's own). */
export { seededRandom } from '../../shared/adapters/local/sim-org';

export interface Harness {
  clock: ManualClock;
  sim: SimulatedOrganization;
  deps: Deps;
  notifier: RecordingNotifier;
  events: RecordingEvents;
  functions: Record<string, TaskFunction>;
  workflow: LocalWorkflow;
  /** Names of the states entered, per execution, in order. */
  states: Map<string, string[]>;
  /** Requests through the use case (validation and pre-flight included) and waits for the workflow. */
  provision(body: Record<string, unknown>): Promise<Environment>;
  /** Records an environment and runs the workflow on it directly, skipping pre-flight. */
  run(body: Record<string, unknown>): Promise<Environment>;
  close(): Promise<void>;
}

/**
 * The real ASL on aws-local-stepfunctions, the real handlers, the real AWS adapters over the
 * simulated organization and dynalite. Waits and retry intervals are zero; the clock instead moves
 * forward by each wait the state machine asks for, so timing is simulated, not slept.
 */
export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const sim = new SimulatedOrganization({
    clock,
    createSeconds: opts.createSeconds ?? 60,
    accountQuota: opts.accountQuota ?? 10,
    roleDelaySeconds: opts.roleDelaySeconds ?? 0,
    faults: parseFaults(opts.faults),
    random: seededRandom(opts.seed ?? 1),
  });
  for (const path of ['Workloads/Production', 'Workloads/Staging', 'Sandbox/Playground']) sim.ensureOuPath(path);

  const db = dynalite({ createTableMs: 0 });
  await new Promise<void>((ok) => db.listen(0, '127.0.0.1', ok));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(db.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await ensureRegistryTable(client, 'switchyard-test');
  const stores = dynamoStores(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), 'switchyard-test', clock);

  const organizationsClient = simOrganizationsClient(sim, { maxAttempts: opts.orgMaxAttempts ?? 1 });
  opts.onOrganizationsClient?.(organizationsClient);
  const organization: Organization = new AwsOrganization(organizationsClient);
  const notifier = new RecordingNotifier();
  const events = new RecordingEvents();
  // The clock here is simulated: waits inside a task (for a slot, for a role) would be real time.
  // No CloudTrail events reach the harness (a test delivers one itself): it polls, as a deployment outside us-east-1 does.
  const config = loadConfig({ REGISTRY_TABLE: 'switchyard-test', ADMIN_GROUP: 'Admins', CREATE_SLOT_WAIT_SECONDS: '0', ROLE_WAIT_SECONDS: '0', CREATION_EVENT_WAIT_SECONDS: '0', ...opts.env });
  let timed: Record<string, TaskFunction> = {};
  const states = new Map<string, string[]>();
  const workflow = new LocalWorkflow(loadDefinition(), () => timed, {
    waitOverrideMs: opts.tokenWaits ? undefined : 0,
    retryOverrideMs: 0,
    onEvent: (e) => {
      if (e.type === 'StateEntered' && e.state) states.set(e.execution, [...(states.get(e.execution) ?? []), e.state]);
    },
  });
  const decommission = new LocalWorkflow(loadDecommissionDefinition(), () => timed, {
    waitOverrideMs: 0,
    retryOverrideMs: 0,
    onEvent: (e) => {
      if (e.type === 'StateEntered' && e.state) states.set(e.execution, [...(states.get(e.execution) ?? []), e.state]);
    },
  });
  const deps: Deps = {
    config,
    clock,
    ...stores,
    organization: opts.wrapOrganization ? opts.wrapOrganization(organization) : organization,
    channels: [named('email', notifier), ...(opts.channels ?? [])],
    events,
    secrets: new EnvSecrets({}),
    // The adapter that runs on Lambda, against the simulated management account's IAM.
    grants: new IamAccessGrants(simIamClient(sim), simStsClient(sim)),
    accountSetup: opts.wrapAccountSetup ? opts.wrapAccountSetup(new SimulatedAccess(sim)) : new SimulatedAccess(sim),
    roleProbe: new SimulatedAccess(sim),
    workflow,
    decommission,
  };
  const functions = buildFunctions(() => deps);
  // The Wait state is zeroed; move the clock by what it would have waited.
  timed = { ...functions };
  for (const key of ['createAccount', 'checkAccountStatus']) {
    timed[key] = async (event, context) => {
      const result = (await functions[key]!(event, context)) as { waitSeconds?: number };
      clock.advance(result?.waitSeconds ?? 0);
      return result;
    };
  }

  const finish = async (id: string) => {
    await workflow.idle();
    return (await stores.environments.get(id))!;
  };

  return {
    clock,
    sim,
    deps,
    notifier,
    events,
    functions: timed,
    workflow,
    states,
    async provision(body) {
      const { environment } = await requestEnvironment(deps, { body, source: 'test' });
      return finish(environment.id);
    },
    async run(body) {
      const request = parseEnvironmentRequest(body, { emailTemplate: config.EMAIL_TEMPLATE });
      const { environment } = await stores.environments.create(newEnvironment(request, { now: clock.now(), source: 'test' }));
      await workflow.start(environment.executionName, { id: environment.id });
      return finish(environment.id);
    },
    async close() {
      await workflow.stop();
      client.destroy();
      await new Promise<void>((ok) => db.close(() => ok()));
    },
  };
}

/** Wraps an organization so chosen calls misbehave; everything else passes through. */
export function faulty(org: Organization, faults: Partial<{ [K in keyof Organization]: (real: Organization[K], ...args: Parameters<Organization[K]>) => ReturnType<Organization[K]> }>): Organization {
  return new Proxy(org, {
    get(target, prop: keyof Organization) {
      const real = (target[prop] as (...a: unknown[]) => unknown).bind(target);
      const fault = faults[prop] as ((real: unknown, ...a: unknown[]) => unknown) | undefined;
      return fault ? (...args: unknown[]) => fault(real, ...args) : real;
    },
  });
}

/**
 * A workflow whose first start dies as a Lambda task killed at its timeout does (`Sandbox.Timedout`),
 * before anything starts; later starts, and everything else, are the real workflow's.
 */
export function crashingOnce(real: Workflow): Workflow {
  let crashed = false;
  return {
    start: async (name, input) => {
      if (!crashed) {
        crashed = true;
        throw Object.assign(new Error('Task timed out after 10.00 seconds'), { name: 'Sandbox.Timedout' });
      }
      return real.start(name, input);
    },
    sendTaskSuccess: (token, output) => real.sendTaskSuccess(token, output),
  };
}
