import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { organizationFilePath, SimulatedOrganization } from '../shared/adapters/local/sim-org';
import { dataFolderMode } from './data-folder';

/**
 * `npm run sim -- <command>`: looks at (and later changes) the simulated organization that the
 * local runtime keeps in `${SWITCHYARD_DATA_DIR:-.switchyard}/organization.json`. It goes through
 * the same file lock as the runtime, so it is safe to run while `npm start` is running.
 */

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

interface CommandContext {
  flags: Set<string>;
  /** Values of the options the command declares, e.g. `--accounts 10` or `--accounts=10`. */
  options: Map<string, string>;
  /** The positional arguments, in order. */
  args: string[];
  dataDir: string;
  io: CliIo;
  /** The organization in dataDir; refuses to invent one where none exists. */
  organization(): SimulatedOrganization;
}

interface Command {
  usage: string;
  summary: string;
  flags: readonly string[];
  options?: readonly string[];
  /** How many positional arguments the command takes, at least and at most. */
  args?: readonly [number, number];
  run(ctx: CommandContext): number;
}

/** Thrown for a problem the user can fix; main prints the message and exits 1. */
class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Thrown for arguments the command cannot make sense of; main prints the usage and exits 2. */
class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function accountIdArg(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new UsageError(`${JSON.stringify(value)} is not an account id (12 digits).`);
  return value;
}

function countOption(ctx: CommandContext, option: string): number {
  const value = ctx.options.get(option);
  if (value === undefined) throw new UsageError(`${option} is required.`);
  if (!/^\d+$/.test(value)) throw new UsageError(`${option} must be a whole number, 0 or more (got ${JSON.stringify(value)}).`);
  return Number(value);
}

