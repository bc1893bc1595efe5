import { parseColor, defaultColor, PALETTE_HEXES, PALETTE_NAMES } from './colors';
import { emailFromTemplate, emailProblem } from './email';
import { InvalidInputError, type FieldError } from './errors';
import { environmentId, requestDigest, slugify } from './naming';
import { formatOuRef, parseOuRef } from './ou-path';
import { parseDuration } from './duration';
import { kindOf } from './record-shape';
import { leaseProblem } from './lease';

const PRINTABLE = /^[\x20-\x7E]*$/;
/**
 * Letters, digits and spaces of any script, and `_ . : / = + - @` (AWS's tag pattern). Built on first
 * use (see tagText): V8 expands the Unicode property classes of a regular expression literal while it
 * parses the code around it, which cost every function importing this module some 3 million instructions at load.
 */
const tagChars = () => new RegExp('^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$', 'u');
/** Keys that would reach Object.prototype if ever copied naively into a plain object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const RESERVED_TAG_PREFIXES = ['aws:', 'switchyard:'];

/** What a caller's body holds, once each field has passed its rules (name and requestedBy trimmed). */
export interface EnvironmentRequestInput {
  name: string;
  email?: string;
  ou: string;
  color?: string;
  tags?: Record<string, string>;
  requestedBy?: string;
  /** How long the environment lives once READY: an ISO 8601 duration (`P14D`, `PT12H`). */
  ttl?: string;
}

const REQUEST_FIELDS: ReadonlySet<string> = new Set(['name', 'email', 'ou', 'color', 'tags', 'requestedBy', 'ttl']);
const MAX_TAGS = 50;

/** The first rule a string breaks, or undefined: each rule is `[holds, message]`. */
function firstBroken(value: string, rules: ReadonlyArray<readonly [(v: string) => boolean, string]>): string | undefined {
  return rules.find(([holds]) => !holds(value))?.[1];
}

/**
 * Whether a tag key or value holds only what tagChars allows. Plain ASCII, what nearly every tag is,
 * is checked without the Unicode expression, whose property classes V8 expands into thousands of
 * ranges the first time it is built and run.
 */
const ASCII_TAG = /^[A-Za-z0-9 _.:/=+\-@]*$/;
let unicodeTag: RegExp | undefined;
function tagText(value: string): boolean {
  if (ASCII_TAG.test(value)) return true;
  unicodeTag ??= tagChars();
  return unicodeTag.test(value);
}

const NAME_RULES = [
  [(v: string) => v.length >= 1, 'must not be blank'],
  [(v: string) => v.length <= 50, 'must be at most 50 characters'],
  [(v: string) => PRINTABLE.test(v), 'must be printable ASCII (no control or non-ASCII characters)'],
] as const;
const REQUESTED_BY_RULES = [
  [(v: string) => v.length >= 1, 'must not be blank'],
  [(v: string) => v.length <= 128, 'must be at most 128 characters'],
  [(v: string) => PRINTABLE.test(v), 'must be printable ASCII'],
] as const;
const TAG_KEY_RULES = [
  [(k: string) => k.length >= 1, 'tag keys must not be empty'],
  [(k: string) => k.length <= 128, 'tag keys are at most 128 characters'],
  [tagText, 'tag keys may contain letters, digits, spaces and _ . : / = + - @'],
  [(k: string) => !FORBIDDEN_KEYS.has(k), 'this tag key is not allowed'],
  [(k: string) => !RESERVED_TAG_PREFIXES.some((p) => k.toLowerCase().startsWith(p)), 'tag keys may not start with aws: or switchyard:'],
] as const;
const TAG_VALUE_RULES = [
  [(v: string) => v.length <= 256, 'tag values are at most 256 characters'],
  [tagText, 'tag values may contain letters, digits, spaces and _ . : / = + - @'],
] as const;

/**
 * The body of `POST /environments` (and of every other trigger), exactly as a caller sends it,
 * checked field by field: every field at fault is named (path and message), unknown fields are
 * refused together. Hand-written rather than a zod schema: building and first running that schema
 * cost each request-path function about 20 million instructions of its cold start (bench/bundles.ts).
 */
