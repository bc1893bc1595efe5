// Benchmark `bundles`: per function, the packaged zip's size and its median cold start, against a
// floor. Cold start is module load plus the first invocation: a fresh Node process requires the
// function's handler.js and invokes its handler once with a representative event, and the clock stops
// when that invocation's promise settles. AWS SDK clients are answered by aws-sdk-client-mock, with
// the same answers a stateful model of AWS gave in a discovery run. The floor is a bundle that loads
// the same SDK client packages and sends exactly the commands the function sent (same clients, same
// order, same inputs, same answers) and does nothing else.
// Goals: every zip <= 250 KB; coldStartMs / floorColdStartMs <= 1.3 for every function.
//
//   npx tsx bench/bundles.ts [--runs N]
//
// Method.
// 1. `osls package` once, offline, into a temporary directory (as tests/package/check-template.cjs
//    does): the zips (their sizes), the resolved functions and the CloudFormation template (each
//    function's environment variables, resolved as a deployment would).
// 2. Each handler is bundled again with serverless.yml's custom.esbuild options, and the result must
//    equal the packaged handler.js byte for byte (reported when it does not: a source edited during
//    the run). The timed bundle is that same build plus one statement appended to Smithy's client
//    module, which hands the bundled `Client` class (every SDK client's base class, inlined in each
//    bundle, out of reach from outside it) to the child process; the child mocks it with
//    `mockClient(Client)`, i.e. stubs `Client.prototype.send`. Building with the SDK external would
//    time node_modules' SDK instead of the bundled one; an endpoint stub on loopback would add the
//    SDK's HTTP, signing and parsing of real responses to both sides and not be aws-sdk-client-mock.
// 3. Discovery: every function runs once, in the order a deployment meets them (cold-start-events.ts),
//    against the AWS model in cold-start-world.ts; its SDK commands and their answers are recorded.
// 4. Each function gets its floor bundle, built with the same options: it imports every SDK client
//    package the function's bundle holds, constructs the client instances that sent something
//    (`new XClient({})`; the document client from a DynamoDBClient) and sends the recorded commands,
//    one after another, with the recorded inputs. A request the function made outside the SDK (a fetch
//    to a Slack response_url, a node:https request to UXC, the receivers the model answers) is
//    recorded and replayed alike, and the floor makes it too, through the same API.
// 5. Timed runs: a fresh `node` per sample, for the function and for its floor, interleaved (order
//    flipped every other round), after one untimed pass that also checks that both replay the
//    recording exactly. `node` gets the flags Lambda's bootstrap gives it for the function's memory
//    size; the environment is the template's, resolved. Mocks are installed inside the window on both
//    sides; the event is built (and signed) and aws-sdk-client-mock loaded before it starts, and what
//    that setup allocated is collected first (global.gc()), so collections inside the window are
//    caused by the bundle's own allocations. initMs is the require() alone.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { readZipEntry } from '../tests/package/zip.cjs';
import { REGISTRY_TABLE_DEFINITION } from '../shared/adapters/aws/dynamodb-table';
import { EXIT, exitWith, runCommand, type CommandSpec } from '../local/cli';
import { decodeJson, encodeJson, HOOK_KEY, type ChildResult, type ChildSpec, type RecordedCall } from './cold-start-child';
import { defaultInvocation, discoveryPlan, lambdaEnvironment, ssmParameters, type Invocation } from './cold-start-events';
import { initialWorld, type IndexKeys, type WorldState } from './cold-start-world';

export type BundleResult = {
  function: string;
  zipBytes: number;
  /** Median ms: require() of the handler.js in a fresh Node process (mocks installed), no invocation. */
  initMs: number;
  /** The same for the floor bundle. */
  floorInitMs: number;
  /** Median ms: require() plus the first invocation, until its promise settles. */
  coldStartMs: number;
  /** The same for the floor bundle, which loads the same SDK clients and sends the same commands. */
  floorColdStartMs: number;
  /** coldStartMs / floorColdStartMs: the goal's figure. */
  ratio: number;
  /** Median CPU time (user + system, all threads) of the same windows: steadier than the wall clock while other processes share the machine. */
  coldStartCpuMs: number;
  floorColdStartCpuMs: number;
  /** The AWS SDK client packages (and lib-dynamodb) the bundle holds, sorted. */
  sdkClients: string[];
  /** The commands the first invocation sent, in order (`DynamoDBDocument.Get`, `Organizations.DescribeCreateAccountStatus`); the floor sends the same. */
  sdkCalls: string[];
  /** The first invocation's event, in words. */
  event: string;
  /** What it answered: `HTTP 202`, `ok`, or `error <name>: <message>`. */
  outcome: string;
  /** What makes this row less than a fair comparison (a rebuilt bundle that differs from the package, a replay that differed from the recording, a request outside the SDK); empty when nothing. */
  problems: string[];
};

