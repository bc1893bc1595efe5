/**
 * The `switchyard` command as a user runs it (`node bin/switchyard.cjs`, what `npx switchyard` runs),
 * against the local runtime: requesting and following an environment, listing, opening, keeping
 * ~/.aws/config in step, and what it says when the API refuses or cannot be reached. Expected values
 * come from the API itself, fetched here over HTTP.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, closedPort, projectRoot, runtimeForFile, waitForFinal, waitForStatus } from './helpers';

const BIN = join(projectRoot, 'bin', 'switchyard.cjs');

const local = runtimeForFile(
  {
    // Closing settles within a second (see closing.test.ts); no lifecycle timer in the way.
    SWITCHYARD_SIM_CLOSE_SECONDS: '1',
    SWITCHYARD_LIFECYCLE_INTERVAL: 'off',
    ACCOUNT_QUOTA: '50',
    APPROVAL_OUS: 'Workloads/Production',
    APPROVERS: 'local:bob',
    APPROVAL_TIMEOUT: 'PT1H',
    SWITCHYARD_SIM_FAULTS: 'fail:EMAIL_ALREADY_EXISTS=Doomed',
  },
  { prefix: 'switchyard-cli-e2e-' },
);
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'switchyard-cli-home-'));
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

/** The environment a run gets: nothing of the machine's AWS settings, the runtime as SWITCHYARD_ENDPOINT unless replaced. */
function runEnv(env: Record<string, string | undefined>): Record<string, string> {
  const all: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', SWITCHYARD_ENDPOINT: local.url, ...env };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function switchyard(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: home, env: runEnv(env), timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

async function environmentNamed(name: string): Promise<any> {
  const { body } = await call(local.url, 'GET', '/environments?limit=100');
  const found = body.items.find((e: { name: string }) => e.name === name);
  if (!found) throw new Error(`no environment ${name}`);
  return found;
}

/** An environment made READY over HTTP (faster than through the command, where the command is not what is tested). */
async function readyOverHttp(name: string, ou = 'Sandbox/Playground'): Promise<any> {
  const asked = await call(local.url, 'POST', '/environments', { name, ou });
  expect([200, 202]).toContain(asked.status);
  const env = await waitForFinal(local.url, asked.body.id);
  expect(env.status).toBe('READY');
  return env;
}

describe('usage', () => {
  it("is package.json's bin: an executable file with a node shebang, so npx switchyard runs it", async () => {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
    const bin = join(projectRoot, pkg.bin.switchyard);
    expect(bin).toBe(BIN);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    // Run as the shell runs a bin, by its path alone.
    const run = await new Promise<Run>((resolve) =>
      execFile(bin, ['--help'], { cwd: home, env: runEnv({}) }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr })),
    );
    expect(run.code).toBe(0);
    expect(run.out.split('\n')[0]).toBe('Usage: switchyard <command> [arguments]');
  });

  it('prints the commands, the endpoint and signing rule and the exit codes for --help, and exits 0', async () => {
    const { code, out, err } = await switchyard(['--help']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out.split('\n')[0]).toBe('Usage: switchyard <command> [arguments]');
    for (const command of ['request NAME --ou PATH', 'status [ID|NAME]', 'list', 'open ID|NAME', 'sync-config', 'hub']) expect(out).toContain(`\n  ${command}`);
    expect(out).toContain('execute-api');
    expect(out).toContain('SWITCHYARD_SIGN=1');
    const exitCodes = out.slice(out.indexOf('\nExit codes:\n') + '\nExit codes:\n'.length).trimEnd().split('\n');
    expect(exitCodes.map((line) => line.trim().split(/\s+/)[0])).toEqual(['0', '1', '2', '3', '4']);
  });

  it.each([
    ['request', 'Usage: switchyard request NAME --ou PATH [--color C] [--ttl DURATION] [--email ADDRESS] [--wait] [--json]', '--ou PATH'],
    ['sync-config', 'Usage: switchyard sync-config [--config-file FILE] [--source-profile P] [--dry-run] [--json]', '--dry-run'],
    ['open', 'Usage: switchyard open ID|NAME [--browser] [--json]', '--browser'],
  ])('describes %s with --help', async (command, usage, option) => {
    const { code, out } = await switchyard([command, '--help']);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe(usage);
    expect(out).toContain(`\n  ${option}`);
    expect(out).toContain('\n  --endpoint URL');
    expect(out).toContain('\nExit codes:\n');
  });

  it.each([
    [[], {}, 'switchyard: No command given.'],
    [['frobnicate'], {}, 'switchyard: Unknown command: frobnicate.'],
    [['request', '--ou', 'Sandbox/Playground'], {}, 'switchyard request: Missing NAME.'],
    [['request', 'Usage Probe'], {}, 'switchyard request: --ou is required.'],
    [['request', 'Usage Probe', '--ou', 'Sandbox/Playground', '--wait=yes'], {}, 'switchyard request: --wait takes no value.'],
    [['list', '--yaml'], {}, 'switchyard list: Unknown option --yaml.'],
    [['open'], {}, 'switchyard open: Missing NAME.'],
    [['list', 'extra'], {}, 'switchyard list: Unexpected argument: extra.'],
    [['list', '--sign'], {}, 'the region to sign for is unknown: give --region or set AWS_REGION.'],
    [['list'], { SWITCHYARD_SIGN: 'maybe' }, 'switchyard list: SWITCHYARD_SIGN must be 1 or 0 (got "maybe").'],
    [['list', '--endpoint', 'ftp://example.com'], {}, 'switchyard list: --endpoint must be an http:// or https:// URL (got ftp:).'],
    [['sync-config', '--source-profile', 'two words'], {}, 'switchyard sync-config: --source-profile must be 1 to 64 letters, digits or . _ + @ - (got "two words").'],
  ] as Array<[string[], Record<string, string>, string]>)('%j exits 2 with the problem and the usage, having sent nothing', async (args, env, message) => {
    const { code, out, err } = await switchyard(args, env);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toContain(message);
    expect(err).toMatch(/\nUsage: switchyard /);
    expect((await call(local.url, 'GET', '/environments?limit=100')).body.items.map((e: { name: string }) => e.name)).not.toContain('Usage Probe');
  });
});

