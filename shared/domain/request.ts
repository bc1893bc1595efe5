import * as z from 'zod/mini';
import { parseColor, defaultColor, PALETTE_HEXES, PALETTE_NAMES } from './colors';
import { emailFromTemplate, emailProblem } from './email';
import { InvalidInputError, type FieldError } from './errors';
import { environmentId, requestDigest, slugify } from './naming';
import { formatOuRef, parseOuRef } from './ou-path';
import { deferredSchema } from './deferred-schema';
import { parseDuration } from './duration';
import { leaseProblem } from './lease';

const PRINTABLE = /^[\x20-\x7E]*$/;
/**
 * Letters, digits and spaces of any script, and `_ . : / = + - @` (AWS's tag pattern). Built when the
 * request schema is: V8 expands the Unicode property classes of a regular expression literal while it
 * parses the code around it, which cost every function importing this module some 3 million instructions at load.
 */
const tagChars = () => new RegExp('^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$', 'u');
/** Keys that would reach Object.prototype if ever copied naively into a plain object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const RESERVED_TAG_PREFIXES = ['aws:', 'switchyard:'];

/** The body of `POST /environments` (and of every other trigger), exactly as a caller sends it. */
export const EnvironmentRequestSchema = deferredSchema(() => {
  const TAG_CHARS = tagChars();
  const TagKeySchema = z.string().check(
    z.minLength(1, 'tag keys must not be empty'),
    z.maxLength(128, 'tag keys are at most 128 characters'),
    z.regex(TAG_CHARS, 'tag keys may contain letters, digits, spaces and _ . : / = + - @'),
    z.refine((k) => !FORBIDDEN_KEYS.has(k), 'this tag key is not allowed'),
    z.refine((k) => !RESERVED_TAG_PREFIXES.some((p) => k.toLowerCase().startsWith(p)), 'tag keys may not start with aws: or switchyard:'),
  );

  const TagValueSchema = z.string().check(
    z.maxLength(256, 'tag values are at most 256 characters'),
    z.regex(TAG_CHARS, 'tag values may contain letters, digits, spaces and _ . : / = + - @'),
  );

  return z.strictObject({
    name: z.pipe(
      z.pipe(
        z.string(),
        z.transform((s) => s.trim().replace(/ {2,}/g, ' ')),
      ),
      z.string().check(
        z.minLength(1, 'must not be blank'),
        z.maxLength(50, 'must be at most 50 characters'),
        z.regex(PRINTABLE, 'must be printable ASCII (no control or non-ASCII characters)'),
      ),
    ),
    email: z.optional(
      z
        .pipe(
          z.string(),
          z.transform((s) => s.trim()),
        )
        .check(
          z.superRefine((email, ctx) => {
            const problem = emailProblem(email);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
        ),
    ),
    ou: z.string().check(
      z.superRefine((ou, ctx) => {
        const parsed = parseOuRef(ou);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
      }),
    ),
    color: z.optional(
      z.string().check(
        z.superRefine((c, ctx) => {
          if (!parseColor(c)) ctx.addIssue({ code: 'custom', message: `must be one of the console colours: ${PALETTE_NAMES} (or their hex ${PALETTE_HEXES})` });
        }),
      ),
    ),
    tags: z.optional(z.record(TagKeySchema, TagValueSchema).check(z.refine((t) => Object.keys(t).length <= 50, 'at most 50 tags'))),
    requestedBy: z.optional(
      z.string().check(
        z.trim(),
        z.minLength(1, 'must not be blank'),
        z.maxLength(128, 'must be at most 128 characters'),
        z.regex(PRINTABLE, 'must be printable ASCII'),
      ),
    ),
    /** How long the environment lives once READY: an ISO 8601 duration (`P14D`, `PT12H`). */
    ttl: z.optional(
      z.string().check(
        z.maxLength(MAX_TTL_LENGTH, `must be at most ${MAX_TTL_LENGTH} characters`),
        z.superRefine((ttl, ctx) => {
          const problem = ttlFormatProblem(ttl);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      ),
    ),
  });
});

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

export type EnvironmentRequestInput = z.input<typeof EnvironmentRequestSchema>;

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

export function zodFieldErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.slice(0, MAX_FIELD_ERRORS).map((issue) => ({
    field: issue.path.length ? echo(issue.path.map(String).join('.')) : '(body)',
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s): ${keyList(issue.keys)}`
        : issue.code === 'invalid_key'
          ? (issue.issues[0]?.message ?? issue.message)
          : issue.message,
  }));
}

/** Validates a caller's body and applies defaults; throws InvalidInputError naming every bad field. */
export function parseEnvironmentRequest(body: unknown, defaults: RequestDefaults): EnvironmentRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidInputError('The request body must be a JSON object.', [{ field: '(body)', message: 'must be a JSON object' }]);
  }
  // JSON.parse makes "__proto__" an own key, which zod's record parsing skips silently: refuse it here.
  const rawTags = (body as { tags?: unknown }).tags;
  if (rawTags && typeof rawTags === 'object' && Object.keys(rawTags).some((k) => FORBIDDEN_KEYS.has(k))) {
    throw new InvalidInputError('Invalid request: tags may not use the keys __proto__, constructor or prototype', [
      { field: 'tags', message: 'may not use the keys __proto__, constructor or prototype' },
    ]);
  }
  const parsed = EnvironmentRequestSchema.safeParse(body);
  // A ttl of the right form may still be outside the limits: named with every other field at fault.
  const ttl = leaseLimitProblem((body as { ttl?: unknown }).ttl, defaults.lease);
  if (!parsed.success || ttl) {
    const fields = [...(parsed.success ? [] : zodFieldErrors(parsed.error)), ...(ttl ? [{ field: 'ttl', message: ttl }] : [])];
    throw new InvalidInputError(`Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, fields);
  }
  const input = parsed.data;
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