export type BundleOptions = {
  runs?: number;
  log?: (line: string) => void;
  /** Time only these functions (discovery still runs every step, since later steps read what earlier ones wrote). */
  functions?: string[];
};

const ROOT = path.resolve(__dirname, '..');
const OSLS = path.join(ROOT, 'node_modules', '.bin', 'osls');
export const ZIP_BUDGET_BYTES = 250 * 1024;
export const RATIO_GOAL = 1.3;
const DEFAULT_RUNS = 15;
const MIN_RUNS = 10;

/** The client class each SDK package's floor imports; packages not listed fall back to their one `*Client` export. */
const CLIENT_CLASSES: Record<string, string> = {
  '@aws-sdk/client-organizations': 'OrganizationsClient',
  '@aws-sdk/client-dynamodb': 'DynamoDBClient',
  '@aws-sdk/lib-dynamodb': 'DynamoDBDocumentClient',
  '@aws-sdk/client-sfn': 'SFNClient',
  '@aws-sdk/client-sesv2': 'SESv2Client',
  '@aws-sdk/client-eventbridge': 'EventBridgeClient',
  '@aws-sdk/client-ssm': 'SSMClient',
  '@aws-sdk/client-sns': 'SNSClient',
  '@aws-sdk/client-sts': 'STSClient',
  '@aws-sdk/client-iam': 'IAMClient',
  '@aws-sdk/client-sqs': 'SQSClient',
};

// ---------------------------------------------------------------------------------------------
// Packaging and zips

type PackagedFunction = {
  key: string;
  handlerFile: string;
  handlerExport: string;
  zip: string;
  timeoutSeconds: number;
  memoryMb: number;
  route?: { method: string; path: string };
  rule?: { source: string; detailType: string };
  /** The function's other trigger, when it has no route or rule. */
  trigger?: 'schedule' | 'sqs';
};

function packageService(outDir: string): PackagedFunction[] {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  // A profile or session token from the caller's shell must not mix with the dummy keys.
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE']) delete env[name];
  // serverless-esbuild leaves a directory per function in the temporary directory: kept in the work directory, removed with it.
  env.TMPDIR = path.join(path.dirname(outDir), 'osls-tmp');
  fs.mkdirSync(env.TMPDIR, { recursive: true });
  const result = spawnSync(OSLS, ['package', '--stage', 'dev', '--region', 'us-east-1', '--package', outDir], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  const statePath = path.join(outDir, 'serverless-state.json');
  if (result.status !== 0 || !fs.existsSync(statePath)) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
    throw new Error(`osls package failed (status ${result.status}):\n${output.trim().split('\n').slice(-30).join('\n')}`);
  }
  // The resolved service: every function key in serverless.yml with its handler, timeout and route.
  const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  type Events = Array<{ httpApi?: { method: string; path: string }; eventBridge?: { pattern?: { source?: string[]; 'detail-type'?: string[] } }; schedule?: unknown; sqs?: unknown }>;
  const functions = state.service?.functions as Record<string, { handler: string; timeout?: number; memorySize?: number; events?: Events }> | undefined;
  if (!functions || !Object.keys(functions).length) throw new Error('serverless-state.json lists no functions');
  const defaultTimeout = Number(state.service?.provider?.timeout ?? 6);
  const defaultMemory = Number(state.service?.provider?.memorySize ?? 1024);
  return Object.entries(functions).map(([key, fn]) => {
    const dot = fn.handler.lastIndexOf('.');
    const http = (fn.events ?? []).find((e) => e.httpApi)?.httpApi;
    const pattern = (fn.events ?? []).find((e) => e.eventBridge?.pattern)?.eventBridge?.pattern;
    return {
      key,
      handlerFile: `${fn.handler.slice(0, dot)}.js`,
      handlerExport: fn.handler.slice(dot + 1),
      zip: path.join(outDir, `${key}.zip`),
      timeoutSeconds: Number(fn.timeout ?? defaultTimeout),
      memoryMb: Number(fn.memorySize ?? defaultMemory),
      ...(http ? { route: { method: String(http.method).toUpperCase(), path: http.path } } : {}),
      ...(pattern?.source?.[0] ? { rule: { source: pattern.source[0], detailType: pattern['detail-type']?.[0] ?? '' } } : {}),
      ...((fn.events ?? []).some((e) => e.schedule) ? { trigger: 'schedule' as const } : (fn.events ?? []).some((e) => e.sqs) ? { trigger: 'sqs' as const } : {}),
    };
  });
}

