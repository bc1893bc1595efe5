/**
 * Readers: checks of a value's shape that return it typed, with every problem named by its path.
 * Stored environments, task inputs, event envelopes and Slack's click payload are read with them;
 * the rules a request must meet (shared/domain/request.ts) are written out field by field on top.
 *
 * They replace zod, which these inputs were checked with before: a reader is a plain function, so
 * a shape costs nothing to build, and every Lambda reads a record on its first invocation. Building
 * and first running the zod schemas (the record's forty-odd fields, the request's rules) and loading
 * zod itself were a fifth of a handler's cold start beyond its SDK floor (bench/bundles.ts,
 * docs/benchmarks.md).
 *
 * An object reader keeps only the fields it names unless told otherwise, so an attribute a later
 * release added, or a table key, never reaches a use case.
 */

import type { FieldError } from './errors';

/** Where a value is wrong (`timeline.0.at`; empty for the value itself) and how. */
export type ShapeIssue = { path: string; message: string };

/** Reads a value of type T from `value`, noting every problem in `issues` (the value returned is then not to be used). */
export interface Reader<T> {
  (value: unknown, path: string, issues: ShapeIssue[]): T;
  readonly optional?: boolean;
  /** In an object: the field must be there (even if its value is undefined), whatever its value. */
  readonly fieldPresent?: boolean;
}

/** A reader that also accepts a missing value: its field is optional in the object holding it. */
export interface OptionalReader<T> extends Reader<T | undefined> {
  readonly optional: true;
}

/** The type a reader gives. */
export type Read<R> = R extends Reader<infer T> ? T : never;
type Fields = Record<string, Reader<unknown>>;
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalReader<unknown> ? K : never }[keyof F];
type Flat<T> = { [K in keyof T]: T[K] } & {};
/** The object an `object(fields)` reader returns: a field read by an optional reader may be absent. */
export type ObjectOf<F extends Fields> = Flat<{ [K in Exclude<keyof F, OptionalKeys<F>>]: Read<F[K]> } & { [K in OptionalKeys<F>]?: Read<F[K]> }>;

/** What a value is, for a message: `string`, `number`, `array`, `null`, `object`, … */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function expected(what: string, value: unknown, path: string, issues: ShapeIssue[]): void {
  issues.push({ path, message: value === undefined ? `required (expected ${what})` : `expected ${what}, received ${kindOf(value)}` });
}

/** A name from the input, quoted and cut short for a message. */
function quoted(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const string: Reader<string> = (value, path, issues) => {
  if (typeof value !== 'string') expected('a string', value, path, issues);
  return value as string;
};

/** Anything at all, or nothing (what is done with it checks it). */
export const unknown: OptionalReader<unknown> = Object.assign((value: unknown) => value, { optional: true as const });

/** Anything at all, but it must be there: a field of that name (any value), or a value that is not undefined. */
export const present: Reader<unknown> = Object.assign(
  (value: unknown, path: string, issues: ShapeIssue[]) => {
    if (value === undefined) issues.push({ path, message: 'required' });
    return value;
  },
  { fieldPresent: true as const },
);

/** A string of at least `min` and at most `max` characters, matching `pattern` when given (`message` says what it must be). */
export function text(opts: { min?: number; max?: number; pattern?: RegExp; message?: string }): Reader<string> {
  const { min = 0, max = Infinity, pattern, message } = opts;
  return (value, path, issues) => {
    if (typeof value !== 'string') expected('a string', value, path, issues);
    else if (value.length < min) issues.push({ path, message: min === 1 ? 'must not be empty' : `must be at least ${min} characters` });
    else if (value.length > max) issues.push({ path, message: `must be at most ${max} characters` });
    else if (pattern && !pattern.test(value)) issues.push({ path, message: message ?? `must match ${pattern}` });
    return value as string;
  };
}

/** A string of at least one character. */
export const nonEmptyString: Reader<string> = text({ min: 1 });

/** A finite number. */
export const number: Reader<number> = (value, path, issues) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) expected('a number', value, path, issues);
  return value as number;
};

/** An integer of at least `min` (and at most `max`). */
export function integer(min: number, max = Infinity): Reader<number> {
  return (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) expected('an integer', value, path, issues);
    else if (value < min) issues.push({ path, message: `must be at least ${min}` });
    else if (value > max) issues.push({ path, message: `must be at most ${max}` });
    return value as number;
  };
}

