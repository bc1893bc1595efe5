/**
 * Every command as a user runs it (`node --import tsx <file>`, what the npm scripts run): `--help`
 * prints the usage with the options and exit codes (exit 0), a usage mistake names the problem and
 * the usage on stderr (exit 2), and a cheap run works.
 */
import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, tempDataDir as newDataDir } from './helpers';

const dataDirs: string[] = [];
function tempDataDir(prefix: string): string {
  const dir = newDataDir(prefix);
  dataDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(file: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: projectRoot,
      env: { ...process.env, SWITCHYARD_DATA_DIR: tempDataDir('switchyard-cli-'), ...env },
      timeout: 60_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

/** [script, file, usage line, one option its usage lists, the exit codes it lists] */
const COMMANDS = [
  ['start', 'local/main.ts', 'Usage: npm start -- [--aws] [--port N]', '--port N', ['0', '1', '2']],
  ['demo', 'local/demo.ts', 'Usage: npm run demo', '-h, --help', ['0', '1', '2']],
  ['sim', 'local/sim-cli.ts', 'Usage: npm run sim -- <command> [arguments]', '-h, --help', ['0', '1', '2']],
  ['drift', 'local/drift-cli.ts', 'Usage: npm run drift -- [--aws] [--json]', '--json', ['0', '3', '1', '2']],
  ['chaos', 'local/chaos.ts', 'Usage: npm run chaos -- [--json] [--faults SPEC] [--requests N] [--repeat K]', '--requests N', ['0', '1', '2']],
  ['bench', 'bench/run.ts', 'Usage: npm run bench -- [--json] [--only GROUP,…] [--no-write]', '--only GROUP,…', ['0', '1', '2']],
] as const;

describe.each(COMMANDS)('%s', (script, file, usage, option, codes) => {
  it.each(['--help', '-h'])('prints the usage, its options and exit codes for %s, and exits 0', async (flag) => {
    const { code, out, err } = await run(file, [flag]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out.split('\n')[0]).toBe(usage);
    expect(out).toContain(`\n  ${option}`);
    expect(out).toContain('\n  -h, --help  ');
    const exitCodes = out.slice(out.indexOf('\nExit codes:\n') + '\nExit codes:\n'.length).trimEnd().split('\n');
    expect(exitCodes.map((line) => line.trim().split(/\s+/)[0])).toEqual([...codes]);
  });

  it('refuses an unknown option with exit 2, naming it, and the usage on stderr', async () => {
    const { code, out, err } = await run(file, script === 'sim' ? ['accounts', '--yaml'] : ['--yaml']);
    expect(code).toBe(2);
    expect(out).toBe('');
    const [problem, usageLine] = err.split('\n');
    expect(problem).toBe(script === 'sim' ? 'switchyard sim accounts: Unknown option --yaml.' : `switchyard ${script}: Unknown option --yaml.`);
    expect(usageLine).toBe(script === 'sim' ? 'Usage: npm run sim -- accounts [--json]' : usage);
  });
});

describe('numeric options', () => {
  it.each([
    ['local/main.ts', ['--port', 'x'], 'switchyard start: --port must be a whole number from 0 to 65535.'],
    ['local/main.ts', ['--port', '65536'], 'switchyard start: --port must be a whole number from 0 to 65535.'],
    ['local/main.ts', ['--port=3.5'], 'switchyard start: --port must be a whole number from 0 to 65535.'],
    ['local/main.ts', ['--port'], 'switchyard start: --port needs a value.'],
    ['local/chaos.ts', ['--requests', '0'], 'switchyard chaos: --requests must be a whole number from 1 to 200.'],
    ['local/chaos.ts', ['--repeat', '1e2'], 'switchyard chaos: --repeat must be a whole number from 1 to 200.'],
    ['local/sim-cli.ts', ['seed', '--accounts', 'ten', '--ous', '1'], 'switchyard sim seed: --accounts must be a whole number, 0 or more.'],
    ['local/sim-cli.ts', ['seed', '--ous', '1'], 'switchyard sim seed: --accounts is required.'],
  ])('%s %j exits 2: %s', async (file, args, message) => {
    const { code, out, err } = await run(file, [...args]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toBe(message);
  });

  it('reads PORT like --port', async () => {
    const { code, err } = await run('local/main.ts', [], { PORT: 'eighty' });
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe('switchyard start: PORT must be a whole number from 0 to 65535.');
  });
});

describe('other usage mistakes', () => {
  it.each([
    ['local/demo.ts', ['now'], 'switchyard demo: Unexpected argument: now.'],
    ['local/drift-cli.ts', ['--json=yes'], 'switchyard drift: --json takes no value.'],
    ['local/chaos.ts', ['--faults', 'throttle=2'], 'switchyard chaos: --faults: throttle takes a share from 0 to 1 (got "2").'],
    ['bench/run.ts', ['--only', 'bundles,speed'], 'switchyard bench: Unknown group speed; groups are bundles, requestPath, drift, provisioning, slackAckMs, throughput.'],
    ['local/sim-cli.ts', ['move', '123456789012'], 'switchyard sim move: Missing OU_PATH.'],
    ['local/sim-cli.ts', ['frobnicate'], 'switchyard sim: Unknown command: frobnicate.'],
  ])('%s %j exits 2: %s', async (file, args, message) => {
    const { code, out, err } = await run(file, [...args]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toBe(message);
  });
});

describe('a command that cannot run', () => {
  it('exits 1 with the problem in one line and no usage', async () => {
    const { code, out, err } = await run('local/sim-cli.ts', ['accounts']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/^switchyard sim accounts: There is no simulated organization in \S+ yet/);
    expect(err).not.toContain('Usage:');
    expect(err.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('npm run demo', () => {
  it('provisions its three environments and exits 0', async () => {
    const dataDir = tempDataDir('switchyard-cli-demo-');
    const { code, out } = await run('local/demo.ts', [], { SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_SIM_CREATE_SECONDS: '1' });
    expect(code).toBe(0);
    expect(out).toContain('3 of 3 environments READY');
    for (const name of ['Production (red)', 'Staging (yellow)', 'Playground (green)']) expect(out).toContain(`\n${name}\n`);
    // One ready email per environment in the demo's outbox.
    expect(readdirSync(join(dataDir, 'demo', 'outbox')).filter((f) => f.endsWith('.ready.email.json'))).toHaveLength(3);
  });
});