export function checkEnvironmentRequest(body: unknown): { ok: true; value: EnvironmentRequestInput } | { ok: false; fields: FieldError[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, fields: [{ field: '(body)', message: 'must be a JSON object' }] };
  const raw = body as Record<string, unknown>;
  const fields: FieldError[] = [];
  const problem = (field: string, message: string) => fields.push({ field: echo(field), message });
  /** A string field's value, or undefined after naming what it is instead (absent is fine when optional). */
  const text = (field: string, optional: boolean): string | undefined => {
    const value = raw[field];
    if (typeof value === 'string') return value;
    if (!(optional && value === undefined)) problem(field, `Invalid input: expected string, received ${kindOf(value)}`);
    return undefined;
  };
  const value: Partial<EnvironmentRequestInput> = {};

  const name = text('name', false);
  if (name !== undefined) {
    const trimmed = name.trim().replace(/ {2,}/g, ' ');
    const broken = firstBroken(trimmed, NAME_RULES);
    if (broken) problem('name', broken);
    value.name = trimmed;
  }
  const email = text('email', true);
  if (email !== undefined) {
    const trimmed = email.trim();
    const broken = emailProblem(trimmed);
    if (broken) problem('email', broken);
    value.email = trimmed;
  }
  const ou = text('ou', false);
  if (ou !== undefined) {
    const parsed = parseOuRef(ou);
    if (typeof parsed === 'string') problem('ou', parsed);
    value.ou = ou;
  }
  const color = text('color', true);
  if (color !== undefined) {
    if (!parseColor(color)) problem('color', `must be one of the console colours: ${PALETTE_NAMES} (or their hex ${PALETTE_HEXES})`);
    value.color = color;
  }
  if (raw.tags !== undefined) {
    const tags = raw.tags;
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
      problem('tags', `Invalid input: expected record, received ${kindOf(tags)}`);
    } else {
      const entries = Object.entries(tags as Record<string, unknown>);
      const read: Record<string, string> = {};
      for (const [key, tagValue] of entries) {
        const keyProblem = firstBroken(key, TAG_KEY_RULES);
        if (keyProblem) problem(`tags.${key}`, keyProblem);
        if (typeof tagValue !== 'string') problem(`tags.${key}`, `Invalid input: expected string, received ${kindOf(tagValue)}`);
        else {
          const valueProblem = firstBroken(tagValue, TAG_VALUE_RULES);
          if (valueProblem) problem(`tags.${key}`, valueProblem);
          else if (!keyProblem) Object.defineProperty(read, key, { value: tagValue, enumerable: true, writable: true, configurable: true });
        }
      }
      if (entries.length > MAX_TAGS) problem('tags', `at most ${MAX_TAGS} tags`);
      value.tags = read;
    }
  }
  const requestedBy = text('requestedBy', true);
  if (requestedBy !== undefined) {
    const trimmed = requestedBy.trim();
    const broken = firstBroken(trimmed, REQUESTED_BY_RULES);
    if (broken) problem('requestedBy', broken);
    value.requestedBy = trimmed;
  }
  const ttl = text('ttl', true);
  if (ttl !== undefined) {
    const broken = ttl.length > MAX_TTL_LENGTH ? `must be at most ${MAX_TTL_LENGTH} characters` : ttlFormatProblem(ttl);
    if (broken) problem('ttl', broken);
    value.ttl = ttl;
  }
  const unknown = Object.keys(raw).filter((key) => !REQUEST_FIELDS.has(key));
  if (unknown.length) problem('(body)', `unknown field(s): ${keyList(unknown)}`);
  return fields.length ? { ok: false, fields: fields.slice(0, MAX_FIELD_ERRORS) } : { ok: true, value: value as EnvironmentRequestInput };
}

/** `P1DT12H30M` is ten characters; anything much longer is not a lease anyone means. */
const MAX_TTL_LENGTH = 32;

/** Whole seconds in a ttl, or why it is not one (the format only; the limits come from the settings). */
function ttlSeconds(ttl: string): number | string {
  const seconds = parseDuration(ttl);
  if (typeof seconds === 'string') return seconds;
  if (!Number.isInteger(seconds)) return 'must be a whole number of seconds';
  return seconds;
}

function ttlFormatProblem(ttl: string): string | undefined {
  const seconds = ttlSeconds(ttl);
  return typeof seconds === 'string' ? seconds : undefined;
}

