import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { organizationFilePath, SimulatedOrganization } from '../shared/adapters/local/sim-org';
import { CommandError, EXIT, commandLine, reportFailure, UsageError, usageText, type CliIo as Io, type CommandSpec, type OptionSpecs } from './cli';
import { dataFolderMode } from './data-folder';

/**
 * `npm run sim -- <command>`: looks at (and later changes) the simulated organization that the
 * local runtime keeps in `${SWITCHYARD_DATA_DIR:-.switchyard}/organization.json`. It goes through
 * the same file lock as the runtime, so it is safe to run while `npm start` is running.
 */

export interface CliIo extends Io {
  env: Record<string, string | undefined>;
  cwd: string;
}

interface CommandContext {
  /** Values of the options the command declares: `json`, or `accounts` for `--accounts 10`. */
  values: { json?: boolean; accounts?: number; ous?: number };
  /** The positional arguments, in order. */
  args: string[];
  dataDir: string;
  io: CliIo;
  /** The organization in dataDir; refuses to invent one where none exists. */
  organization(): SimulatedOrganization;
}

interface Command {
  /** The arguments after the command's name, as the usage shows them. */
  synopsis: string;
  summary: string;
  options: OptionSpecs;
  /** The positional arguments' names; `min` of them are required, at most `max` allowed (none when absent). */
  positionals?: { names: readonly string[]; min: number; max: number };
  run(ctx: CommandContext): number;
}

const JSON_OPTION = { json: { type: 'boolean', description: 'print the result as JSON' } } as const;

const EXIT_CODES = [
  [0, 'done'],
  [1, 'the command failed (no such account, an OU that is not empty, no organization in the folder, …)'],
  [2, 'usage mistake, or a value AWS itself would refuse'],
] as const;

