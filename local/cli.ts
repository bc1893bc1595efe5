import { parseArgs } from 'node:util';

/**
 * What every Switchyard command shares: `node:util` `parseArgs` in strict mode, one usage text
 * (`--help`/`-h`), one error style (`switchyard <command>: <problem>` on stderr, plus the usage for a
 * usage mistake) and one set of exit codes.
 */

export const EXIT = {
  OK: 0,
  /** The command could not run, or ran and failed. */
  FAILED: 1,
  /** The arguments (or a setting read like one) make no sense; nothing was done. */
  USAGE: 2,
} as const;

export interface OptionSpec {
  /** `integer` is given as text and checked to be a whole number within `min`…`max`. */
  type: 'boolean' | 'string' | 'integer';
  short?: string;
  /** How the usage names the value: `--port N`. */
  value?: string;
  description: string;
  required?: boolean;
  min?: number;
  max?: number;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** How errors name the command: `start`, `sim move`. */
  command: string;
  /** What the user types before the arguments: `npm start --`, `npm run sim -- move`. */
  invocation: string;
  /** The arguments, as the usage line shows them: `[--aws] [--port N]`. */
  synopsis: string;
  description: string;
  options: O;
  /** Names of the positional arguments, in order; `min` of them are required, at most `max` allowed. */
  positionals?: { names: readonly string[]; min: number; max: number };
  /** Paragraphs shown after the description: a command list, the settings read from the environment. */
  details?: readonly string[];
  /** Every exit code the command uses, with its meaning. */
  exitCodes: ReadonlyArray<readonly [number, string]>;
  /** What an unexpected error means, before its message: `the drift check could not run`. */
  failure?: string;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['type'] extends 'integer' ? number : string;
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: ValueOf<O[K]> };

export interface ParsedCommand<O extends OptionSpecs> {
  values: OptionValues<O>;
  positionals: string[];
}

/** Arguments the command cannot make sense of: exit 2, with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A problem the user can fix, told in the message alone: exit 1. */
export class CommandError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CommandError';
  }
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/**
 * `raw` as a whole number from `min` to `max` (no sign, no decimals, no exponent), or a UsageError
 * naming `name`: `--port must be a whole number from 0 to 65535.`
 */
export function wholeNumber(name: string, raw: string, min = 0, max?: number): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max)) return value;
  throw new UsageError(max === undefined ? `${name} must be a whole number, ${min} or more.` : `${name} must be a whole number from ${min} to ${max}.`);
}

