// Benchmark `bundles`: per function, the packaged zip's size and the median cold-load time of its
// bundle in a fresh Node process (require + handler construction, no invocation), against a floor:
// a bundle that imports only the same AWS SDK clients and does nothing else.
// Goals: every zip <= 250 KB; initMs / floorInitMs <= 1.3.
//
//   npx tsx bench/bundles.ts [--runs N]
//
// Method: `osls package` once, offline, into a temporary directory (as tests/package/check-template.cjs
// does); each zip's handler.js is extracted (small zip reader, no unzip binary) and required by a fresh
// `node` per run with a minimal Lambda-like environment. The AWS SDK packages a handler uses come
// from an esbuild metafile built with serverless.yml's custom.esbuild options; its floor entry imports
// each package's client class, is bundled with the same options and timed the same way, each floor
// run paired with (interleaved with) a run of the function. Floor bundles are cached by client set.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readZipEntry } from '../tests/package/zip.cjs';
import * as esbuild from 'esbuild';
import { EXIT, exitWith, runCommand, type CommandSpec } from '../local/cli';

export type BundleResult = {
  function: string;
  zipBytes: number;
  initMs: number;
  floorInitMs: number;
  ratio: number;
  sdkClients: string[];
};

export type BundleOptions = { runs?: number; log?: (line: string) => void };

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

type PackagedFunction = { key: string; handlerFile: string; handlerExport: string; zip: string };

function packageService(outDir: string): PackagedFunction[] {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  // A profile or session token from the caller's shell must not mix with the dummy keys.
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE']) delete env[name];
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
  // The resolved service: every function key in serverless.yml with its handler.
  const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  const functions = state.service?.functions as Record<string, { handler: string }> | undefined;
  if (!functions || !Object.keys(functions).length) throw new Error('serverless-state.json lists no functions');
  return Object.entries(functions).map(([key, fn]) => {
    const dot = fn.handler.lastIndexOf('.');
    return { key, handlerFile: `${fn.handler.slice(0, dot)}.js`, handlerExport: fn.handler.slice(dot + 1), zip: path.join(outDir, `${key}.zip`) };
  });
}