describe('request, list, status and open against the local runtime', () => {
  it('request --wait follows the environment to READY and prints the console link the API gives; the runtime is found through its data folder', async () => {
    const run = await switchyard(['request', 'Cli Staging', '--ou', 'Workloads/Staging', '--color', 'green', '--wait'], { SWITCHYARD_ENDPOINT: undefined, SWITCHYARD_DATA_DIR: local.runtime.dataDir });
    expect(run.code).toBe(0);
    const env = await environmentNamed('Cli Staging');
    const api = (await call(local.url, 'GET', `/environments/${env.id}`)).body;
    expect(api.status).toBe('READY');
    const lines = run.out.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe(api.switchRole.consoleUrl);
    expect(lines[0]).toBe(`Cli Staging is READY: account ${api.accountId} in Workloads/Staging.`);
    // Progress went to stderr as the timeline grew, READY last.
    for (const status of ['REQUESTED', 'CREATING', 'PLACING', 'READY']) expect(run.err).toMatch(new RegExp(`\\s${status}\\s`));
    expect(run.err.trimEnd().split('\n').pop()).toMatch(/\sREADY\s/);
    expect(run.out).not.toContain('CREATING');
  });

  it('request again is the same environment; --json gives the API reply', async () => {
    const env = await environmentNamed('Cli Staging');
    const again = await switchyard(['request', 'Cli Staging', '--ou', 'Workloads/Staging', '--color', 'green']);
    expect(again.code).toBe(0);
    expect(again.out.split('\n')[0]).toBe(`Already requested: Cli Staging (${env.id}) is READY.`);
    const json = await switchyard(['request', 'Cli Staging', '--ou', 'Workloads/Staging', '--color', 'green', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ id: env.id, status: 'READY', environment: { id: env.id, accountId: env.accountId } });
  });

  it('request --wait with a ttl shows the expiry in list; list --json is the API list', async () => {
    const run = await switchyard(['request', 'Cli Leased', '--ou', 'Sandbox/Playground', '--ttl', 'P2D', '--wait', '--json']);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.out);
    const api = (await call(local.url, 'GET', `/environments/${printed.id}`)).body;
    expect(printed).toEqual(api);
    expect(api.lease.expiresAt).toEqual(expect.any(String));

    const list = await switchyard(['list']);
    expect(list.code).toBe(0);
    const [header, ...rows] = list.out.trimEnd().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'STATUS', 'OU', 'ACCOUNT', 'EXPIRES', 'ID']);
    const expiry = api.lease.expiresAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    expect(rows.find((r) => r.startsWith('Cli Leased  '))!.split(/\s{2,}/)).toEqual(['Cli Leased', 'READY', 'Sandbox/Playground', api.accountId, expiry, api.id]);
    const staging = await environmentNamed('Cli Staging');
    expect(rows.find((r) => r.startsWith('Cli Staging  '))!.split(/\s{2,}/)).toEqual(['Cli Staging', 'READY', 'Workloads/Staging', staging.accountId, '-', staging.id]);

    const json = await switchyard(['list', '--json']);
    expect(JSON.parse(json.out)).toEqual((await call(local.url, 'GET', '/environments?limit=100')).body.items);
    const ready = await switchyard(['list', '--status', 'READY', '--json']);
    expect(JSON.parse(ready.out).every((e: { status: string }) => e.status === 'READY')).toBe(true);
  });

  it('status without an id sums up every environment; with a name or id it shows one in full', async () => {
    const items = (await call(local.url, 'GET', '/environments?limit=100')).body.items as Array<{ status: string }>;
    const byStatus: Record<string, number> = {};
    for (const e of items) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    const summary = await switchyard(['status', '--json']);
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.out)).toMatchObject({ total: items.length, byStatus });
    const human = await switchyard(['status']);
    expect(human.out.split('\n')[0]).toBe(`${items.length} environment(s): ${byStatus.READY} READY.`);

    const env = await environmentNamed('Cli Staging');
    const api = (await call(local.url, 'GET', `/environments/${env.id}`)).body;
    const one = await switchyard(['status', 'cli staging']);
    expect(one.code).toBe(0);
    const lines = one.out.split('\n');
    expect(lines[0]).toBe(`Cli Staging (${env.id})`);
    expect(lines).toContain('  status:   READY');
    expect(lines).toContain(`  account:  ${api.accountId}`);
    expect(lines).toContain(`  console:  ${api.switchRole.consoleUrl}`);
    // Every timeline entry, with its note.
    const timeline = lines.slice(lines.indexOf('Timeline:') + 1).filter(Boolean);
    expect(timeline).toHaveLength(api.timeline.length);
    api.timeline.forEach((t: { status: string; note?: string }, i: number) => {
      expect(timeline[i]).toContain(` ${t.status} `);
      if (t.note) expect(timeline[i]!.endsWith(`  ${t.note}`)).toBe(true);
    });
    expect(JSON.parse((await switchyard(['status', env.id, '--json'])).out)).toEqual(api);
  });

  it('open prints the console link of a READY environment by name or id', async () => {
    const env = await environmentNamed('Cli Staging');
    const link = (await call(local.url, 'GET', `/environments/${env.id}/switch-role?format=url`)).body;
    expect(await switchyard(['open', 'Cli Staging'])).toEqual({ code: 0, out: `${link}\n`, err: '' });
    expect((await switchyard(['open', env.id])).out).toBe(`${link}\n`);
    expect(JSON.parse((await switchyard(['open', 'Cli Staging', '--json'])).out)).toEqual({ id: env.id, name: 'Cli Staging', accountId: env.accountId, consoleUrl: link });
    const missing = await switchyard(['open', 'No Such Env']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('switchyard open: There is no environment named "No Such Env" (switchyard list shows them).\n');
  });

  (process.platform === 'linux' ? it : it.skip)('open --browser hands the link to xdg-open when there is one, and only warns when there is none', async () => {
    const env = await environmentNamed('Cli Staging');
    const link = (await call(local.url, 'GET', `/environments/${env.id}/switch-role?format=url`)).body;
    const bin = join(home, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    const opened = join(home, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
    const run = await switchyard(['open', 'Cli Staging', '--browser'], { PATH: `${bin}:${process.env.PATH}` });
    expect(run).toEqual({ code: 0, out: `${link}\n`, err: '' });
    expect(readFileSync(opened, 'utf8')).toBe(link);

    // No opener on PATH (node is started by its full path): the link is still printed, with a warning.
    const empty = join(home, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    const none = await switchyard(['open', 'Cli Staging', '--browser'], { PATH: empty });
    expect(none.code).toBe(0);
    expect(none.out).toBe(`${link}\n`);
    expect(none.err).toBe('switchyard: could not open it (xdg-open is not installed); open it yourself.\n');
  });

  it("shows the API's code, message and fields when it refuses, with exit 1; --json prints the error body", async () => {
    const badOu = { name: 'Cli Nowhere', ou: 'Nope/Where' };
    const expected = (await call(local.url, 'POST', '/environments', badOu)).body.error;
    const run = await switchyard(['request', badOu.name, '--ou', badOu.ou]);
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toBe(`switchyard request: the API refused (422 ${expected.code}): ${expected.message}\n  ou: ${expected.fields[0].message}\n`);

    const longName = 'x'.repeat(51);
    const invalid = (await call(local.url, 'POST', '/environments', { name: longName, ou: 'Sandbox/Playground' })).body.error;
    expect(invalid.code).toBe('INVALID_INPUT');
    const refused = await switchyard(['request', longName, '--ou', 'Sandbox/Playground']);
    expect(refused.code).toBe(1);
    expect(refused.err.split('\n')[0]).toBe(`switchyard request: the API refused (400 INVALID_INPUT): ${invalid.message}`);
    expect(refused.err).toContain(`\n  name: ${invalid.fields.find((f: { field: string }) => f.field === 'name').message}\n`);
    const json = await switchyard(['request', longName, '--ou', 'Sandbox/Playground', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({ status: 400, error: invalid });
  });

  it('request --wait ends with exit 3, the failure and its fix when the account cannot be created', async () => {
    const run = await switchyard(['request', 'Doomed', '--ou', 'Sandbox/Playground', '--wait']);
    expect(run.code).toBe(3);
    const env = await environmentNamed('Doomed');
    const api = (await call(local.url, 'GET', `/environments/${env.id}`)).body;
    expect(api.status).toBe('FAILED');
    expect(api.failure.code).toBe('EMAIL_ALREADY_EXISTS');
    expect(run.out).toBe('');
    expect(run.err).toContain(`switchyard request: Doomed (${env.id}) FAILED${api.failure.state ? ` at ${api.failure.state}` : ''}: ${api.failure.code}: ${api.failure.message}\n  fix: ${api.failure.fix}\n`);
    const open = await switchyard(['open', 'Doomed']);
    expect(open.code).toBe(1);
    expect(open.err).toBe(`switchyard open: Doomed (${env.id}) is FAILED; its console link exists once it is READY.\n`);
  });

  it('request --wait in a protected OU says it waits for an approval, and ends with exit 3 when an approver rejects it', async () => {
    const child = spawn(process.execPath, [BIN, 'request', 'Cli Vault', '--ou', 'Workloads/Production', '--wait'], { cwd: home, env: runEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const waiting = new Promise<void>((resolve) =>
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (err.includes('Waiting for an approval')) resolve();
      }),
    );
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
    await Promise.race([waiting, exited]);
    expect(err).toContain('Waiting for an approval: Workloads/Production is protected; local:bob may approve or reject until');
    const env = await environmentNamed('Cli Vault');
    expect(env.status).toBe('PENDING_APPROVAL');
    const rejected = await call(local.url, 'POST', `/environments/${env.id}/reject`, { comment: 'not this quarter' }, { 'x-switchyard-principal': 'bob' });
    expect(rejected.status).toBe(200);
    expect(await exited).toBe(3);
    expect(out).toBe('');
    expect(err).toContain(`switchyard request: Cli Vault (${env.id}) was REJECTED: rejected by local:bob ("not this quarter").\n`);
  });

  it('exits 4 when the endpoint cannot be reached, saying where it looked', async () => {
    const port = await closedPort();
    const run = await switchyard(['list'], { SWITCHYARD_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(run.code).toBe(4);
    expect(run.out).toBe('');
    expect(run.err).toBe(
      `switchyard list: could not reach http://127.0.0.1:${port} (ECONNREFUSED). Is the local runtime running (npm start)? For a deployed API give --endpoint URL or set SWITCHYARD_ENDPOINT. (Endpoint from SWITCHYARD_ENDPOINT.)\n`,
    );
    const json = await switchyard(['status', '--json'], { SWITCHYARD_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(json.code).toBe(4);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: 'UNREACHABLE', endpoint: `http://127.0.0.1:${port}` } });
  });
});

describe('sync-config', () => {
  const MARKER_BEGIN = /^# >>> switchyard/;
  const MARKER_END = /^# <<< switchyard/;

  /** The profile sections of the API's own aws-config file, as lines without comments and blanks. */
  async function apiProfiles(sourceProfile?: string): Promise<string[]> {
    const text = (await call(local.url, 'GET', `/switch-roles?format=aws-config${sourceProfile ? `&source_profile=${sourceProfile}` : ''}`)).body as string;
    return text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  }

  /** Lines grouped into sections, each starting with its header. */
  function sections(lines: string[]): string[][] {
    const out: string[][] = [];
    for (const line of lines) {
      if (line.startsWith('[')) out.push([line]);
      else out[out.length - 1]!.push(line);
    }
    return out;
  }

  /** The file in three parts: before the block, the block's lines, after it. */
  function parts(text: string): { before: string; block: string[]; after: string } {
    const lines = text.split(/(?<=\n)/);
    const b = lines.findIndex((l) => MARKER_BEGIN.test(l));
    const e = lines.findIndex((l) => MARKER_END.test(l));
    expect(b).toBeGreaterThanOrEqual(0);
    expect(e).toBeGreaterThan(b);
    return { before: lines.slice(0, b).join(''), block: lines.slice(b + 1, e).map((l) => l.replace(/\r?\n$/, '')), after: lines.slice(e + 1).join('') };
  }

  it('creates ~/.aws (0700) and its config (0600) when missing, holding the profile of every READY environment', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'switchyard-fresh-home-'));
    try {
      const run = await switchyard(['sync-config'], { HOME: fresh });
      expect(run.code).toBe(0);
      const file = join(fresh, '.aws', 'config');
      expect(statSync(join(fresh, '.aws')).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const { before, block, after } = parts(readFileSync(file, 'utf8'));
      expect({ before, after }).toEqual({ before: '', after: '' });
      expect(block.filter(Boolean)).toEqual(await apiProfiles());
      // Nothing to back up for a file that did not exist.
      expect(existsSync(`${file}.switchyard.bak`)).toBe(false);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("keeps the user's lines, is byte-identical the second time, shows a dry run as a diff, and drops a closed environment", async () => {
    const file = join(home, 'synced', 'config');
    mkdirSync(join(home, 'synced'));
    const BEFORE = '# my own settings\n[default]\nregion = eu-west-1\n\n[profile mine]\nsso_session = corp   \nregion = us-east-1';
    writeFileSync(file, BEFORE);
    chmodSync(file, 0o640);
    // AWS_CONFIG_FILE is where the command looks, as the AWS CLI does.
    const env = { AWS_CONFIG_FILE: file };

    const first = await switchyard(['sync-config'], env);
    expect(first.code).toBe(0);
    const afterFirst = readFileSync(file, 'utf8');
    expect(afterFirst.startsWith(`${BEFORE}\n`)).toBe(true);
    expect(parts(afterFirst).block.filter(Boolean)).toEqual(await apiProfiles());
    expect(readFileSync(`${file}.switchyard.bak`, 'utf8')).toBe(BEFORE);
    expect(statSync(file).mode & 0o777).toBe(0o640);

    // The user adds lines after the block; the next sync leaves every byte as it is.
    const AFTER = '\n[profile later]\nregion = ap-southeast-2\n';
    appendFileSync(file, AFTER);
    const settled = readFileSync(file);
    const second = await switchyard(['sync-config'], env);
    expect(second.code).toBe(0);
    expect(second.out).toBe(`${file} is already in step: ${parts(settled.toString('utf8')).block.filter((l) => l.startsWith('[profile ')).length} profile(s).\n`);
    expect(readFileSync(file).equals(settled)).toBe(true);
    expect(readFileSync(`${file}.switchyard.bak`, 'utf8')).toBe(BEFORE);

    // A new READY environment: the dry run shows it and writes nothing.
    const fresh = await readyOverHttp('Cli Ephemeral');
    const dry = await switchyard(['sync-config', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.out.split('\n').slice(0, 2)).toEqual([`--- ${file}`, `+++ ${file}`]);
    expect(dry.out).toContain('\n+[profile cli-ephemeral]\n');
    expect(dry.out).toContain(`\n+role_arn = arn:aws:iam::${fresh.accountId}:role/OrganizationAccountAccessRole\n`);
    expect(dry.err).toContain('nothing was written');
    expect(readFileSync(file).equals(settled)).toBe(true);
    const dryJson = JSON.parse((await switchyard(['sync-config', '--dry-run', '--json'], env)).out);
    expect(dryJson).toMatchObject({ file, changed: true, dryRun: true, added: ['cli-ephemeral'], removed: [], skipped: [] });
    expect(dryJson.diff).toBe(dry.out);
    expect(readFileSync(file).equals(settled)).toBe(true);

    const third = await switchyard(['sync-config', '--json'], env);
    expect(third.code).toBe(0);
    expect(JSON.parse(third.out)).toMatchObject({ file, changed: true, dryRun: false, added: ['cli-ephemeral'], backup: `${file}.switchyard.bak` });
    const withFresh = readFileSync(file, 'utf8');
    expect(parts(withFresh)).toEqual({ before: `${BEFORE}\n`, block: expect.any(Array), after: AFTER });
    expect(parts(withFresh).block.filter(Boolean)).toEqual(await apiProfiles());
    expect(readFileSync(`${file}.switchyard.bak`).equals(settled)).toBe(true);

    // Closed through the API: gone from the block at the next sync, and nothing else moves.
    expect((await call(local.url, 'DELETE', `/environments/${fresh.id}`)).status).toBe(202);
    await waitForStatus(local.url, fresh.id, 'CLOSED');
    const fourth = await switchyard(['sync-config', '--json'], env);
    expect(JSON.parse(fourth.out)).toMatchObject({ changed: true, added: [], removed: ['cli-ephemeral'] });
    const afterClose = readFileSync(file, 'utf8');
    expect(afterClose).not.toContain('cli-ephemeral');
    expect(afterClose).not.toContain(fresh.accountId);
    expect(parts(afterClose)).toEqual({ before: `${BEFORE}\n`, block: expect.any(Array), after: AFTER });
    expect(parts(afterClose).block.filter(Boolean)).toEqual(await apiProfiles());
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('skips a profile the user defines outside the block, with a warning naming it, and takes --source-profile', async () => {
    const file = join(home, 'own-profile-config');
    const own = '[profile cli-staging]\nrole_arn = arn:aws:iam::000000000000:role/MyOwnRole\n';
    writeFileSync(file, own);
    const run = await switchyard(['sync-config', '--config-file', file, '--source-profile', 'mgmt-admin'], {});
    expect(run.code).toBe(0);
    const staging = await environmentNamed('Cli Staging');
    expect(run.err).toBe(
      `switchyard sync-config: skipped the profile cli-staging (account ${staging.accountId}): it is already defined outside the switchyard block, on line 1 of ${file}; your definition is kept.\n`,
    );
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(own)).toBe(true);
    expect(text.split('[profile cli-staging]')).toHaveLength(2);
    expect(sections(parts(text).block.filter(Boolean))).toEqual(sections(await apiProfiles('mgmt-admin')).filter((s) => s[0] !== '[profile cli-staging]'));
    expect(parts(text).block.filter((l) => l.startsWith('source_profile = ')).every((l) => l === 'source_profile = mgmt-admin')).toBe(true);

    const json = JSON.parse((await switchyard(['sync-config', '--config-file', file, '--source-profile', 'mgmt-admin', '--json'])).out);
    expect(json).toMatchObject({ changed: false, skipped: [{ profile: 'cli-staging', accountId: staging.accountId, line: 1 }] });
  });

  it('refuses a file whose markers do not pair up, writing nothing', async () => {
    const file = join(home, 'broken-config');
    const broken = '[default]\n# >>> switchyard: begin\n[profile x]\n';
    writeFileSync(file, broken);
    const run = await switchyard(['sync-config', '--config-file', file]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('begin marker on line 2 but no end marker');
    expect(readFileSync(file, 'utf8')).toBe(broken);
  });
});

describe('hub', () => {
  /** The page with its generation time taken out, which differs between two fetches a second apart. */
  const timeless = (html: string) => html.replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?/g, 'TIME');

  it('saves GET /switch-roles?format=html to the file given and prints its path', async () => {
    const out = join(home, 'pages', 'hub.html');
    const run = await switchyard(['hub', '--out', 'pages/hub.html']);
    expect(run).toEqual({ code: 0, out: `${out}\n`, err: '' });
    const page = await fetch(`${local.url}/switch-roles?format=html`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const saved = readFileSync(out, 'utf8');
    expect(timeless(saved)).toBe(timeless(await page.text()));
    expect(saved).toContain('Cli Staging');
    const json = await switchyard(['hub', '--json']);
    expect(JSON.parse(json.out)).toEqual({ file: join(home, 'switchyard-hub.html'), bytes: statSync(join(home, 'switchyard-hub.html')).size });
  });
});