/** One of the given strings. */
export function oneOf<const V extends readonly string[]>(values: V): Reader<V[number]> {
  return (value, path, issues) => {
    if (typeof value !== 'string') expected(`one of ${values.join(', ')}`, value, path, issues);
    else if (!values.includes(value)) issues.push({ path, message: `expected one of ${values.join(', ')}, received ${quoted(value)}` });
    return value as V[number];
  };
}

/** The same reader, with a missing value (undefined) allowed. */
export function optional<T>(reader: Reader<T>): OptionalReader<T> {
  const read = ((value: unknown, path: string, issues: ShapeIssue[]) => (value === undefined ? undefined : reader(value, path, issues))) as OptionalReader<T>;
  return Object.assign(read, { optional: true as const });
}

export function arrayOf<T>(item: Reader<T>): Reader<T[]> {
  return (value, path, issues) => {
    if (!Array.isArray(value)) {
      expected('an array', value, path, issues);
      return value as T[];
    }
    return value.map((v, i) => item(v, path ? `${path}.${i}` : String(i), issues));
  };
}

/** An object whose every value `item` reads (its keys are any strings). */
export function recordOf<T>(item: Reader<T>): Reader<Record<string, T>> {
  return (value, path, issues) => {
    if (!isPlainObject(value)) {
      expected('an object', value, path, issues);
      return value as Record<string, T>;
    }
    const out: Record<string, T> = {};
    for (const [key, v] of Object.entries(value)) out[key] = item(v, path ? `${path}.${key}` : key, issues);
    return out;
  };
}

/**
 * What an object reader does with a field it does not name: `drop` it (a stored record written by a
 * later release may hold more), `refuse` it (a task's input, made by the state machine, holds exactly
 * what it names), or `keep` it (an event envelope AWS may add to).
 */
export type OtherFields = 'drop' | 'refuse' | 'keep';

/** An object with these fields, read into a new object; what becomes of others, `others` says. */
export function object<F extends Fields>(fields: F, others?: 'drop' | 'refuse'): Reader<ObjectOf<F>>;
export function object<F extends Fields>(fields: F, others: 'keep'): Reader<ObjectOf<F> & Record<string, unknown>>;
export function object<F extends Fields>(fields: F, others: OtherFields = 'drop'): Reader<ObjectOf<F>> {
  const names = Object.keys(fields);
  return (value, path, issues) => {
    if (!isPlainObject(value)) {
      expected('an object', value, path, issues);
      return value as ObjectOf<F>;
    }
    const out: Record<string, unknown> = others === 'keep' ? { ...value } : {};
    for (const name of names) {
      const reader = fields[name]!;
      const at = path ? `${path}.${name}` : name;
      if (reader.fieldPresent) {
        if (Object.prototype.hasOwnProperty.call(value, name)) out[name] = value[name];
        else issues.push({ path: at, message: 'required' });
        continue;
      }
      const read = reader(value[name], at, issues);
      if (read !== undefined) out[name] = read;
    }
    if (others === 'refuse') {
      const unknownFields = Object.keys(value).filter((name) => !Object.prototype.hasOwnProperty.call(fields, name));
      if (unknownFields.length) issues.push({ path, message: `unknown field(s): ${unknownFields.slice(0, 10).map(quoted).join(', ')}${unknownFields.length > 10 ? ` and ${unknownFields.length - 10} more` : ''}` });
    }
    return out as ObjectOf<F>;
  };
}

/** Reads `value` with `reader`: the value, or every issue found. */
export function readShape<T>(reader: Reader<T>, value: unknown): { ok: true; value: T } | { ok: false; issues: ShapeIssue[] } {
  const issues: ShapeIssue[] = [];
  const read = reader(value, '', issues);
  return issues.length ? { ok: false, issues } : { ok: true, value: read };
}

/**
 * Issues as the fields an InvalidInputError names: at most `max` (20) of them, the value itself
 * called `root`, every path under `prefix` when one is given, and a path cut short past 64
 * characters (a path can hold a key the caller chose).
 */
export function fieldErrors(issues: ShapeIssue[], opts: { root: string; prefix?: string; max?: number }): FieldError[] {
  return issues.slice(0, opts.max ?? 20).map((issue) => {
    const path = issue.path.length > 64 ? `${issue.path.slice(0, 63)}…` : issue.path;
    return { field: path ? (opts.prefix ? `${opts.prefix}.${path}` : path) : opts.root, message: issue.message };
  });
}
