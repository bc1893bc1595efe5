import { spawn } from 'node:child_process';
import { ENVIRONMENT_ID_PATTERN, nameKey } from '../shared/domain/naming';
import { ConfigBlockError, parseProfileSections, syncConfigBlock } from '../shared/domain/aws-config-block';
import { SOURCE_PROFILE_PATTERN } from '../shared/domain/switch-role-file';
import { CommandError, EXIT, commandLine, processIo, reportFailure, UsageError, usageText, type CliIo, type CommandSpec, type OptionSpecs, type OptionValues } from './cli';
import { ApiClient, ApiError, resolveEndpoint, UnreachableError, type ApiReply, type Endpoint } from './switchyard-api';
import { unifiedDiff } from './switchyard-diff';
import { backupPath, defaultConfigFile, readExisting, userPath, writeAtomically } from './switchyard-files';

/**
 * `switchyard <command>`: vends and switches into environments through the Switchyard API, local or
 * deployed: request one (and follow it to READY), see where they stand, open one's console link,
 * keep `~/.aws/config` in step with the READY ones, and save the switch-role hub page.
 */

/** The environment ended without an account to switch into (FAILED, REJECTED) or is being closed. */
const EXIT_ENVIRONMENT = 3;
/** The endpoint did not answer at all. */
const EXIT_UNREACHABLE = 4;

const EXIT_CODES = [
  [EXIT.OK, 'done'],
  [EXIT.FAILED, "failed: the API refused (its code, message and fix are shown), or the command could not finish"],
  [EXIT.USAGE, 'usage mistake (an argument, or a setting such as SWITCHYARD_SIGN); nothing was sent'],
  [EXIT_ENVIRONMENT, 'request --wait: the environment ended FAILED or REJECTED (or is being closed); the reason is shown'],
  [EXIT_UNREACHABLE, 'the endpoint could not be reached (refused, unknown host, no answer within 30 s)'],
] as const;

const ENDPOINT_RULES = [
  'Endpoint: --endpoint URL, else $SWITCHYARD_ENDPOINT, else the local runtime: the URL a running',
  '`npm start` records in ${SWITCHYARD_DATA_DIR:-.switchyard}/runtime.url, else http://127.0.0.1:${PORT:-3000}.',
  'Signing: requests to an execute-api URL (https://{api-id}.execute-api.{region}.amazonaws.com[/stage])',
  'are SigV4-signed (service execute-api) with your own AWS credentials from the standard chain',
  '(environment variables, AWS_PROFILE or --profile, ~/.aws/config and credentials, SSO, instance role);',
  'for any other URL (an API Gateway custom domain) give --sign or set SWITCHYARD_SIGN=1. The region',
  "is --region, else the execute-api host's, else $AWS_REGION or $AWS_DEFAULT_REGION.",
].join('\n');

const COMMON = {
  endpoint: { type: 'string', value: 'URL', description: 'the Switchyard API (default: $SWITCHYARD_ENDPOINT, else the local runtime)' },
  profile: { type: 'string', value: 'NAME', description: 'the AWS profile whose credentials sign requests (default: the standard chain)' },
  region: { type: 'string', value: 'REGION', description: "the region requests are signed for (default: the execute-api host's, else $AWS_REGION)" },
  sign: { type: 'boolean', description: 'SigV4-sign requests whatever the host (a custom domain); also SWITCHYARD_SIGN=1' },
  json: { type: 'boolean', description: 'print the result as JSON on stdout (messages stay on stderr)' },
} as const satisfies OptionSpecs;

type Common = OptionValues<typeof COMMON>;

interface Context<O extends OptionSpecs> {
  values: OptionValues<O> & Common;
  args: string[];
  io: CliIo;
  env: Record<string, string | undefined>;
  cwd: string;
  api(): ApiClient;
  /** Milliseconds between polls of request --wait (three times that after the first minute). */
  pollMs: number;
}

