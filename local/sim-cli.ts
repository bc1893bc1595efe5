import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { organizationFilePath, SimulatedOrganization } from '../shared/adapters/local/sim-org';

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
  dataDir: string;
  io: CliIo;
  /** The organization in dataDir; refuses to invent one where none exists. */
  organization(): SimulatedOrganization;
}

interface Command {
  usage: string;
  summary: string;
  flags: readonly string[];
  run(ctx: CommandContext): number;
}

/** Thrown for a problem the user can fix; main prints the message and exits 1. */
class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
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
    summary: 'Organizations API calls per operation, and the most account creations in progress at once',
    flags: ['--json'],
    run(ctx) {
      const stats = ctx.organization().stats();
      if (ctx.flags.has('--json')) {
        ctx.io.stdout(`${JSON.stringify(stats, null, 2)}\n`);
      } else {
        const rows = Object.entries(stats.callsByOperation)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([operation, calls]) => [operation, String(calls)]);
        ctx.io.stdout(table(['OPERATION', 'CALLS'], rows));
        ctx.io.stdout(`Most account creations in progress at once: ${stats.maxConcurrentCreates}\n`);
      }
      return 0;
    },
  },
};

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
  const unknown = rest.filter((arg) => !command.flags.includes(arg));
  if (unknown.length > 0) {
    io.stderr(`Unexpected argument for ${name}: ${unknown.join(' ')}\nUsage: npm run sim -- ${command.usage}\n`);
    return 2;
  }
  const dataDir = resolve(io.cwd, io.env.SWITCHYARD_DATA_DIR || '.switchyard');
  const ctx: CommandContext = {
    flags: new Set(rest),
    dataDir,
    io,
    organization() {
      const file = organizationFilePath(dataDir);
      if (!existsSync(file)) {
        throw new CliError(`There is no simulated organization in ${dataDir} yet (no ${file}). Start Switchyard locally with \`npm start\` first, or point SWITCHYARD_DATA_DIR at its data directory.`);
      }
      return new SimulatedOrganization({ dataDir });
    },
  };
  try {
    return command.run(ctx);
  } catch (error) {
    io.stderr(`${error instanceof CliError ? '' : `${(error as Error).name}: `}${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
