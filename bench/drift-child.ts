import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { EXIT, exitWith, runCommand, UsageError, wholeNumber, type CommandSpec } from '../local/cli';
import { startRuntime } from '../local/runtime';
import { REGISTRY_DIR } from '../local/state-guard';
import { AwsOrganization } from '../shared/adapters/aws/organizations';
import { dynamoStores } from '../shared/adapters/aws/dynamodb-stores';
import { SimulatedAccess } from '../shared/adapters/local/sim-access';
import { simOrganizationsClient } from '../shared/adapters/local/sim-org-transport';
import { loadConfig } from '../shared/lambda/config';
import { runDriftCheck, type CheckDriftDeps } from '../shared/lambda/drift-triggers';
import { SimulatedOrganization } from '../shared/adapters/local/sim-org';
import { OrgStore } from '../shared/adapters/local/sim-org/store';
import type { OrgState } from '../shared/adapters/local/sim-org/state';
import { managedAccountTags } from '../shared/domain/drift';
import { newEnvironment, type Environment } from '../shared/domain/environment';
import { parseEnvironmentRequest } from '../shared/domain/request';
import { systemClock } from '../shared/ports';

const SPEC = {
  command: 'bench drift-child',
  invocation: 'node --import tsx bench/drift-child.ts',
  synopsis: 'populate DIR ACCOUNTS OUS | check DIR | serve DIR',
  description: [
    'populate: seeds a simulated organization of ACCOUNTS accounts in OUS OUs in the data folder DIR and',
    'registers a READY environment for every one of them, tagged as Switchyard tags them. check: runs one',
    'drift check on DIR as the CheckDrift Lambda does, with AWS-like Organizations timing when the',
    'environment asks for it (SWITCHYARD_SIM_LATENCY_MS, SWITCHYARD_SIM_RATE), the registry served by a',
    '`serve` child. Each prints one JSON line.',
  ].join('\n'),
  options: {},
  positionals: { names: ['MODE', 'DIR', 'ACCOUNTS', 'OUS'], min: 2, max: 4 },
  exitCodes: [
    [0, 'done'],
    [1, 'could not do it'],
    [2, 'usage mistake'],
  ],
  failure: 'could not measure',
} as const satisfies CommandSpec;

/** The walk-through's OUs, which a local organization starts with. */
const WALKTHROUGH_OUS = ['Workloads/Production', 'Workloads/Staging', 'Sandbox/Playground'];
/** What AWS's API reference allows as MaxResults for ListOrganizationalUnitsForParent and ListAccountsForParent (aws-facts.md). */
const ORGANIZATIONS_MAX_RESULTS = 20;
const WRITES_AT_ONCE = 16;

/**
 * The fewest Organizations calls any complete drift check of this organization can make, worked out
 * here from the organization's own records rather than by Switchyard's code: ListRoots once; for the
 * root and every OU, the pages of its child OUs and the pages of its accounts, at least one each
 * (an empty parent still takes a call to learn it is empty); one ListTagsForResource per managed
 * account (the only call that returns an account's tags).
 */
function floor(s: OrgState, managed: number): { calls: number; pages: number } {
  const childOus = new Map<string, number>();
  const accounts = new Map<string, number>();
  for (const ou of s.ous) childOus.set(ou.parentId, (childOus.get(ou.parentId) ?? 0) + 1);
  for (const a of s.accounts) accounts.set(a.parentId, (accounts.get(a.parentId) ?? 0) + 1);
  const pages = (n: number) => Math.max(1, Math.ceil(n / ORGANIZATIONS_MAX_RESULTS));
  let walk = 1;
  for (const parent of [s.rootId, ...s.ous.map((o) => o.id)]) walk += pages(childOus.get(parent) ?? 0) + pages(accounts.get(parent) ?? 0);
  return { calls: walk + managed, pages: walk };
}

const mb = (kb: number) => Math.round(kb / 1024);