/** The option as the usage shows it: `-h, --help`, `--port N`. */
function optionLabel(name: string, spec: OptionSpec): string {
  return `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'print this help' };

/** The full usage: what `--help` prints. */
export function usageText(spec: CommandSpec): string {
  const options = Object.entries({ ...spec.options, help: HELP });
  const width = Math.max(...options.map(([name, o]) => optionLabel(name, o).length));
  const codeWidth = Math.max(...spec.exitCodes.map(([code]) => String(code).length));
  return [
    `Usage: ${usageLine(spec)}`,
    '',
    spec.description,
    '',
    ...(spec.details ?? []).flatMap((paragraph) => [paragraph, '']),
    'Options:',
    ...options.map(([name, o]) => `  ${optionLabel(name, o).padEnd(width)}  ${o.description}`),
    '',
    'Exit codes:',
    ...spec.exitCodes.map(([code, meaning]) => `  ${String(code).padStart(codeWidth)}  ${meaning}`),
    '',
  ].join('\n');
}

/** `npm start -- [--aws] [--port N]`; a command without arguments is shown without the `--`. */
function usageLine(spec: CommandSpec): string {
  return spec.synopsis ? `${spec.invocation} ${spec.synopsis}` : spec.invocation.replace(/ --$/, '');
}

/** What follows a usage mistake on stderr. */
export function usageHint(spec: CommandSpec): string {
  return `Usage: ${usageLine(spec)}\nFor the options and exit codes: ${spec.invocation} --help\n`;
}

/** parseArgs's own words, shortened to the problem (it suggests `--` for option-like positionals). */
function usageProblem(error: Error & { code?: string }): string {
  const message = error.message.split('\n')[0]!;
  let m: RegExpExecArray | null;
  if ((m = /^Unknown option '([^']+)'/.exec(message))) return `Unknown option ${m[1]}.`;
  if ((m = /^Option '(\S+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(message))) return `${m[1]} needs a value.`;
  if ((m = /^Option '(\S+)' does not take an argument/.exec(message))) return `${m[1]} takes no value.`;
  if ((m = /^Unexpected argument '([^']*)'/.exec(message))) return `Unexpected argument: ${m[1]}.`;
  return message;
}

/**
 * Parses `argv` against `spec` (strict: unknown options and stray arguments are mistakes) and checks
 * integer and required options and the positional count. Throws UsageError; `--help` is left to the caller.
 */
export function parseCommand<O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[]): ParsedCommand<O> & { help: boolean } {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = { help: { type: 'boolean', short: HELP.short } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type === 'boolean' ? 'boolean' : 'string', ...(o.short ? { short: o.short } : {}) };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: (spec.positionals?.max ?? 0) > 0 });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(usageProblem(error as Error));
    throw error;
  }
  const help = parsed.values.help === true;
  const values: Record<string, string | boolean | number> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const raw = parsed.values[name];
    if (raw === undefined) {
      if (o.required && !help) throw new UsageError(`--${name} is required.`);
      continue;
    }
    values[name] = o.type === 'integer' ? wholeNumber(`--${name}`, raw as string, o.min ?? 0, o.max) : raw;
  }
  const { names = [], min = 0, max = 0 } = spec.positionals ?? {};
  if (!help) {
    if (parsed.positionals.length > max) throw new UsageError(`Unexpected argument: ${parsed.positionals.slice(max).join(' ')}.`);
    if (parsed.positionals.length < min) throw new UsageError(`Missing ${names.slice(parsed.positionals.length, min).join(' ')}.`);
  }
  return { help, values: values as OptionValues<O>, positionals: parsed.positionals };
}

/** Prints a failure the one way every command does and gives its exit code. */
export function reportFailure(spec: CommandSpec, error: unknown, io: CliIo): number {
  const err = error instanceof Error ? error : new Error(String(error));
  if (err instanceof UsageError) {
    io.stderr(`switchyard ${spec.command}: ${err.message}\n${usageHint(spec)}`);
    return EXIT.USAGE;
  }
  const problem = err instanceof CommandError ? err.message : `${spec.failure ?? err.name}: ${err.message}`;
  io.stderr(`switchyard ${spec.command}: ${problem}\n`);
  return EXIT.FAILED;
}

/**
 * Parses the arguments, then answers `--help` (exit 0) or a usage mistake (exit 2) itself; otherwise
 * gives the parsed command to the caller.
 */
export function commandLine<O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[], io: CliIo): ParsedCommand<O> | number {
  let parsed: ParsedCommand<O> & { help: boolean };
  try {
    parsed = parseCommand(spec, argv);
  } catch (error) {
    return reportFailure(spec, error, io);
  }
  if (parsed.help) {
    io.stdout(usageText(spec));
    return EXIT.OK;
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** A whole command: parse, run, report. `run` returns the exit code; whatever it throws is reported. */
export async function runCommand<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  run: (command: ParsedCommand<O>) => number | Promise<number>,
  io: CliIo = processIo,
): Promise<number> {
  const parsed = commandLine(spec, argv, io);
  if (typeof parsed === 'number') return parsed;
  try {
    return await run(parsed);
  } catch (error) {
    return reportFailure(spec, error, io);
  }
}

/** For a program's entry point: the exit code once `run` settles (a stray rejection counts as a failure). */
export function exitWith(spec: CommandSpec, code: Promise<number>): void {
  code.then(
    (c) => {
      process.exitCode = c;
    },
    (error: unknown) => {
      process.exitCode = reportFailure(spec, error, processIo);
    },
  );
}