function accountIdArg(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new UsageError(`${JSON.stringify(value)} is not an account id (12 digits).`);
  return value;
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
    synopsis: '[--json]',
    summary: 'every account (the management account too) with its status, OU path, alias and console colour',
    options: JSON_OPTION,
    run(ctx) {
      const accounts = ctx.organization().accountsView();
      if (ctx.values.json) {
        ctx.io.stdout(
          `${JSON.stringify(
            accounts.map(({ id, name, email, status, ou, alias, accountColor, closedAt }) => ({ id, name, email, status, ou, ...(alias ? { alias } : {}), ...(accountColor ? { accountColor } : {}), ...(closedAt ? { closedAt } : {}) })),
            null,
            2,
          )}\n`,
        );
      } else {
        ctx.io.stdout(table(['ID', 'NAME', 'EMAIL', 'STATUS', 'OU', 'ALIAS', 'COLOR'], accounts.map((a) => [a.id, a.name, a.email, a.status, a.ou || '(root)', a.alias ?? '', a.accountColor ?? ''])));
      }
      return 0;
    },
  },
  grants: {
    synopsis: '[--json]',
    summary: "the admin's switch-role policies in the management account and who they are attached to",
    options: JSON_OPTION,
    run(ctx) {
      const grants = ctx.organization().grantsView();
      if (ctx.values.json) {
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
    synopsis: '[--json]',
    summary: 'Organizations API calls per operation, faults injected, and the most account creations in progress at once',
    options: JSON_OPTION,
    run(ctx) {
      const organization = ctx.organization();
      // Other processes write their counts at least once a second; this one's go in before reading.
      organization.flushStats();
      const stats = organization.stats();
      if (ctx.values.json) {
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
    synopsis: 'ACCOUNT_ID OU_PATH [--json]',
    summary: "moves an account into an OU ('' or / for the root), creating the OU path if missing, as in the console",
    options: JSON_OPTION,
    positionals: { names: ['ACCOUNT_ID', 'OU_PATH'], min: 2, max: 2 },
    run(ctx) {
      const [id, path] = ctx.args as [string, string];
      const org = ctx.organization();
      const accountId = accountIdArg(id);
      // Check the account first, so a mistyped id creates no OU.
      if (!org.accountsView().some((a) => a.id === accountId)) throw new CommandError(`There is no account ${accountId} in the organization.`);
      const existed = org.hasOuPath(path);
      if (!existed) org.ensureOuPath(path);
      const { account, from } = org.moveAccountTo(accountId, path);
      if (ctx.values.json) printJson(ctx, { ...account, from, ...(existed ? {} : { createdOu: account.ou }) });
      else ctx.io.stdout(`${existed ? '' : `Created OU ${ouLabel(account.ou)}. `}Moved ${account.id} (${account.name}) from ${ouLabel(from)} to ${ouLabel(account.ou)}.\n`);
      return 0;
    },
  },
  close: {
    synopsis: 'ACCOUNT_ID [--json]',
    summary: "closes an account as the console does: PENDING_CLOSURE, then SUSPENDED (not the management account; AWS's closing quotas apply)",
    options: JSON_OPTION,
    positionals: { names: ['ACCOUNT_ID'], min: 1, max: 1 },
    run(ctx) {
      const account = ctx.organization().closeAccount(accountIdArg(ctx.args[0]!));
      if (ctx.values.json) printJson(ctx, account);
      else ctx.io.stdout(`Closed ${account.id} (${account.name}); it is ${account.status} now${account.suspendsAt ? `, SUSPENDED from ${account.suspendsAt}` : ''}.\n`);
      return 0;
    },
  },
  'create-account': {
    synopsis: 'NAME EMAIL OU_PATH [--json]',
    summary: 'creates an ACTIVE account at once in an existing OU, without Switchyard (no tags)',
    options: JSON_OPTION,
    positionals: { names: ['NAME', 'EMAIL', 'OU_PATH'], min: 3, max: 3 },
    run(ctx) {
      const [name, email, path] = ctx.args as [string, string, string];
      const account = ctx.organization().createAccountByHand(name, email, path);
      if (ctx.values.json) printJson(ctx, account);
      else ctx.io.stdout(`Created ${account.id} (${account.name}, ${account.email}) in ${ouLabel(account.ou)}.\n`);
      return 0;
    },
  },
  remove: {
    synopsis: 'ACCOUNT_ID [--json]',
    summary: 'removes an account from the organization (it becomes a standalone account)',
    options: JSON_OPTION,
    positionals: { names: ['ACCOUNT_ID'], min: 1, max: 1 },
    run(ctx) {
      const account = ctx.organization().removeAccount(accountIdArg(ctx.args[0]!));
      if (ctx.values.json) printJson(ctx, account);
      else ctx.io.stdout(`Removed ${account.id} (${account.name}) from the organization.\n`);
      return 0;
    },
  },
  'rename-ou': {
    synopsis: 'OU_PATH NEW_NAME [--json]',
    summary: 'renames an OU, as in the console',
    options: JSON_OPTION,
    positionals: { names: ['OU_PATH', 'NEW_NAME'], min: 2, max: 2 },
    run(ctx) {
      const [path, name] = ctx.args as [string, string];
      const renamed = ctx.organization().renameOu(path, name);
      if (ctx.values.json) printJson(ctx, renamed);
      else ctx.io.stdout(`Renamed ${ouLabel(renamed.from)} to ${ouLabel(renamed.path)}.\n`);
      return 0;
    },
  },
  'delete-ou': {
    synopsis: 'OU_PATH [--json]',
    summary: 'deletes an empty OU, as in the console',
    options: JSON_OPTION,
    positionals: { names: ['OU_PATH'], min: 1, max: 1 },
    run(ctx) {
      const deleted = ctx.organization().deleteOu(ctx.args[0]!);
      if (ctx.values.json) printJson(ctx, deleted);
      else ctx.io.stdout(`Deleted ${ouLabel(deleted.path)}.\n`);
      return 0;
    },
  },
  tag: {
    synopsis: 'ACCOUNT_ID KEY=VALUE [KEY=VALUE...] [--json]',
    summary: "sets an account's tags; KEY= (empty value) removes that tag",
    options: JSON_OPTION,
    positionals: { names: ['ACCOUNT_ID', 'KEY=VALUE'], min: 2, max: Infinity },
    run(ctx) {
      const [id, ...pairs] = ctx.args as [string, ...string[]];
      const accountId = accountIdArg(id);
      const changes = tagArgs(pairs);
      const tags = ctx.organization().tagAccount(accountId, changes);
      if (ctx.values.json) {
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
    synopsis: '--accounts N --ous M [--json]',
    summary: 'adds M OUs (under Seed-1, Seed-2, …, up to 3 levels) and N accounts spread over them',
    options: {
      accounts: { type: 'integer', value: 'N', required: true, description: 'how many accounts to add' },
      ous: { type: 'integer', value: 'M', required: true, description: 'how many OUs to add' },
      ...JSON_OPTION,
    },
    run(ctx) {
      const accounts = ctx.values.accounts!;
      const ous = ctx.values.ous!;
      const summary = ctx.organization().seed({ accounts, ous });
      if (ctx.values.json) printJson(ctx, summary);
      else {
        const where = summary.topLevel.length > 0 ? `${summary.ous} OUs under ${summary.topLevel.join(', ')}` : 'the root';
        ctx.io.stdout(`Seeded ${summary.accounts} accounts in ${where} (account quota now ${summary.accountQuota}).\n`);
      }
      return 0;
    },
  },
};

/** The spec of one command, for parsing its arguments and for its usage. */
function commandSpec(name: string, command: Command): CommandSpec {
  return {
    command: `sim ${name}`,
    invocation: `npm run sim -- ${name}`,
    synopsis: command.synopsis,
    description: `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    options: command.options,
    ...(command.positionals ? { positionals: command.positionals } : {}),
    exitCodes: EXIT_CODES,
  };
}

function commandList(): string {
  const usages = Object.entries(COMMANDS).map(([name, c]) => [`${name} ${c.synopsis}`, c.summary] as const);
  const width = Math.max(...usages.map(([usage]) => usage.length));
  return ['Commands:', ...usages.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`)].join('\n');
}

const SIM: CommandSpec = {
  command: 'sim',
  invocation: 'npm run sim --',
  synopsis: '<command> [arguments]',
  description: [
    'Looks at and changes the simulated organization in $SWITCHYARD_DATA_DIR/organization.json',
    '(default .switchyard/), through the same file lock as a running runtime.',
  ].join('\n'),
  options: {},
  get details() {
    return [commandList(), 'npm run sim -- <command> --help describes one command.'];
  },
  exitCodes: EXIT_CODES,
};

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
    io.stdout(usageText(SIM));
    return EXIT.OK;
  }
  if (name === undefined || !Object.hasOwn(COMMANDS, name)) {
    // The hint for a command not understood is the list of commands.
    io.stderr(`switchyard sim: ${name === undefined ? 'No command given.' : `Unknown command: ${name}.`}\n\n${usageText(SIM)}`);
    return EXIT.USAGE;
  }
  const command = COMMANDS[name]!;
  const spec = commandSpec(name, command);
  const parsed = commandLine(spec, rest, io);
  if (typeof parsed === 'number') return parsed;
  const dataDir = resolve(io.cwd, io.env.SWITCHYARD_DATA_DIR || '.switchyard');
  const ctx: CommandContext = {
    values: parsed.values as CommandContext['values'],
    args: parsed.positionals,
    dataDir,
    io,
    organization() {
      const file = organizationFilePath(dataDir);
      // An --aws folder's organization is AWS's: a leftover simulated one there is not what it runs.
      if (dataFolderMode(dataDir) === 'aws') {
        throw new CommandError(
          `${dataDir} is run against AWS (npm start -- --aws); npm run sim drives the simulated organization only. Point SWITCHYARD_DATA_DIR at a folder npm start runs without --aws.`,
        );
      }
      if (!existsSync(file)) {
        throw new CommandError(`There is no simulated organization in ${dataDir} yet (no ${file}). Start Switchyard locally with \`npm start\` first, or point SWITCHYARD_DATA_DIR at its data directory.`);
      }
      return new SimulatedOrganization({ dataDir });
    },
  };
  try {
    return command.run(ctx);
  } catch (error) {
    // A value AWS itself would refuse (an email, a tag key) is a bad argument too.
    return reportFailure(spec, (error as Error).name === 'InvalidInputException' ? new UsageError((error as Error).message) : error, io);
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