/** `KEY=VALUE` pairs; `KEY=` (empty value) asks for the tag to be removed. */
function tagArgs(pairs: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${JSON.stringify(pair)} is not KEY=VALUE (KEY= removes the tag).`);
    const key = pair.slice(0, at);
    if (Object.hasOwn(tags, key)) throw new UsageError(`The tag key ${key} is given more than once.`);
    tags[key] = pair.slice(at + 1);
  }
  return tags;
}

function ouLabel(path: string): string {
  return path === '' ? '(root)' : path;
}

function printJson(ctx: CommandContext, value: unknown): void {
  ctx.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

const COMMANDS: Record<string, Command> = {
  accounts: {
    usage: 'accounts [--json]',
    summary: 'every account (the management account too) with its status and OU path',
    flags: ['--json'],
    run(ctx) {
      const accounts = ctx.organization().accountsView();
      if (ctx.flags.has('--json')) {
        ctx.io.stdout(`${JSON.stringify(accounts.map(({ id, name, email, status, ou, alias }) => ({ id, name, email, status, ou, ...(alias ? { alias } : {}) })), null, 2)}\n`);
      } else {
        ctx.io.stdout(table(['ID', 'NAME', 'EMAIL', 'STATUS', 'OU', 'ALIAS'], accounts.map((a) => [a.id, a.name, a.email, a.status, a.ou || '(root)', a.alias ?? ''])));
      }
      return 0;
    },
  },
  grants: {
    usage: 'grants [--json]',
    summary: "the admin's switch-role policies in the management account and who they are attached to",
    flags: ['--json'],
    run(ctx) {
      const grants = ctx.organization().grantsView();
      if (ctx.flags.has('--json')) {
        ctx.io.stdout(`${JSON.stringify(grants, null, 2)}\n`);
      } else {
        const rows = grants.policies.map((p) => {
          const paths = (p.document as { Statement: { Condition: Record<string, Record<string, string[]>> }[] }).Statement[0]!.Condition['ForAnyValue:StringLike']!['aws:ResourceOrgPaths']!;
          const holders = Object.entries(grants.attachments).filter(([, arns]) => arns.includes(p.arn)).map(([who]) => who);
          return [p.name, String(p.versions), String(paths.length), holders.join(', ')];
        });
        ctx.io.stdout(table(['POLICY', 'VERSIONS', 'OU PATHS', 'ATTACHED TO'], rows));
      }
      return 0;
    },
  },
  stats: {
    usage: 'stats [--json]',
    summary: 'Organizations API calls per operation, faults injected, and the most account creations in progress at once',
    flags: ['--json'],
    run(ctx) {
      const organization = ctx.organization();
      // Other processes write their counts at least once a second; this one's go in before reading.
      organization.flushStats();
      const stats = organization.stats();
      if (ctx.flags.has('--json')) {
        ctx.io.stdout(`${JSON.stringify(stats, null, 2)}\n`);
      } else {
        const rows = Object.entries(stats.callsByOperation)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([operation, calls]) => [operation, String(calls)]);
        ctx.io.stdout(table(['OPERATION', 'CALLS'], rows));
        ctx.io.stdout(`Most account creations in progress at once: ${stats.maxConcurrentCreates}\n`);
        const faults = Object.entries(stats.faultsInjected ?? {}).filter(([, n]) => n > 0);
        ctx.io.stdout(`Faults injected: ${faults.length ? faults.map(([kind, n]) => `${kind} ${n}`).join(', ') : 'none'}\n`);
      }
      return 0;
    },
  },
  move: {
    usage: 'move ACCOUNT_ID OU_PATH [--json]',
    summary: "moves an account into an OU ('' or / for the root), creating the OU path if missing, as in the console",
    flags: ['--json'],
    args: [2, 2],
    run(ctx) {
      const [id, path] = ctx.args as [string, string];
      const org = ctx.organization();
      const accountId = accountIdArg(id);
      // Check the account first, so a mistyped id creates no OU.
      if (!org.accountsView().some((a) => a.id === accountId)) throw new CliError(`There is no account ${accountId} in the organization.`);
      const existed = org.hasOuPath(path);
      if (!existed) org.ensureOuPath(path);
      const { account, from } = org.moveAccountTo(accountId, path);
      if (ctx.flags.has('--json')) printJson(ctx, { ...account, from, ...(existed ? {} : { createdOu: account.ou }) });
      else ctx.io.stdout(`${existed ? '' : `Created OU ${ouLabel(account.ou)}. `}Moved ${account.id} (${account.name}) from ${ouLabel(from)} to ${ouLabel(account.ou)}.\n`);
      return 0;
    },
  },
  close: {
    usage: 'close ACCOUNT_ID [--json]',
    summary: 'closes an account; it shows as SUSPENDED afterwards (not the management account)',
    flags: ['--json'],
    args: [1, 1],
    run(ctx) {
      const account = ctx.organization().closeAccount(accountIdArg(ctx.args[0]!));
      if (ctx.flags.has('--json')) printJson(ctx, account);
      else ctx.io.stdout(`Closed ${account.id} (${account.name}); it is ${account.status} now.\n`);
      return 0;
    },
  },
  'create-account': {
    usage: 'create-account NAME EMAIL OU_PATH [--json]',
    summary: 'creates an ACTIVE account at once in an existing OU, without Switchyard (no tags)',
    flags: ['--json'],
    args: [3, 3],
    run(ctx) {
      const [name, email, path] = ctx.args as [string, string, string];
      const account = ctx.organization().createAccountByHand(name, email, path);
      if (ctx.flags.has('--json')) printJson(ctx, account);
      else ctx.io.stdout(`Created ${account.id} (${account.name}, ${account.email}) in ${ouLabel(account.ou)}.\n`);
      return 0;
    },
  },
  remove: {
    usage: 'remove ACCOUNT_ID [--json]',
    summary: 'removes an account from the organization (it becomes a standalone account)',
    flags: ['--json'],
    args: [1, 1],
    run(ctx) {
      const account = ctx.organization().removeAccount(accountIdArg(ctx.args[0]!));
      if (ctx.flags.has('--json')) printJson(ctx, account);
      else ctx.io.stdout(`Removed ${account.id} (${account.name}) from the organization.\n`);
      return 0;
    },
  },
  'rename-ou': {
    usage: 'rename-ou OU_PATH NEW_NAME [--json]',
    summary: 'renames an OU, as in the console',
    flags: ['--json'],
    args: [2, 2],
    run(ctx) {
      const [path, name] = ctx.args as [string, string];
      const renamed = ctx.organization().renameOu(path, name);
      if (ctx.flags.has('--json')) printJson(ctx, renamed);
      else ctx.io.stdout(`Renamed ${ouLabel(renamed.from)} to ${ouLabel(renamed.path)}.\n`);
      return 0;
    },
  },
  'delete-ou': {
    usage: 'delete-ou OU_PATH [--json]',
    summary: 'deletes an empty OU, as in the console',
    flags: ['--json'],
    args: [1, 1],
    run(ctx) {
      const deleted = ctx.organization().deleteOu(ctx.args[0]!);
      if (ctx.flags.has('--json')) printJson(ctx, deleted);
      else ctx.io.stdout(`Deleted ${ouLabel(deleted.path)}.\n`);
      return 0;
    },
  },
  tag: {
    usage: 'tag ACCOUNT_ID KEY=VALUE [KEY=VALUE...] [--json]',
    summary: "sets an account's tags; KEY= (empty value) removes that tag",
    flags: ['--json'],
    args: [2, Infinity],
    run(ctx) {
      const [id, ...pairs] = ctx.args as [string, ...string[]];
      const accountId = accountIdArg(id);
      const changes = tagArgs(pairs);
      const tags = ctx.organization().tagAccount(accountId, changes);
      if (ctx.flags.has('--json')) {
        printJson(ctx, { id: accountId, tags });
      } else {
        const set = Object.keys(changes).filter((key) => changes[key] !== '');
        const removed = Object.keys(changes).filter((key) => changes[key] === '');
        const parts = [...(set.length > 0 ? [`set ${set.join(', ')}`] : []), ...(removed.length > 0 ? [`removed ${removed.join(', ')}`] : [])];
        ctx.io.stdout(`Tagged ${accountId} (${parts.join('; ')}); it has ${Object.keys(tags).length} tag(s) now.\n`);
      }
      return 0;
    },
  },
  seed: {
    usage: 'seed --accounts N --ous M [--json]',
    summary: 'adds M OUs (under Seed-1, Seed-2, …, up to 3 levels) and N accounts spread over them',
    flags: ['--json'],
    options: ['--accounts', '--ous'],
    args: [0, 0],
    run(ctx) {
      const accounts = countOption(ctx, '--accounts');
      const ous = countOption(ctx, '--ous');
      const summary = ctx.organization().seed({ accounts, ous });
      if (ctx.flags.has('--json')) printJson(ctx, summary);
      else {
        const where = summary.topLevel.length > 0 ? `${summary.ous} OUs under ${summary.topLevel.join(', ')}` : 'the root';
        ctx.io.stdout(`Seeded ${summary.accounts} accounts in ${where} (account quota now ${summary.accountQuota}).\n`);
      }
      return 0;
    },
  },
};

/** Splits argv into the command's flags, option values and positional arguments. */
function parseArgs(command: Command, argv: readonly string[]): Pick<CommandContext, 'flags' | 'options' | 'args'> {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const args: string[] = [];
  const unknown: string[] = [];
  const declared = command.options ?? [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const optionName = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (command.flags.includes(arg)) flags.add(arg);
    else if (declared.includes(optionName)) {
      const value = optionName === arg ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`${arg} needs a value.`);
      options.set(optionName, value);
    } else if (arg.startsWith('--')) unknown.push(arg);
    else args.push(arg);
  }
  const [min, max] = command.args ?? [0, 0];
  if (args.length > max) unknown.push(...args.slice(max));
  if (unknown.length > 0) throw new UsageError(`Unexpected argument: ${unknown.join(' ')}`);
  if (args.length < min) throw new UsageError('Missing argument.');
  return { flags, options, args };
}

function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: npm run sim -- <command>',
    '',
    'Commands:',
    ...lines,
    '',
    'The organization is read from $SWITCHYARD_DATA_DIR/organization.json (default .switchyard/).',
    '',
  ].join('\n');
}

/** Left-aligned columns separated by two spaces, header first. */
function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

/** Runs one command and returns the exit code: 0 done, 1 failed, 2 not understood. */
export function main(argv: readonly string[], io: CliIo = processIo): number {
  const [name, ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    io.stdout(usage());
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command || !Object.hasOwn(COMMANDS, name!)) {
    io.stderr(`${name === undefined ? 'No command given.' : `Unknown command: ${name}`}\n\n${usage()}`);
    return 2;
  }
  const usageFailure = (message: string) => {
    io.stderr(`${name}: ${message}\nUsage: npm run sim -- ${command.usage}\n`);
    return 2;
  };
  let parsed: Pick<CommandContext, 'flags' | 'options' | 'args'>;
  try {
    parsed = parseArgs(command, rest);
  } catch (error) {
    return usageFailure((error as Error).message);
  }
  const dataDir = resolve(io.cwd, io.env.SWITCHYARD_DATA_DIR || '.switchyard');
  const ctx: CommandContext = {
    ...parsed,
    dataDir,
    io,
    organization() {
      const file = organizationFilePath(dataDir);
      // An --aws folder's organization is AWS's: a leftover simulated one there is not what it runs.
      if (dataFolderMode(dataDir) === 'aws') {
        throw new CliError(
          `${dataDir} is run against AWS (npm start -- --aws); npm run sim drives the simulated organization only. Point SWITCHYARD_DATA_DIR at a folder npm start runs without --aws.`,
        );
      }
      if (!existsSync(file)) {
        throw new CliError(`There is no simulated organization in ${dataDir} yet (no ${file}). Start Switchyard locally with \`npm start\` first, or point SWITCHYARD_DATA_DIR at its data directory.`);
      }
      return new SimulatedOrganization({ dataDir });
    },
  };
  try {
    return command.run(ctx);
  } catch (error) {
    // A value AWS itself would refuse (an email, a tag key) is a bad argument too.
    if (error instanceof UsageError || (error as Error).name === 'InvalidInputException') return usageFailure((error as Error).message);
    io.stderr(`${error instanceof CliError ? '' : `${(error as Error).name}: `}${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
