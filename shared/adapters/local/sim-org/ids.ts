import { randomInt } from 'node:crypto';
import type { OrgState } from './state';

/** Ids and ARNs shaped like AWS's: `o-…`, `r-…`, `ou-…`, `car-…`, 12-digit account numbers. */

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function alnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

export function accountNumber(): string {
  return String(randomInt(0, 1_000_000_000_000)).padStart(12, '0');
}

export function uniqueId(make: () => string, taken: (id: string) => boolean): string {
  for (;;) {
    const id = make();
    if (!taken(id)) return id;
  }
}

export function arn(s: OrgState, resource: string): string {
  return `arn:aws:organizations::${s.managementAccountId}:${resource}`;
}