/** The esbuild options osls used (serverless.yml custom.esbuild, as resolved in serverless-state.json). */
function esbuildOptions(outDir: string): esbuild.BuildOptions {
  const state = JSON.parse(fs.readFileSync(path.join(outDir, 'serverless-state.json'), 'utf8'));
  const c = state.service?.custom?.esbuild ?? {};
  return {
    bundle: c.bundle ?? true,
    minify: c.minify ?? true,
    sourcemap: c.sourcemap ?? false,
    target: c.target ?? 'node20',
    platform: c.platform ?? 'node',
    format: c.format ?? 'cjs',
    mainFields: c.mainFields ?? ['module', 'main'],
    external: c.exclude ?? [],
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

/** Bundles an entry (a file, or source text resolved from the repo root) with metafile on, in memory. */
async function build(options: esbuild.BuildOptions, entry: { file: string } | { source: string }, outfile?: string) {
  return esbuild.build({
    ...options,
    ...('file' in entry ? { entryPoints: [path.join(ROOT, entry.file)] } : { stdin: { contents: entry.source, resolveDir: ROOT, loader: 'ts', sourcefile: 'floor.ts' } }),
    absWorkingDir: ROOT,
    outfile: outfile ?? path.join(os.tmpdir(), 'switchyard-bench-unused.js'),
    write: outfile !== undefined,
    metafile: true,
    logLevel: 'silent',
  });
}

export async function composition(options: esbuild.BuildOptions, sourceFile: string): Promise<Composition> {
  const result = await build(options, { file: sourceFile });
  const meta = result.metafile!;
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

function clientClass(pkg: string): string {
  if (CLIENT_CLASSES[pkg]) return CLIENT_CLASSES[pkg];
  const names = Object.keys(require(require.resolve(pkg, { paths: [ROOT] }))).filter((k) => /^[A-Za-z0-9]+Client$/.test(k) && k !== '__Client');
  if (names.length !== 1) throw new Error(`${pkg}: cannot tell its client class among ${JSON.stringify(names)}`);
  return names[0];
}

/** The floor entry: imports each package's client class, keeps them (so they are not tree-shaken), does nothing else. */
export function floorSource(packages: string[]): string {
  const imports = packages.map((pkg, i) => `import { ${clientClass(pkg)} as C${i} } from '${pkg}';`);
  const list = packages.map((_, i) => `C${i}`).join(', ');
  return [
    ...imports,
    `const clients: unknown[] = [${list}];`,
    `if (clients.some((c) => typeof c !== 'function')) throw new Error('a client class is missing');`,
    `export const handler = async () => clients.length;`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Timing

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Milliseconds a fresh node takes to require the file and find its handler, measured inside the child. */
function coldLoad(file: string, exportName: string, functionName: string): number {
  const code = [
    'const t0 = process.hrtime.bigint();',
    `const m = require(${JSON.stringify(file)});`,
    `if (typeof m[${JSON.stringify(exportName)}] !== 'function') process.exit(2);`,
    'console.log(Number(process.hrtime.bigint() - t0) / 1e6);',
  ].join('\n');
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    NODE_ENV: 'production',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  const r = spawnSync(process.execPath, ['-e', code], { env, encoding: 'utf8', timeout: 60_000 });
  const ms = Number((r.stdout ?? '').trim().split('\n').pop());
  if (r.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`cold load of ${file} failed (status ${r.status}${r.status === 2 ? `: no ${exportName} function` : ''}): ${(r.stderr ?? '').trim().slice(-2000)}`);
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------

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

    // Extract each handler and find its SDK clients; build one floor per distinct client set.
    started = Date.now();
    const floors = new Map<string, string>();
    const subjects: Array<PackagedFunction & { zipBytes: number; file: string; clients: string[]; floor: string }> = [];
    for (const fn of packaged) {
      const file = path.join(work, 'extracted', fn.key, fn.handlerFile);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, readZipEntry(fn.zip, fn.handlerFile));
      const { sdkClients } = await composition(options, fn.handlerFile.replace(/\.js$/, '.ts'));
      const setKey = sdkClients.join('+') || 'none';
      let floor = floors.get(setKey);
      if (!floor) {
        floor = path.join(work, 'floors', `floor-${floors.size}.js`);
        await build(options, { source: floorSource(sdkClients) }, floor);
        floors.set(setKey, floor);
      }
      subjects.push({ ...fn, zipBytes: fs.statSync(fn.zip).size, file, clients: sdkClients, floor });
    }
    log(`bundles: ${floors.size} floor bundle(s) for ${subjects.length} functions, built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // One discarded pass warms the file cache; then rounds, each timing every function next to its
    // floor (order flipped every other round), one process at a time.
    started = Date.now();
    for (const s of subjects) {
      coldLoad(s.file, s.handlerExport, s.key);
      coldLoad(s.floor, 'handler', s.key);
    }
    const samples = new Map(subjects.map((s) => [s.key, { fn: [] as number[], floor: [] as number[] }]));
    for (let round = 0; round < runs; round++) {
      for (const s of subjects) {
        const bucket = samples.get(s.key)!;
        if (round % 2 === 0) {
          bucket.fn.push(coldLoad(s.file, s.handlerExport, s.key));
          bucket.floor.push(coldLoad(s.floor, 'handler', s.key));
        } else {
          bucket.floor.push(coldLoad(s.floor, 'handler', s.key));
          bucket.fn.push(coldLoad(s.file, s.handlerExport, s.key));
        }
      }
      log(`bundles: round ${round + 1}/${runs}`);
    }
    log(`bundles: ${runs} rounds in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    return subjects
      .map((s) => {
        const { fn, floor } = samples.get(s.key)!;
        const initMs = median(fn);
        const floorInitMs = median(floor);
        return {
          function: s.key,
          zipBytes: s.zipBytes,
          initMs: round(initMs, 1),
          floorInitMs: round(floorInitMs, 1),
          ratio: round(initMs / floorInitMs, 2),
          sdkClients: s.clients,
        };
      })
      .sort((a, b) => (a.function < b.function ? -1 : a.function > b.function ? 1 : 0));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const short = (pkg: string) => pkg.replace(/^@aws-sdk\/(client-)?/, '');

export function formatTable(results: BundleResult[]): string {
  const rows = [
    ['function', 'zip KB', 'initMs', 'floorMs', 'ratio', 'clients'],
    ...results.map((r) => [
      r.function,
      `${kb(r.zipBytes)}${r.zipBytes > ZIP_BUDGET_BYTES ? ' !' : ''}`,
      r.initMs.toFixed(1),
      r.floorInitMs.toFixed(1),
      `${r.ratio.toFixed(2)}${r.ratio > RATIO_GOAL ? ' !' : ''}`,
      r.sdkClients.map(short).join(' '),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 || c === row.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

const SPEC = {
  command: 'bench bundles',
  invocation: 'npx tsx bench/bundles.ts',
  synopsis: '[--runs N]',
  description: 'The bundles group of npm run bench alone: zip sizes and cold loads against the SDK-clients-only floor.',
  options: {
    runs: { type: 'integer', value: 'N', min: 1, max: 1000, description: `cold loads per function (default ${DEFAULT_RUNS}, at least ${MIN_RUNS})` },
  },
  exitCodes: [
    [0, 'measured (the goals are reported, not enforced)'],
    [1, 'could not measure'],
    [2, 'usage mistake'],
  ],
  failure: 'could not measure',
} as const satisfies CommandSpec;

async function main({ values }: { values: { runs?: number } }): Promise<number> {
  const runs = values.runs;
  const started = Date.now();
  const results = await measureBundles({ runs, log: (line) => console.error(line) });
  console.log(formatTable(results));
  const worst = results.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const largest = results.reduce((a, b) => (b.zipBytes > a.zipBytes ? b : a));
  const overRatio = results.filter((r) => r.ratio > RATIO_GOAL).length;
  const overZip = results.filter((r) => r.zipBytes > ZIP_BUDGET_BYTES).length;
  console.log('');
  console.log(`worst ratio: ${worst.function} ${worst.ratio.toFixed(2)} (goal <= ${RATIO_GOAL}; ${overRatio} of ${results.length} over)`);
  console.log(`largest zip: ${largest.function} ${kb(largest.zipBytes)} KB (goal <= ${kb(ZIP_BUDGET_BYTES)} KB; ${overZip} over)`);
  console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return EXIT.OK;
}

if (require.main === module) exitWith(SPEC, runCommand(SPEC, process.argv.slice(2), main));