async function populate(dir: string, accounts: number, ous: number): Promise<Record<string, unknown>> {
  const started = performance.now();
  const sim = new SimulatedOrganization({ dataDir: dir });
  for (const path of WALKTHROUGH_OUS) sim.ensureOuPath(path);
  sim.seed({ accounts, ous });

  // One READY environment per member account, as Switchyard would have recorded it.
  const now = new Date();
  const ouIds = new Map<string, string>();
  const environments: Environment[] = [];
  for (const account of sim.accountsView()) {
    if (account.ou === '') continue; // the management account, in the root: never an environment
    let ouId = ouIds.get(account.ou);
    if (!ouId) ouIds.set(account.ou, (ouId = sim.findOuByPath(account.ou)!));
    const request = parseEnvironmentRequest({ name: account.name, email: account.email, ou: account.ou }, { emailTemplate: 'admin+{slug}@example.com' });
    const base = newEnvironment(request, { now, source: 'api' });
    const at = now.toISOString();
    environments.push({
      ...base,
      status: 'READY',
      accountId: account.id,
      ouId,
      ouPath: account.ou,
      createStartedAt: at,
      timeline: [...base.timeline, { at, status: 'CREATING' }, { at, status: 'PLACING' }, { at, status: 'NOTIFYING' }, { at, status: 'READY' }],
    });
  }

  // Their tags, as Switchyard puts them on an account, in one write of the organization file
  // (tagging 10,000 accounts one call at a time would rewrite it 10,000 times).
  const store = OrgStore.open(dir, {}, systemClock);
  const byAccount = new Map(environments.map((e) => [e.accountId!, e]));
  const state = store.transaction((s) => {
    for (const a of s.accounts) {
      const env = byAccount.get(a.id);
      if (env) a.tags = { ...a.tags, ...managedAccountTags(env) };
    }
    store.markChanged();
    return s;
  });
  const { calls: floorCalls, pages } = floor(state, environments.length);

  const runtime = await startRuntime({ dataDir: dir, port: 0, resume: false, env: { PATH: process.env.PATH, ACCOUNT_QUOTA: String(accounts + 100) } });
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITES_AT_ONCE }, async () => {
        while (next < environments.length) {
          const env = environments[next++]!;
          const { created } = await runtime.deps.environments.create(env);
          if (!created) throw new Error(`environment ${env.id} was already there`);
        }
      }),
    );
  } finally {
    await runtime.close();
  }
  return {
    accounts,
    ous: state.ous.length,
    managedAccounts: environments.length,
    floorCalls,
    floorPages: pages,
    populateSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/**
 * The registry's DynamoDB stand-in, in a process of its own, so the checking process holds what a
 * CheckDrift Lambda holds and nothing of the database. Prints its port, then serves until stdin closes.
 */
async function serve(dir: string): Promise<void> {
  const server = dynalite({ path: join(dir, REGISTRY_DIR), createTableMs: 0 });
  await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', ok).once('error', fail));
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  await new Promise<void>((done) => process.stdin.on('end', done).on('close', done).resume());
  await new Promise<void>((ok) => server.close(() => ok()));
}

async function registryServer(dir: string): Promise<{ port: number; stop: () => void }> {
  const server = spawn(process.execPath, ['--import', 'tsx', __filename, 'serve', dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((ok, fail) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) ok((JSON.parse(out.split('\n')[0]!) as { port: number }).port);
    });
    server.once('exit', (code) => fail(new Error(`the registry server stopped (${code}) before it listened`)));
  });
  return { port, stop: () => server.stdin.end() };
}

/**
 * One drift check as the CheckDrift Lambda runs it (`runDriftCheck` with the handler's ports), in a
 * process that holds only that: the registry is served by another process, Organizations is the
 * simulated organization behind the real SDK client (its state is the one thing here a Lambda would
 * not hold), with AWS-like latency and rate when the environment asks for them.
 */
async function check(dir: string): Promise<Record<string, unknown>> {
  const registry = await registryServer(dir);
  try {
    const config = loadConfig({ ACCOUNT_QUOTA: process.env.ACCOUNT_QUOTA });
    const client = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${registry.port}`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const stores = dynamoStores(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), config.REGISTRY_TABLE, systemClock);
    const sim = new SimulatedOrganization({
      dataDir: dir,
      latencyMs: Number(process.env.SWITCHYARD_SIM_LATENCY_MS ?? 0),
      requestRate: Number(process.env.SWITCHYARD_SIM_RATE ?? 0),
    });
    const access = new SimulatedAccess(sim);
    const deps: CheckDriftDeps = {
      config,
      clock: systemClock,
      environments: stores.environments,
      driftReports: stores.driftReports,
      deliveries: stores.deliveries,
      organizationIndex: stores.organizationIndex,
      organization: new AwsOrganization(simOrganizationsClient(sim)),
      // Nothing to announce when the registry and the organization agree; were there, it is not this figure.
      events: { publish: async () => undefined },
      channels: [],
      roleProbe: access,
    };
    const calls = () => Object.values(sim.stats().callsByOperation).reduce((a, b) => a + b, 0);
    const rssAfterOpenMb = mb(process.resourceUsage().maxRSS);
    const before = calls();
    const started = performance.now();
    const report = await runDriftCheck(deps, { trigger: 'schedule' });
    const seconds = (performance.now() - started) / 1000;
    const peakRssMb = mb(process.resourceUsage().maxRSS);
    client.destroy();
    return {
      // Counted by the simulated organization, every request it received (pages, tag reads, retries, throttled calls).
      apiCalls: calls() - before,
      reportedApiCalls: report.apiCalls,
      findings: report.counts.total,
      findingsByKind: report.counts.byKind,
      environmentsChecked: report.environmentsChecked,
      seconds: Math.round(seconds * 100) / 100,
      peakRssMb,
      rssAfterOpenMb,
      throttled: sim.pacing.counts().throttled,
    };
  } finally {
    registry.stop();
  }
}

/**
 * Two steps in two processes, so that the check's peak memory is its own: `populate` builds the
 * organization and the registry; `check` runs one drift check and nothing else.
 */
async function main({ positionals }: { positionals: string[] }): Promise<number> {
  const [mode, dir] = positionals as [string, string];
  let result: Record<string, unknown>;
  if (mode === 'populate') {
    if (positionals.length !== 4) throw new UsageError('populate needs DIR ACCOUNTS OUS.');
    result = await populate(dir, wholeNumber('ACCOUNTS', positionals[2]!, 1), wholeNumber('OUS', positionals[3]!));
  } else if (mode === 'serve') {
    await serve(dir);
    return EXIT.OK;
  } else if (mode === 'check') {
    if (positionals.length !== 2) throw new UsageError('check needs DIR only.');
    result = await check(dir);
  } else {
    throw new UsageError(`MODE is populate or check, not ${mode}.`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return EXIT.OK;
}

exitWith(SPEC, runCommand(SPEC, process.argv.slice(2), main));