interface Command<O extends OptionSpecs = OptionSpecs> {
  synopsis: string;
  summary: string;
  /** More for the command's --help. */
  details?: string[];
  /** The command's own options; it takes COMMON's too, after them. */
  options: O;
  positionals?: { names: readonly string[]; min: number; max: number };
  run(ctx: Context<O>): Promise<number>;
}

/** A command, its options' types read from the literal (`const`), so `run` sees each value typed. */
function defineCommand<const O extends OptionSpecs>(spec: Command<O>): Command<O> {
  return spec;
}

/** An environment as the API shows it (the fields this command reads). */
interface EnvironmentView {
  id: string;
  name: string;
  status: string;
  ou: string;
  ouPath?: string;
  accountId?: string;
  email?: string;
  createdAt: string;
  updatedAt: string;
  timeline: Array<{ at: string; status: string; note?: string }>;
  failure?: { code: string; message: string; fix: string; state?: string };
  approval?: { ou: string; approvers: string[]; expiresAt: string; decision?: string; decidedBy?: string; decidedAt?: string; via?: string; comment?: string; reason?: string };
  lease?: { seconds: number; expiresAt?: string };
  closing?: { reason: string; requestedAt: string; closedAt?: string };
  switchRole?: { consoleUrl: string; accountId: string; roleArn: string; displayName: string; colorName: string; awsConfigProfile: string };
}

interface EnvironmentsPage {
  items: EnvironmentView[];
  cursor?: string;
}

