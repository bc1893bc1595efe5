import { slugify } from './naming';

/** IAM account aliases: 3–63 lowercase letters, digits and single hyphens, not starting or ending with one. */
export const ACCOUNT_ALIAS_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;

/**
 * Aliases to try, best first. Aliases are unique across all of AWS, so a taken one is followed by
 * suffixed forms; the last resort carries the account id, which no other account can have.
 */
export function aliasCandidates(name: string, accountId: string, prefix = ''): string[] {
  const base = fit(`${prefix}${slugify(name)}`.replace(/-{2,}/g, '-'), 63);
  const candidates = [base, ...[2, 3, 4].map((n) => `${fit(base, 63 - String(n).length - 1)}-${n}`), `${fit(base, 63 - 13)}-${accountId}`];
  return [...new Set(candidates.map((c) => (c.length < 3 ? `${c}-${accountId}` : c)))].filter((c) => ACCOUNT_ALIAS_PATTERN.test(c));
}

function fit(value: string, max: number): string {
  return value.slice(0, max).replace(/-+$/, '');
}