/** serverless-esbuild's own settings under custom.esbuild; everything else there is handed to esbuild as is. */
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** The esbuild options osls used (serverless.yml custom.esbuild, as resolved in serverless-state.json, handed over as serverless-esbuild does). */
function esbuildOptions(outDir: string): esbuild.BuildOptions {
  const state = JSON.parse(fs.readFileSync(path.join(outDir, 'serverless-state.json'), 'utf8'));
  const c: Record<string, unknown> = state.service?.custom?.esbuild ?? {};
  const options = Object.fromEntries(Object.entries(c).filter(([key]) => !PLUGIN_OPTIONS.includes(key))) as esbuild.BuildOptions;
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);
  const exclude = list(c.exclude);
  return {
    bundle: true,
    minify: true,
    target: 'node20',
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    ...options,
    external: [...list(c.external), ...(exclude.includes('*') ? [] : exclude)],
  };
}

// ---------------------------------------------------------------------------------------------
// What a bundle holds

/** The package (or, outside node_modules, the top two path segments) an esbuild input belongs to. */
export function inputOwner(input: string): string {
  const parts = input.split('node_modules/');
  if (parts.length > 1) {
    const rest = parts[parts.length - 1].split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return input.split('/').slice(0, 2).join('/');
}

const isSdkClient = (owner: string) => /^@aws-sdk\/(client-[\w-]+|lib-dynamodb)$/.test(owner);
/** AWS SDK and Smithy packages: what the floor stands for (roughly; it holds only the client classes). */
const isSdk = (owner: string) => owner.startsWith('@aws-sdk/') || owner.startsWith('@smithy/') || owner.startsWith('@aws/');

export type Composition = {
  /** The AWS SDK client packages (and lib-dynamodb) the bundle holds, sorted. */
  sdkClients: string[];
  /** Minified bytes in the output per owner (package or shared/<folder>), largest first. */
  owners: Array<{ owner: string; bytes: number; sdk: boolean }>;
  outputBytes: number;
};

/** Bundles an entry (a file, or source text resolved from the repo root) with metafile on; in memory unless given an outfile. */
async function build(options: esbuild.BuildOptions, entry: { file: string } | { source: string }, outfile?: string, plugins: esbuild.Plugin[] = []) {
  return esbuild.build({
    ...options,
    ...('file' in entry ? { entryPoints: [path.join(ROOT, entry.file)] } : { stdin: { contents: entry.source, resolveDir: ROOT, loader: 'ts', sourcefile: 'floor.ts' } }),
    absWorkingDir: ROOT,
    outfile: outfile ?? path.join(os.tmpdir(), 'switchyard-bench-unused.js'),
    write: outfile !== undefined,
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
}

function compositionOf(result: esbuild.BuildResult<{ metafile: true }>): Composition {
  const meta = result.metafile;
  const clients = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const owner = inputOwner(input);
    if (isSdkClient(owner)) clients.add(owner);
  }
  const output = Object.values(meta.outputs)[0];
  const bytes = new Map<string, number>();
  for (const [input, info] of Object.entries(output.inputs)) {
    const owner = inputOwner(input);
    bytes.set(owner, (bytes.get(owner) ?? 0) + info.bytesInOutput);
  }
  return {
    sdkClients: [...clients].sort(),
    owners: [...bytes].map(([owner, b]) => ({ owner, bytes: b, sdk: isSdk(owner) })).sort((a, b) => b.bytes - a.bytes),
    outputBytes: output.bytes,
  };
}

export async function composition(options: esbuild.BuildOptions, sourceFile: string): Promise<Composition> {
  return compositionOf(await build(options, { file: sourceFile }));
}

/**
 * The one statement the timed bundles carry beyond the packaged ones: at the end of Smithy's client
 * module, hand the bundled `Client` class to whoever asked for it (the cold-start child), and to
 * nobody otherwise. Every SDK client in the bundle, DynamoDBDocumentClient included, extends it.
 */
const SMITHY_CLIENT_MODULE = /[\\/]@smithy[\\/](core[\\/]dist-es[\\/]submodules[\\/]client[\\/]smithy-client|smithy-client[\\/]dist-es)[\\/]client\.js$/;
export const exposeSmithyClient: esbuild.Plugin = {
  name: 'bench-expose-smithy-client',
  setup(b) {
    b.onLoad({ filter: SMITHY_CLIENT_MODULE }, async (args) => ({
      contents: `${await fs.promises.readFile(args.path, 'utf8')}\n;globalThis[Symbol.for(${JSON.stringify(HOOK_KEY)})]?.(Client);\n`,
      loader: 'js',
    }));
  },
};

function clientClass(pkg: string): string {
  if (CLIENT_CLASSES[pkg]) return CLIENT_CLASSES[pkg];
  const names = Object.keys(require(require.resolve(pkg, { paths: [ROOT] }))).filter((k) => /^[A-Za-z0-9]+Client$/.test(k) && k !== '__Client');
  if (names.length !== 1) throw new Error(`${pkg}: cannot tell its client class among ${JSON.stringify(names)}`);
  return names[0];
}

/** The serviceId an SDK client package's clients carry in their config (`Organizations`, `SFN`, …), read from the package. */
function serviceIdOf(pkg: string): string | undefined {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }));
  const file = path.join(dir, 'dist-es', 'runtimeConfig.shared.js');
  if (!fs.existsSync(file)) return undefined;
  return /serviceId:\s*config\?\.serviceId\s*\?\?\s*"([^"]+)"/.exec(fs.readFileSync(file, 'utf8'))?.[1];
}