const IN_FLIGHT = new Set(['PENDING_APPROVAL', 'REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'CLOSE_QUEUED', 'CLOSING']);
/** Where request --wait stops: READY, or an end without an account to switch into. */
const WAIT_ENDS = new Set(['READY', 'FAILED', 'REJECTED', 'CLOSE_QUEUED', 'CLOSING', 'CLOSED']);

function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns separated by two spaces, header first. */
function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

function ouOf(env: EnvironmentView): string {
  return env.ouPath ?? env.ou;
}

async function allEnvironments(api: ApiClient, status?: string): Promise<EnvironmentView[]> {
  const items: EnvironmentView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.getJson<EnvironmentsPage>('/environments', { limit: '100', ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/**
 * The environment an argument names: an id as is, else a name (as the API compares names: case and
 * spacing aside). Among environments of that name, `prefer` picks (e.g. the READY one), else the newest.
 */
async function findEnvironment(api: ApiClient, ref: string, prefer?: (env: EnvironmentView) => boolean): Promise<EnvironmentView> {
  if (ENVIRONMENT_ID_PATTERN.test(ref)) {
    try {
      return await api.getJson<EnvironmentView>(`/environments/${ref}`);
    } catch (error) {
      // An id-shaped name is a name too.
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  const key = nameKey(ref);
  const named = (await allEnvironments(api)).filter((e) => nameKey(e.name) === key || e.id === ref);
  if (named.length === 0) throw new CommandError(`There is no environment named ${JSON.stringify(ref)} (switchyard list shows them).`);
  return named.find((e) => prefer?.(e)) ?? named.find((e) => e.status !== 'CLOSED') ?? named[0]!;
}

function time(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function timelineLine(entry: EnvironmentView['timeline'][number]): string {
  return `  ${time(entry.at)}  ${entry.status.padEnd(16)}${entry.note ? `  ${entry.note}` : ''}`;
}

/** Why an environment has no account to switch into, in a line or two. */
function outcomeReason(env: EnvironmentView): string {
  if (env.status === 'FAILED' && env.failure) {
    return `${env.name} (${env.id}) FAILED${env.failure.state ? ` at ${env.failure.state}` : ''}: ${env.failure.code}: ${env.failure.message}\n  fix: ${env.failure.fix}`;
  }
  if (env.status === 'REJECTED') {
    const a = env.approval;
    const by = a?.reason === 'APPROVAL_EXPIRED' ? 'nobody decided before the approval expired' : a?.decidedBy ? `rejected by ${a.decidedBy}` : 'rejected';
    return `${env.name} (${env.id}) was REJECTED: ${by}${a?.comment ? ` ("${a.comment}")` : ''}.`;
  }
  const last = env.timeline[env.timeline.length - 1];
  return `${env.name} (${env.id}) is ${env.status}${last?.note ? `: ${last.note}` : ''}.`;
}

function approvalWait(env: EnvironmentView): string {
  const a = env.approval;
  return a
    ? `Waiting for an approval: ${a.ou} is protected; ${a.approvers.join(', ')} may approve or reject until ${time(a.expiresAt)}.`
    : 'Waiting for an approval.';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Consecutive failed polls request --wait rides out (a runtime restarting, a 5xx) before giving up. */
const WAIT_RETRIES = 10;

/**
 * Follows an environment until it is READY or has ended otherwise, printing each new timeline entry
 * (human mode, on stderr) as it appears.
 */
async function follow(ctx: Context<OptionSpecs>, first: EnvironmentView): Promise<EnvironmentView> {
  const api = ctx.api();
  const human = !ctx.values.json;
  let shown = 0;
  let announcedApproval = false;
  let failures = 0;
  let env = first;
  for (let polls = 0; ; polls++) {
    if (human) {
      for (const entry of env.timeline.slice(shown)) ctx.io.stderr(`${timelineLine(entry)}\n`);
      shown = Math.max(shown, env.timeline.length);
      if (env.status === 'PENDING_APPROVAL' && !announcedApproval) {
        announcedApproval = true;
        ctx.io.stderr(`${approvalWait(env)} (Ctrl-C stops waiting; the request stays.)\n`);
      }
    }
    if (WAIT_ENDS.has(env.status)) return env;
    await sleep(polls < 60 ? ctx.pollMs : ctx.pollMs * 3);
    try {
      env = await api.getJson<EnvironmentView>(`/environments/${env.id}`);
      failures = 0;
    } catch (error) {
      const transient = error instanceof UnreachableError || (error instanceof ApiError && (error.status >= 500 || error.status === 429));
      if (!transient || ++failures > WAIT_RETRIES) throw error;
      if (human) ctx.io.stderr(`  (no answer: ${(error as Error).message.split('. ')[0]}; trying again)\n`);
    }
  }
}

const request = defineCommand({
  synopsis: 'NAME --ou PATH [--color C] [--ttl DURATION] [--email ADDRESS] [--wait] [--json]',
  summary: 'asks for a new environment (POST /environments); with --wait follows it until READY and prints its console link',
  details: [
    [
      'The same request again is the same environment: nothing new is created. --ou is an OU path',
      '(Workloads/Staging) or an ou-… id; --color one of red, orange, yellow, green, blue (or its hex);',
      '--ttl an ISO 8601 duration (P14D, PT12H) after which the account is closed; --email defaults from',
      "the deployment's plus-address template. With --wait, progress goes to stderr as it happens; a",
      'request in a protected OU waits for an approver first.',
    ].join('\n'),
  ],
  options: {
    ou: { type: 'string', value: 'PATH', required: true, description: 'the OU to place the account in: a path (Workloads/Staging) or an ou-… id' },
    color: { type: 'string', value: 'C', description: 'the console colour: red, orange, yellow, green, blue (default: by tier: prod red, staging yellow, sandbox green, else blue)' },
    ttl: { type: 'string', value: 'DURATION', description: 'a lease: the account is closed this long after READY (P14D, PT12H)' },
    email: { type: 'string', value: 'ADDRESS', description: "the account's root email (default: the deployment's plus-address template)" },
    wait: { type: 'boolean', description: 'follow it until READY (exit 0, prints the console link) or FAILED/REJECTED (exit 3)' },
  },
  positionals: { names: ['NAME'], min: 1, max: 1 },
  async run(ctx) {
    const api = ctx.api();
    const body = {
      name: ctx.args[0]!,
      ou: ctx.values.ou!,
      ...(ctx.values.color !== undefined ? { color: ctx.values.color } : {}),
      ...(ctx.values.ttl !== undefined ? { ttl: ctx.values.ttl } : {}),
      ...(ctx.values.email !== undefined ? { email: ctx.values.email } : {}),
    };
    const reply = await api.sendJson<{ id: string; status: string; environment: EnvironmentView }>('POST', '/environments', body);
    const env = reply.body.environment;
    const asked = reply.status === 200 ? 'Already requested' : 'Requested';
    if (!ctx.values.wait) {
      if (ctx.values.json) printJson(ctx.io, reply.body);
      else {
        ctx.io.stdout(`${asked}: ${env.name} (${env.id}) is ${env.status}.\n`);
        if (env.status === 'PENDING_APPROVAL') ctx.io.stdout(`${approvalWait(env)}\n`);
        if (env.status === 'READY' && env.switchRole) ctx.io.stdout(`${env.switchRole.consoleUrl}\n`);
        else ctx.io.stdout(`Follow it with: switchyard status ${env.id}\n`);
      }
      return EXIT.OK;
    }
    if (!ctx.values.json) ctx.io.stderr(`${asked} ${env.name} (${env.id}); waiting until it is READY.\n`);
    const final = await follow(ctx, env);
    if (ctx.values.json) printJson(ctx.io, final);
    if (final.status === 'READY') {
      if (!ctx.values.json) {
        ctx.io.stdout(`${final.name} is READY: account ${final.accountId ?? '?'} in ${ouOf(final)}.\n`);
        ctx.io.stdout(`${final.switchRole?.consoleUrl ?? '(no console link: the API gave no switch-role details)'}\n`);
      }
      return EXIT.OK;
    }
    ctx.io.stderr(`switchyard request: ${outcomeReason(final)}\n`);
    return EXIT_ENVIRONMENT;
  },
});

function describe(env: EnvironmentView): string {
  const rows: Array<[string, string]> = [
    ['status', env.status],
    ['OU', ouOf(env)],
    ['account', env.accountId ?? '(none yet)'],
    ...(env.lease ? [['expires', env.lease.expiresAt ? time(env.lease.expiresAt) : `${env.lease.seconds} s after READY`] as [string, string]] : []),
    ...(env.switchRole ? [['console', env.switchRole.consoleUrl] as [string, string]] : []),
    ...(env.failure ? [['failure', `${env.failure.code}${env.failure.state ? ` at ${env.failure.state}` : ''}: ${env.failure.message}`] as [string, string], ['fix', env.failure.fix] as [string, string]] : []),
    ...(env.status === 'PENDING_APPROVAL' ? [['approval', approvalWait(env)] as [string, string]] : []),
    ...(env.status === 'REJECTED' ? [['rejected', outcomeReason(env)] as [string, string]] : []),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `${env.name} (${env.id})`,
    ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(width + 1)}  ${v}`),
    'Timeline:',
    ...env.timeline.map(timelineLine),
    '',
  ].join('\n');
}

const status = defineCommand({
  synopsis: '[ID|NAME] [--json]',
  summary: 'one environment in full (status, account, timeline, failure and fix), or without one a summary of all',
  options: {},
  positionals: { names: ['ID'], min: 0, max: 1 },
  async run(ctx) {
    const api = ctx.api();
    if (ctx.args[0] !== undefined) {
      const env = await findEnvironment(api, ctx.args[0]);
      if (ctx.values.json) printJson(ctx.io, env);
      else ctx.io.stdout(describe(env));
      return EXIT.OK;
    }
    const all = await allEnvironments(api);
    const byStatus: Record<string, number> = {};
    for (const env of all) byStatus[env.status] = (byStatus[env.status] ?? 0) + 1;
    const inFlight = all.filter((e) => IN_FLIGHT.has(e.status));
    const failed = all.filter((e) => e.status === 'FAILED' || e.status === 'REJECTED');
    if (ctx.values.json) {
      printJson(ctx.io, {
        total: all.length,
        byStatus,
        inFlight: inFlight.map(({ id, name, status, updatedAt }) => ({ id, name, status, updatedAt })),
        failed: failed.map(({ id, name, status, failure, approval }) => ({ id, name, status, ...(failure ? { failure } : {}), ...(approval?.reason ? { reason: approval.reason } : {}) })),
      });
      return EXIT.OK;
    }
    const counts = Object.entries(byStatus)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, n]) => `${n} ${s}`);
    ctx.io.stdout(`${all.length} environment(s)${counts.length ? `: ${counts.join(', ')}` : ''}.\n`);
    if (inFlight.length) ctx.io.stdout(`\nIn flight:\n${table(['NAME', 'STATUS', 'SINCE', 'ID'], inFlight.map((e) => [e.name, e.status, time(e.updatedAt), e.id]))}`);
    if (failed.length) ctx.io.stdout(`\nFailed or rejected:\n${failed.map((e) => `  ${outcomeReason(e).split('\n').join('\n  ')}`).join('\n')}\n`);
    return EXIT.OK;
  },
});

const list = defineCommand({
  synopsis: '[--status STATUS] [--json]',
  summary: 'every environment, newest first: name, status, OU, account, expiry, id',
  options: {
    status: { type: 'string', value: 'STATUS', description: 'only environments of this status (READY, CREATING, FAILED, CLOSED, …)' },
  },
  async run(ctx) {
    const all = await allEnvironments(ctx.api(), ctx.values.status);
    if (ctx.values.json) printJson(ctx.io, all);
    else if (all.length === 0) ctx.io.stdout(ctx.values.status ? `No ${ctx.values.status} environments.\n` : 'No environments yet (switchyard request NAME --ou PATH asks for one).\n');
    else ctx.io.stdout(table(['NAME', 'STATUS', 'OU', 'ACCOUNT', 'EXPIRES', 'ID'], all.map((e) => [e.name, e.status, ouOf(e), e.accountId ?? '-', e.lease?.expiresAt ? time(e.lease.expiresAt) : '-', e.id])));
    return EXIT.OK;
  },
});

/** What a platform opens links and files with; none of them is required. */
function opener(target: string): { command: string; args: string[]; verbatim?: boolean } {
  if (process.platform === 'darwin') return { command: 'open', args: [target] };
  // `start` is a cmd built-in; the quoted target keeps cmd from reading `&` in a link as a command separator.
  if (process.platform === 'win32') return { command: 'cmd', args: ['/d', '/s', '/c', `start "" "${target}"`], verbatim: true };
  return { command: 'xdg-open', args: [target] };
}

/** Opens a link or file with the platform's opener; a warning (never a failure) when there is none. */
async function openTarget(ctx: Context<OptionSpecs>, target: string): Promise<boolean> {
  const { command, args, verbatim } = opener(target);
  const outcome = await new Promise<string | undefined>((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: 'ignore', env: ctx.env as NodeJS.ProcessEnv, ...(verbatim ? { windowsVerbatimArguments: true } : {}) });
    } catch (error) {
      resolve((error as Error).message);
      return;
    }
    // An opener hands over and exits; one that lingers is left running rather than waited for.
    const timer = setTimeout(() => {
      child.unref();
      resolve(undefined);
    }, 5_000);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ENOENT' ? `${command} is not installed` : error.message);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 || code === null ? undefined : `${command} exited with ${code}`);
    });
  });
  if (outcome) ctx.io.stderr(`switchyard: could not open it (${outcome}); open it yourself.\n`);
  return outcome === undefined;
}

const open = defineCommand({
  synopsis: 'ID|NAME [--browser] [--json]',
  summary: "prints the console link that switches into a READY environment's account; --browser opens it",
  options: {
    browser: { type: 'boolean', description: 'also open the link with the platform opener (xdg-open, open, start)' },
  },
  positionals: { names: ['NAME'], min: 1, max: 1 },
  async run(ctx) {
    const env = await findEnvironment(ctx.api(), ctx.args[0]!, (e) => e.status === 'READY');
    if (env.status !== 'READY' || !env.switchRole) {
      throw new CommandError(`${env.name} (${env.id}) is ${env.status}; its console link exists once it is READY${IN_FLIGHT.has(env.status) && env.status !== 'CLOSING' && env.status !== 'CLOSE_QUEUED' ? ` (switchyard request "${env.name}" --ou ${ouOf(env)} --wait follows it)` : ''}.`);
    }
    const url = env.switchRole.consoleUrl;
    const opened = ctx.values.browser ? await openTarget(ctx, url) : false;
    if (ctx.values.json) printJson(ctx.io, { id: env.id, name: env.name, accountId: env.accountId, consoleUrl: url, ...(ctx.values.browser ? { opened } : {}) });
    else ctx.io.stdout(`${url}\n`);
    return EXIT.OK;
  },
});

/**
 * GET /switch-roles in `format`, its profiles assumed from --source-profile, else --profile (checked
 * before anything is sent), else the deployment's SOURCE_PROFILE.
 */
async function switchRoles(ctx: Pick<Context<OptionSpecs>, 'api'> & { values: { 'source-profile'?: string; profile?: string } }, format: 'aws-config' | 'html'): Promise<ApiReply> {
  const { values } = ctx;
  const sourceProfile = values['source-profile'] ?? values.profile;
  if (sourceProfile !== undefined && !SOURCE_PROFILE_PATTERN.test(sourceProfile)) {
    throw new UsageError(`${values['source-profile'] !== undefined ? '--source-profile' : '--profile (the default source profile)'} must be 1 to 64 letters, digits or . _ + @ - (got ${JSON.stringify(sourceProfile)}).`);
  }
  return ctx.api().send('GET', '/switch-roles', { query: { format, ...(sourceProfile ? { source_profile: sourceProfile } : {}) } });
}

const syncConfig = defineCommand({
  synopsis: '[--config-file FILE] [--source-profile P] [--dry-run] [--json]',
  summary: "writes a profile per READY environment into one managed block of ~/.aws/config, and nothing else",
  details: [
    [
      'The block lies between two marker comments (# >>> switchyard … and # <<< switchyard …); the',
      'first sync appends it at the end of the file. Every byte outside it is kept, line endings',
      'included. It is rebuilt from GET /switch-roles?format=aws-config each time: profiles of closed or',
      'removed environments leave it, and a second sync with nothing new changes no byte. A profile you',
      'define yourself outside the block is left alone and skipped, with a warning. When the file',
      'changes, the previous version is kept beside it as FILE.switchyard.bak; the file is replaced',
      'atomically with its mode kept (a new ~/.aws is created 0700, a new file 0600).',
    ].join('\n'),
  ],
  options: {
    'config-file': { type: 'string', value: 'FILE', description: 'the file to keep in step (default: $AWS_CONFIG_FILE, else ~/.aws/config)' },
    'source-profile': { type: 'string', value: 'P', description: "the profile the roles are assumed from (default: --profile, else the deployment's SOURCE_PROFILE)" },
    'dry-run': { type: 'boolean', description: 'print the change as a unified diff and write nothing' },
  },
  async run(ctx) {
    const file = ctx.values['config-file'] !== undefined ? userPath(ctx.values['config-file'], ctx.cwd) : defaultConfigFile(ctx.env);
    const reply = await switchRoles(ctx, 'aws-config');
    const sections = parseProfileSections(reply.text);
    const existing = readExisting(file);
    let sync;
    try {
      sync = syncConfigBlock(existing.text ?? '', sections, file);
    } catch (error) {
      if (error instanceof ConfigBlockError) throw new CommandError(error.message);
      throw error;
    }
    for (const s of sync.skipped) ctx.io.stderr(`switchyard sync-config: skipped the profile ${s.profile}${s.accountId ? ` (account ${s.accountId})` : ''}: it is already defined outside the switchyard block, on line ${s.line} of ${file}; your definition is kept.\n`);
    const diff = sync.changed ? unifiedDiff(existing.text ?? '', sync.text, { from: existing.text === undefined ? '/dev/null' : file, to: file }) : '';
    let backup: string | undefined;
    if (sync.changed && !ctx.values['dry-run']) {
      // Re-read just before writing: an edit made meanwhile is not overwritten with an older view.
      if (readExisting(file).text !== existing.text) throw new CommandError(`${file} changed while it was being synced; nothing was written. Run the command again.`);
      if (existing.text !== undefined) {
        backup = backupPath(existing.path);
        writeAtomically(backup, existing.text, existing.mode ?? 0o600);
      }
      // A folder created for the file (a first ~/.aws) is private, as the AWS CLI makes it.
      writeAtomically(existing.path, sync.text, existing.mode ?? 0o600, 0o700);
    }
    const report = {
      file,
      changed: sync.changed,
      dryRun: ctx.values['dry-run'] === true,
      profiles: sync.profiles,
      added: sync.added,
      removed: sync.removed,
      skipped: sync.skipped,
      ...(backup ? { backup } : {}),
      ...(ctx.values['dry-run'] ? { diff } : {}),
    };
    if (ctx.values.json) {
      printJson(ctx.io, report);
      return EXIT.OK;
    }
    if (ctx.values['dry-run']) {
      if (diff) ctx.io.stdout(diff);
      ctx.io.stderr(sync.changed ? `Dry run: ${file} would change as shown; nothing was written.\n` : `Dry run: ${file} is already in step (${sync.profiles.length} profile(s)); nothing to write.\n`);
      return EXIT.OK;
    }
    if (!sync.changed) {
      ctx.io.stdout(`${file} is already in step: ${sync.profiles.length} profile(s).\n`);
      return EXIT.OK;
    }
    const changes = [...(sync.added.length ? [`added ${sync.added.join(', ')}`] : []), ...(sync.removed.length ? [`removed ${sync.removed.join(', ')}`] : [])];
    ctx.io.stdout(`Wrote ${sync.profiles.length} profile(s) to ${file}${changes.length ? ` (${changes.join('; ')})` : ''}.\n`);
    if (backup) ctx.io.stdout(`The previous version is in ${backup}.\n`);
    return EXIT.OK;
  },
});

const hub = defineCommand({
  synopsis: '[--out FILE] [--source-profile P] [--open] [--json]',
  summary: 'saves the switch-role hub (GET /switch-roles?format=html) as one self-contained page and prints its path',
  options: {
    out: { type: 'string', value: 'FILE', description: 'where to save the page (default: switchyard-hub.html in the working folder)' },
    'source-profile': { type: 'string', value: 'P', description: "the source_profile in the page's profiles (default: --profile, else the deployment's SOURCE_PROFILE)" },
    open: { type: 'boolean', description: 'open the saved page with the platform opener (xdg-open, open, start)' },
  },
  async run(ctx) {
    const file = userPath(ctx.values.out ?? 'switchyard-hub.html', ctx.cwd);
    const reply = await switchRoles(ctx, 'html');
    const type = reply.headers.get('content-type') ?? '';
    if (!/^text\/html\b/i.test(type)) throw new CommandError(`${ctx.api().endpoint.url}/switch-roles?format=html answered ${type || 'without a content type'} rather than an HTML page; nothing was saved.`);
    const existing = readExisting(file);
    writeAtomically(existing.path, reply.text, existing.mode ?? 0o644);
    const opened = ctx.values.open ? await openTarget(ctx, existing.path) : false;
    if (ctx.values.json) printJson(ctx.io, { file: existing.path, bytes: Buffer.byteLength(reply.text), ...(ctx.values.open ? { opened } : {}) });
    else ctx.io.stdout(`${existing.path}\n`);
    return EXIT.OK;
  },
});

const COMMANDS: Record<string, Command<any>> = { request, status, list, open, 'sync-config': syncConfig, hub };

function commandSpec(name: string, command: Command<any>): CommandSpec {
  return {
    command: name,
    invocation: `switchyard ${name}`,
    synopsis: command.synopsis,
    description: `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    options: { ...command.options, ...COMMON },
    ...(command.positionals ? { positionals: command.positionals } : {}),
    details: [...(command.details ?? []), ENDPOINT_RULES],
    exitCodes: EXIT_CODES,
  };
}

function commandList(): string {
  const usages = Object.entries(COMMANDS).map(([name, c]) => [`${name} ${c.synopsis}`, c.summary] as const);
  return ['Commands:', ...usages.map(([usage, summary]) => `  ${usage}\n      ${summary}`)].join('\n');
}

const SWITCHYARD: CommandSpec = {
  command: 'switchyard',
  invocation: 'switchyard',
  synopsis: '<command> [arguments]',
  description: 'Requests environments from Switchyard, follows them, opens their console links and keeps ~/.aws/config in step.',
  options: {},
  get details() {
    return [commandList(), 'Every command takes --endpoint URL, --profile NAME, --region REGION, --sign and --json;\nswitchyard <command> --help describes one.', ENDPOINT_RULES];
  },
  exitCodes: EXIT_CODES,
};

export interface SwitchyardIo extends CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
}

const defaultIo = (): SwitchyardIo => ({ ...processIo, env: process.env, cwd: process.cwd() });

/** A refusal or an unreachable endpoint, told the command's way: the API's code, message, fields and fix. */
function reportApiProblem(name: string, error: ApiError | UnreachableError, json: boolean, io: CliIo): number {
  if (error instanceof UnreachableError) {
    io.stderr(`switchyard ${name}: ${error.message}\n`);
    if (json) printJson(io, { error: { code: 'UNREACHABLE', message: error.message, endpoint: error.url } });
    return EXIT_UNREACHABLE;
  }
  const lines = [`switchyard ${name}: the API refused (${error.status} ${error.code}): ${error.message}`];
  for (const f of error.fields) lines.push(`  ${f.field}: ${f.message}`);
  if (error.fix) lines.push(`  fix: ${error.fix}`);
  io.stderr(`${lines.join('\n')}\n`);
  if (json) printJson(io, { status: error.status, ...(error.body && typeof error.body === 'object' ? error.body : { error: { code: error.code, message: error.message } }) });
  return EXIT.FAILED;
}

/** Runs one command and returns its exit code (see EXIT_CODES). */
export async function main(argv: readonly string[], io: SwitchyardIo = defaultIo(), opts: { pollMs?: number } = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usageText(SWITCHYARD));
    return EXIT.OK;
  }
  if (name === undefined || !Object.hasOwn(COMMANDS, name)) {
    io.stderr(`switchyard: ${name === undefined ? 'No command given.' : `Unknown command: ${name}.`}\n\n${usageText(SWITCHYARD)}`);
    return EXIT.USAGE;
  }
  const command = COMMANDS[name]!;
  const spec = commandSpec(name, command);
  const parsed = commandLine(spec, rest, io);
  if (typeof parsed === 'number') return parsed;
  const values = parsed.values as Common & Record<string, unknown>;
  let client: ApiClient | undefined;
  let endpoint: Endpoint | undefined;
  const ctx: Context<OptionSpecs> = {
    values: values as Context<OptionSpecs>['values'],
    args: parsed.positionals,
    io,
    env: io.env,
    cwd: io.cwd,
    pollMs: opts.pollMs ?? 1_000,
    api() {
      endpoint ??= resolveEndpoint({ endpoint: values.endpoint, sign: values.sign, region: values.region, profile: values.profile }, io.env, io.cwd);
      return (client ??= new ApiClient(endpoint));
    },
  };
  try {
    // Settings are read before anything is sent, so a mistake there is a usage mistake with nothing done.
    ctx.api();
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof ApiError || error instanceof UnreachableError) return reportApiProblem(name, error, values.json === true, io);
    if (values.json && !(error instanceof UsageError)) printJson(io, { error: { code: 'FAILED', message: (error as Error).message } });
    return reportFailure(spec, error, io);
  }
}

/** The program's entry point (bin/switchyard.cjs, `npm run switchyard --`). */
export function run(argv: readonly string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`switchyard: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = EXIT.FAILED;
    },
  );
}

if (require.main === module) run(process.argv.slice(2));
