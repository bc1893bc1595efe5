import { createHash } from 'node:crypto';
import type { EnvironmentRequest } from './request';

/** Lower-case, hyphen-separated form of a name: `Playground Ana` → `playground-ana`. */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'env';
}

/** Names are unique regardless of case and surrounding/inner spacing. */
export function nameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The environment id is derived from its name, so two requests for the same name meet on the same
 * registry item (a conditional write settles the race) and the same Step Functions execution name.
 * Only `[a-z0-9-]`, at most 49 characters: safe as an execution name, a URL segment and a log field.
 */
export function environmentId(name: string): string {
  const hash = createHash('sha256').update(nameKey(name)).digest('hex').slice(0, 8);
  return `${slugify(name).slice(0, 40).replace(/-+$/, '')}-${hash}`;
}

export const ENVIRONMENT_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,40})-[0-9a-f]{8}$/;

/**
 * The digest of what was asked for (never who asked): equal digests mean the same request again. A
 * lease asked for (`ttl`, in seconds) is part of it; a request without one digests as it always did.
 */
export function requestDigest(request: Pick<EnvironmentRequest, 'name' | 'email' | 'ou' | 'color' | 'tags' | 'ttlSeconds'>): string {
  return requestHash({ name: request.name, email: request.email, ou: request.ou, color: request.color, tags: request.tags, ttl: request.ttlSeconds });
}

/** Stable digest of a request's meaningful content, to tell "the same request again" from a different one. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 32);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