/** A request after validation and defaults: what the registry stores and the workflow acts on. */
export interface EnvironmentRequest {
  id: string;
  name: string;
  email: string;
  /** As requested, normalised: `Workloads/Staging` or `ou-…`. */
  ou: string;
  color: string;
  tags: Record<string, string>;
  requestedBy?: string;
  /** The lease asked for (`ttl`), in seconds; absent when the request names none (the OU's default may apply). */
  ttlSeconds?: number;
  /** Digest of the normalised request: equal digests mean "the same request again". */
  requestHash: string;
}

export interface RequestDefaults {
  /** Plus-address template for requests without an email, e.g. `admin+{slug}@example.com`. */
  emailTemplate: string;
  /** The shortest and longest `ttl` (LEASE_MAX, SWITCHYARD_MIN_LEASE_SECONDS); without them only its form is checked. */
  lease?: { minSeconds: number; maxSeconds: number };
}

/**
 * Error details echo what the caller sent (unknown keys, tag keys in paths), so they are bounded: a
 * body of thousands of bad keys must not make an error reply, or the rejection recorded for an event,
 * larger than the request (a DynamoDB item is at most 400 KB).
 */
const MAX_FIELD_ERRORS = 20;
const MAX_LISTED_KEYS = 10;
const MAX_ECHO = 64;

function echo(text: string): string {
  return text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO - 1)}…` : text;
}

function keyList(keys: string[]): string {
  const listed = keys.slice(0, MAX_LISTED_KEYS).map(echo).join(', ');
  return keys.length > MAX_LISTED_KEYS ? `${listed} and ${keys.length - MAX_LISTED_KEYS} more` : listed;
}

/** Validates a caller's body and applies defaults; throws InvalidInputError naming every bad field. */
export function parseEnvironmentRequest(body: unknown, defaults: RequestDefaults): EnvironmentRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidInputError('The request body must be a JSON object.', [{ field: '(body)', message: 'must be a JSON object' }]);
  }
  // JSON.parse makes "__proto__" an own key: refused here, before anything copies the tags.
  const rawTags = (body as { tags?: unknown }).tags;
  if (rawTags && typeof rawTags === 'object' && Object.keys(rawTags).some((k) => FORBIDDEN_KEYS.has(k))) {
    throw new InvalidInputError('Invalid request: tags may not use the keys __proto__, constructor or prototype', [
      { field: 'tags', message: 'may not use the keys __proto__, constructor or prototype' },
    ]);
  }
  const checked = checkEnvironmentRequest(body);
  // A ttl of the right form may still be outside the limits: named with every other field at fault.
  const ttl = leaseLimitProblem((body as { ttl?: unknown }).ttl, defaults.lease);
  if (!checked.ok || ttl) {
    const fields = [...(checked.ok ? [] : checked.fields), ...(ttl ? [{ field: 'ttl', message: ttl }] : [])];
    throw new InvalidInputError(`Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, fields);
  }
  const input = checked.value;
  const ou = formatOuRef(parseOuRef(input.ou) as Exclude<ReturnType<typeof parseOuRef>, string>);
  const email = input.email ?? emailFromTemplate(defaults.emailTemplate, slugify(input.name));
  const derivedProblem = input.email ? undefined : emailProblem(email);
  if (derivedProblem) {
    throw new InvalidInputError(`The email derived from the name (${email}) ${derivedProblem}; send an explicit email.`, [
      { field: 'email', message: `derived address ${derivedProblem}` },
    ]);
  }
  const color = input.color ? parseColor(input.color)! : defaultColor(input.name, ou);
  const tags = Object.fromEntries(Object.entries(input.tags ?? {}));
  const seconds = input.ttl === undefined ? undefined : (ttlSeconds(input.ttl) as number);
  // The lease is part of what was asked for: the same ttl (in any spelling of it) is the same request.
  const normalised = { name: input.name, email, ou, color, tags, requestedBy: input.requestedBy, ...(seconds !== undefined ? { ttlSeconds: seconds } : {}) };
  return { id: environmentId(input.name), ...normalised, requestHash: requestDigest(normalised) };
}

/** Why a ttl of the right form cannot be had under the limits; undefined for any other value (the schema names those). */
function leaseLimitProblem(ttl: unknown, limits: RequestDefaults['lease']): string | undefined {
  if (!limits || typeof ttl !== 'string' || ttl.length > MAX_TTL_LENGTH) return undefined;
  const seconds = ttlSeconds(ttl);
  return typeof seconds === 'string' ? undefined : leaseProblem(seconds, limits);
}