function exportsCommand(pkg: string, command: string): boolean {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] }));
  return fs.existsSync(path.join(dir, 'dist-es', 'commands', `${command}.js`));
}

/**
 * The floor entry: imports the client class of every SDK package the function's bundle holds (so
 * loading them costs what it costs the function), then, when invoked with the recorded inputs,
 * constructs the client instances that sent something and sends the recorded commands in order, and
 * makes the recorded requests outside the SDK (a fetch to a Slack response_url, a node:https request
 * to UXC) the same way, with their URL, method, headers and body. Nothing else: no configuration, no
 * validation, no signing, no logging, no answer shaping.
 */
export function floorSource(packages: string[], calls: Array<Pick<RecordedCall, 'instance' | 'client' | 'command'>>): string {
  const byService = new Map<string, string>();
  for (const pkg of packages) {
    const id = pkg === '@aws-sdk/lib-dynamodb' ? 'DynamoDBDocument' : serviceIdOf(pkg);
    if (id) byService.set(id, pkg);
  }
  const imports = new Map<string, Map<string, string>>(); // package -> export -> local name
  const use = (pkg: string, name: string) => {
    const names = imports.get(pkg) ?? new Map<string, string>();
    imports.set(pkg, names);
    if (!names.has(name)) names.set(name, `${name}_${imports.size}_${names.size}`);
    return names.get(name)!;
  };
  const loaded = packages.map((pkg) => use(pkg, clientClass(pkg)));
  const makers: string[] = [];
  const commands: string[] = [];
  const plan: Array<[number, number]> = [];
  for (const call of calls) {
    if (call.client === 'fetch' || call.client === 'https' || call.client === 'http') {
      plan.push([-1, -1]);
      continue;
    }
    const pkg = byService.get(call.client);
    if (!pkg) throw new Error(`the floor cannot send ${call.client}.${call.command}: no SDK package in the bundle has serviceId ${call.client}`);
    const commandName = `${call.command}Command`;
    if (!exportsCommand(pkg, commandName)) throw new Error(`${pkg} has no ${commandName}`);
    if (makers[call.instance] === undefined) {
      makers[call.instance] =
        call.client === 'DynamoDBDocument'
          ? `() => ${use(pkg, 'DynamoDBDocumentClient')}.from(new ${use('@aws-sdk/client-dynamodb', 'DynamoDBClient')}({}))`
          : `() => new ${use(pkg, clientClass(pkg))}({})`;
    }
    const local = use(pkg, commandName);
    let index = commands.indexOf(local);
    if (index < 0) index = commands.push(local) - 1;
    plan.push([call.instance, index]);
  }
  const importLines = [...imports].map(([pkg, names]) => `import { ${[...names].map(([name, local]) => `${name} as ${local}`).join(', ')} } from '${pkg}';`);
  // node:http(s) only where a recorded request went through it, as the function imports it.
  const vias = [...new Set(calls.filter((c) => c.client === 'http' || c.client === 'https').map((c) => c.client))];
  importLines.push(...vias.map((via) => `import { request as ${via}Request } from 'node:${via}';`));
  importLines.push(`const nodeRequest = { ${vias.map((via) => `${via}: ${via}Request`).join(', ')} };`);
  return [
    ...importLines,
    `const loaded = [${loaded.join(', ')}];`,
    `if (loaded.some((c) => typeof c !== 'function')) throw new Error('a client class is missing');`,
    `const makers = [${[...makers].map((m) => m ?? 'undefined').join(', ')}];`,
    `const commands = [${commands.join(', ')}];`,
    `const plan = ${JSON.stringify(plan)};`,
    `export const handler = async (inputs) => {`,
    `  const clients = [];`,
    `  for (let i = 0; i < plan.length; i++) {`,
    `    const [instance, command] = plan[i];`,
    `    if (instance < 0) {`,
    `      const { via, url, method, headers, body } = inputs[i];`,
    `      if (via === 'fetch') await (await fetch(url, { method, headers, body: body || undefined })).text();`,
    `      else await new Promise((resolve, reject) => {`,
    `        const request = nodeRequest[via](url, { method, headers }, (response) => { response.on('data', () => {}); response.on('end', resolve); });`,
    `        request.on('error', reject);`,
    `        request.end(body);`,
    `      });`,
    `      continue;`,
    `    }`,
    `    const client = (clients[instance] ??= makers[instance]());`,
    `    try { await client.send(new commands[command](inputs[i])); } catch { /* a recorded error answer */ }`,
    `  }`,
    `  return plan.length;`,
    `};`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Child processes

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

type Sample = { initMs: number; coldStartMs: number; coldStartCpuMs: number };

/**
 * The flags the Lambda Node.js runtime's bootstrap starts `node` with for a function of this memory
 * size: a tenth of it for the young generation (half of that per semi-space), the rest for the old,
 * garbage collection exposed.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const mb = Number.isFinite(memoryMb) && memoryMb > 0 ? memoryMb : 256;
  const newSpace = Math.floor(mb / 10);
  return ['--expose-gc', '--max-http-header-size=81920', `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${mb - newSpace}`];
}

/** Runs the child once with `spec` and returns what it measured. */
function runChild(childFile: string, specFile: string, spec: ChildSpec, env: Record<string, string>): ChildResult {
  if (fs.existsSync(spec.resultFile)) fs.rmSync(spec.resultFile);
  const r = spawnSync(process.execPath, [...lambdaNodeFlags(Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE)), childFile, specFile], { cwd: path.dirname(spec.bundle), env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0 || !fs.existsSync(spec.resultFile)) {
    throw new Error(`cold start of ${spec.functionName}${spec.floor ? ' (floor)' : ''} failed (status ${r.status}): ${`${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim().slice(-2000)}`);
  }
  return decodeJson<ChildResult>(fs.readFileSync(spec.resultFile, 'utf8'));
}

// ---------------------------------------------------------------------------------------------

type Subject = PackagedFunction & {
  zipBytes: number;
  bundle: string;
  clients: string[];
  env: Record<string, string>;
  invocation: Invocation;
  problems: string[];
  recorded?: RecordedCall[];
  outcome?: string;
  floor?: string;
  fnSpec?: { file: string; spec: ChildSpec };
  floorSpec?: { file: string; spec: ChildSpec };
  samples: { fn: Sample[]; floor: Sample[] };
};

export async function measureBundles(opts: BundleOptions = {}): Promise<BundleResult[]> {
  const runs = Math.max(MIN_RUNS, Math.floor(opts.runs ?? DEFAULT_RUNS));
  const log = opts.log ?? (() => {});
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-bundles-'));
  try {
    const pkgDir = path.join(work, 'package');
    let started = Date.now();
    log('bundles: packaging with osls (offline)…');
    const packaged = packageService(pkgDir);
    log(`bundles: packaged ${packaged.length} functions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const options = esbuildOptions(pkgDir);
    const template = JSON.parse(fs.readFileSync(path.join(pkgDir, 'cloudformation-template-update-stack.json'), 'utf8'));

    // The child, as plain JavaScript.
    const childFile = path.join(work, 'child.js');
    await esbuild.build({ entryPoints: [path.join(__dirname, 'cold-start-child.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: childFile, logLevel: 'silent' });

    // Each handler rebuilt (checked against the package) and built again with the hook.
    started = Date.now();
    const built = new Map<string, { bundle: string; clients: string[]; problem?: string }>();
    const subjects: Subject[] = [];
    for (const fn of packaged) {
      let b = built.get(fn.handlerFile);
      if (!b) {
        const source = fn.handlerFile.replace(/\.js$/, '.ts');
        const plain = await build(options, { file: source });
        const packagedJs = readZipEntry(fn.zip, fn.handlerFile);
        const same = Buffer.compare(Buffer.from(plain.outputFiles![0]!.contents), packagedJs) === 0;
        const bundle = path.join(work, 'bundles', fn.handlerFile);
        await build(options, { file: source }, bundle, [exposeSmithyClient]);
        b = {
          bundle,
          clients: compositionOf(plain).sdkClients,
          ...(same ? {} : { problem: `rebuilt ${fn.handlerFile} differs from the packaged one (${plain.outputFiles![0]!.contents.length} vs ${packagedJs.length} bytes): a source changed during the run?` }),
        };
        built.set(fn.handlerFile, b);
      }
      subjects.push({
        ...fn,
        zipBytes: fs.statSync(fn.zip).size,
        bundle: b.bundle,
        clients: b.clients,
        env: lambdaEnvironment(template, fn.key, `${fn.handlerFile.replace(/\.js$/, '')}.${fn.handlerExport}`, fn.timeoutSeconds, fn.memoryMb),
        invocation: defaultInvocation(fn.key, fn.route, fn.rule ?? (fn.trigger === 'schedule' ? { source: 'aws.events', detailType: 'Scheduled Event' } : undefined)),
        problems: b.problem ? [b.problem] : [],
        samples: { fn: [], floor: [] },
      });
    }
    log(`bundles: ${built.size} handler bundles rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Discovery: the plan in order, then any function it does not name, against one AWS model.
    started = Date.now();
    const byKey = new Map(subjects.map((s) => [s.key, s]));
    const plan = discoveryPlan().filter((step) => byKey.has(step.function));
    const planned = new Set(plan.filter((p) => !p.seed).map((p) => p.function));
    for (const s of subjects) if (!planned.has(s.key)) plan.push(s.invocation);
    const worldFile = path.join(work, 'world.json');
    const indexes: Record<string, IndexKeys> = Object.fromEntries(
      REGISTRY_TABLE_DEFINITION.GlobalSecondaryIndexes.map((index) => {
        const keys = index.KeySchema as Array<{ AttributeName: string; KeyType: string }>;
        const range = keys.find((k) => k.KeyType === 'RANGE')?.AttributeName;
        return [index.IndexName, { hash: keys.find((k) => k.KeyType === 'HASH')!.AttributeName, ...(range ? { range } : {}) }];
      }),
    );
    fs.writeFileSync(worldFile, encodeJson(initialWorld({ indexes, parameters: ssmParameters(subjects.map((s) => s.env)) })));
    const specsDir = path.join(work, 'specs');
    fs.mkdirSync(specsDir, { recursive: true });
    for (const planned of plan) {
      const s = byKey.get(planned.function)!;
      // An event an earlier step put on the bus, as the model holds it now.
      const step: Invocation = planned.eventFrom ? { ...planned, event: planned.eventFrom(decodeJson<WorldState>(fs.readFileSync(worldFile, 'utf8'))) } : planned;
      const spec: ChildSpec = {
        root: ROOT,
        bundle: s.bundle,
        exportName: s.handlerExport,
        functionName: s.env.AWS_LAMBDA_FUNCTION_NAME!,
        timeoutSeconds: s.timeoutSeconds,
        mode: 'discover',
        expectSdk: s.clients.length > 0,
        event: step.event,
        ...(step.sign ? { sign: step.sign } : {}),
        worldFile,
        resultFile: path.join(specsDir, `${s.key}-discover.result.json`),
      };
      const specFile = path.join(specsDir, `${s.key}-discover.json`);
      fs.writeFileSync(specFile, encodeJson(spec));
      const result = runChild(childFile, specFile, spec, s.env);
      if (step.seed) continue;
      s.invocation = step;
      s.recorded = result.recorded ?? [];
      s.outcome = result.outcome;
      if (/^error|^HTTP [45]/.test(result.outcome)) s.problems.push(`the first invocation did not succeed: ${result.outcome}`);
      for (const request of result.otherRequests) s.problems.push(`made a request outside the SDK: ${request}`);
    }
    log(`bundles: discovery ran ${plan.length} invocations in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Floors, and the specs of the timed runs.
    started = Date.now();
    const floors = new Map<string, string>();
    for (const s of subjects) {
      const calls = s.recorded ?? [];
      const source = floorSource(s.clients, calls);
      let floor = floors.get(source);
      if (!floor) {
        floor = path.join(work, 'floors', `floor-${floors.size}.js`);
        await build(options, { source }, floor, [exposeSmithyClient]);
        fs.writeFileSync(floor.replace(/\.js$/, '.ts'), source);
        floors.set(source, floor);
      }
      s.floor = floor;
      const base = { root: ROOT, functionName: s.env.AWS_LAMBDA_FUNCTION_NAME!, timeoutSeconds: s.timeoutSeconds, mode: 'replay' as const, calls, expectSdk: s.clients.length > 0 };
      const fnSpec: ChildSpec = { ...base, bundle: s.bundle, exportName: s.handlerExport, event: s.invocation.event, ...(s.invocation.sign ? { sign: s.invocation.sign } : {}), resultFile: path.join(specsDir, `${s.key}.result.json`) };
      const floorSpec: ChildSpec = { ...base, bundle: floor, exportName: 'handler', event: null, floor: true, resultFile: path.join(specsDir, `${s.key}-floor.result.json`) };
      s.fnSpec = { file: path.join(specsDir, `${s.key}.json`), spec: fnSpec };
      s.floorSpec = { file: path.join(specsDir, `${s.key}-floor.json`), spec: floorSpec };
      fs.writeFileSync(s.fnSpec.file, encodeJson(fnSpec));
      fs.writeFileSync(s.floorSpec.file, encodeJson(floorSpec));
      // With the work directory kept, what a child needs to be run again by hand (under a profiler):
      // node <lambda flags> child.js specs/<fn>.json, in the bundle's directory, with this environment.
      if (process.env.BENCH_KEEP_WORK) fs.writeFileSync(path.join(specsDir, `${s.key}.env.json`), JSON.stringify({ flags: lambdaNodeFlags(Number(s.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE)), env: s.env }, null, 2));
    }
    log(`bundles: ${floors.size} floor bundles built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // One untimed pass (file cache, and the check that both sides replay the recording), then the rounds.
    started = Date.now();
    const unknown = (opts.functions ?? []).filter((f) => !byKey.has(f));
    if (unknown.length) throw new Error(`no function ${unknown.join(', ')} in serverless.yml`);
    const timed = opts.functions?.length ? subjects.filter((s) => opts.functions!.includes(s.key)) : subjects;
    const sample = (s: Subject, which: 'fn' | 'floor') => runChild(childFile, s[`${which}Spec`]!.file, s[`${which}Spec`]!.spec, s.env);
    for (const s of timed) {
      for (const which of ['fn', 'floor'] as const) {
        const r = sample(s, which);
        if (r.divergence) s.problems.push(`${which === 'fn' ? 'the function' : 'the floor'} did not replay the recording: ${r.divergence}`);
        if (which === 'fn' && r.outcome !== s.outcome) s.problems.push(`replayed, the invocation answered ${r.outcome} (discovery: ${s.outcome})`);
      }
    }
    for (let i = 0; i < runs; i++) {
      for (const s of timed) {
        const order = i % 2 === 0 ? (['fn', 'floor'] as const) : (['floor', 'fn'] as const);
        for (const which of order) {
          const r = sample(s, which);
          s.samples[which].push({ initMs: r.initMs, coldStartMs: r.coldStartMs, coldStartCpuMs: r.coldStartCpuMs });
        }
      }
      log(`bundles: round ${i + 1}/${runs}`);
    }
    log(`bundles: ${runs} rounds in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    return timed
      .map((s) => {
        const { fn, floor } = s.samples;
        const coldStartMs = median(fn.map((x) => x.coldStartMs));
        const floorColdStartMs = median(floor.map((x) => x.coldStartMs));
        return {
          function: s.key,
          zipBytes: s.zipBytes,
          initMs: round(median(fn.map((x) => x.initMs)), 1),
          floorInitMs: round(median(floor.map((x) => x.initMs)), 1),
          coldStartMs: round(coldStartMs, 1),
          floorColdStartMs: round(floorColdStartMs, 1),
          ratio: round(coldStartMs / floorColdStartMs, 2),
          coldStartCpuMs: round(median(fn.map((x) => x.coldStartCpuMs)), 1),
          floorColdStartCpuMs: round(median(floor.map((x) => x.coldStartCpuMs)), 1),
          sdkClients: s.clients,
          sdkCalls: (s.recorded ?? []).map((c) => `${c.client}.${c.command}`),
          event: s.invocation.what,
          outcome: s.outcome ?? '(not run)',
          problems: [...new Set(s.problems)],
        };
      })
      .sort((a, b) => (a.function < b.function ? -1 : a.function > b.function ? 1 : 0));
  } finally {
    if (!process.env.BENCH_KEEP_WORK) fs.rmSync(work, { recursive: true, force: true });
    else (opts.log ?? (() => {}))(`bundles: work directory kept at ${work}`);
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const short = (pkg: string) => pkg.replace(/^@aws-sdk\/(client-)?/, '');

export function formatTable(results: BundleResult[]): string {
  const rows = [
    ['function', 'zip KB', 'coldMs', 'floorMs', 'ratio', 'cpu x', 'initMs', 'floorInit', 'calls', 'outcome', 'clients'],
    ...results.map((r) => [
      r.function,
      `${kb(r.zipBytes)}${r.zipBytes > ZIP_BUDGET_BYTES ? ' !' : ''}`,
      r.coldStartMs.toFixed(1),
      r.floorColdStartMs.toFixed(1),
      `${r.ratio.toFixed(2)}${r.ratio > RATIO_GOAL ? ' !' : ''}`,
      (r.coldStartCpuMs / r.floorColdStartCpuMs).toFixed(2),
      r.initMs.toFixed(1),
      r.floorInitMs.toFixed(1),
      String(r.sdkCalls.length),
      `${r.outcome.split(':')[0]}${r.problems.length ? ' *' : ''}`,
      r.sdkClients.map(short).join(' '),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const left = new Set([0, 9, 10]);
  return rows.map((row) => row.map((cell, c) => (left.has(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

const SPEC = {
  command: 'bench bundles',
  invocation: 'npx tsx bench/bundles.ts',
  synopsis: '[--runs N] [--functions A,B] [--verbose]',
  description: 'The bundles group of npm run bench alone: zip sizes, and cold starts (load + first invocation) against a floor that loads the same SDK clients and sends the same commands.',
  options: {
    runs: { type: 'integer', value: 'N', min: 1, max: 1000, description: `cold starts per function and per floor (default ${DEFAULT_RUNS}, at least ${MIN_RUNS})` },
    functions: { type: 'string', value: 'A,B', description: 'time only these functions (comma-separated keys, e.g. createAccount,getDrift)' },
    verbose: { type: 'boolean', description: 'also list each function\'s event and the SDK commands its first invocation sent' },
  },
  exitCodes: [
    [0, 'measured (the goals are reported, not enforced)'],
    [1, 'could not measure'],
    [2, 'usage mistake'],
  ],
  failure: 'could not measure',
} as const satisfies CommandSpec;

async function main({ values }: { values: { runs?: number; functions?: string; verbose?: boolean } }): Promise<number> {
  const started = Date.now();
  const functions = values.functions?.split(',').map((f) => f.trim()).filter(Boolean);
  const results = await measureBundles({ runs: values.runs, ...(functions ? { functions } : {}), log: (line) => console.error(line) });
  console.log(formatTable(results));
  const worst = results.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const largest = results.reduce((a, b) => (b.zipBytes > a.zipBytes ? b : a));
  const overRatio = results.filter((r) => r.ratio > RATIO_GOAL).length;
  const overZip = results.filter((r) => r.zipBytes > ZIP_BUDGET_BYTES).length;
  console.log('');
  console.log(`worst cold start / floor: ${worst.function} ${worst.ratio.toFixed(2)} (goal <= ${RATIO_GOAL}; ${overRatio} of ${results.length} over)`);
  console.log(`largest zip: ${largest.function} ${kb(largest.zipBytes)} KB (goal <= ${kb(ZIP_BUDGET_BYTES)} KB; ${overZip} over)`);
  for (const r of results) {
    if (values.verbose) console.log(`\n${r.function}: ${r.event} -> ${r.outcome}\n  ${r.sdkCalls.join(', ') || '(no SDK calls)'}`);
    for (const problem of r.problems) console.log(`* ${r.function}: ${problem}`);
  }
  console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return EXIT.OK;
}

if (require.main === module) exitWith(SPEC, runCommand(SPEC, process.argv.slice(2), main));
