/** An OU reference in a request: a path of OU names below the root, or an OU id. */
export type OuRef = { kind: 'id'; id: string } | { kind: 'path'; segments: string[] };

export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
/** Organizations allows OUs nested five levels below the root. */
export const MAX_OU_DEPTH = 5;

/** Parses `Workloads/Staging`, `/Workloads/Staging/` or `ou-ab12-cdef3456`; returns a problem string on bad input. */
export function parseOuRef(input: string): OuRef | string {
  const value = input.trim();
  if (!value) return 'must not be blank';
  if (value.startsWith('ou-')) {
    return OU_ID_PATTERN.test(value) ? { kind: 'id', id: value } : 'looks like an OU id but is not of the form ou-xxxx-xxxxxxxx';
  }
  if (!/^[\x20-\x7E]+$/.test(value)) return 'must be printable ASCII';
  const segments = value.replace(/^\/+|\/+$/g, '').split('/').map((s) => s.trim());
  if (segments.some((s) => s.length === 0)) return 'has an empty segment (two slashes in a row?)';
  if (segments.some((s) => s === '.' || s === '..')) return 'may not contain . or .. segments';
  if (segments.some((s) => s.length > 128)) return 'has an OU name longer than 128 characters';
  if (segments.length > MAX_OU_DEPTH) return `may be at most ${MAX_OU_DEPTH} levels deep`;
  return { kind: 'path', segments };
}

export function formatOuRef(ref: OuRef): string {
  return ref.kind === 'id' ? ref.id : ref.segments.join('/');
}

export function joinOuPath(segments: readonly string[]): string {
  return segments.join('/');
}
