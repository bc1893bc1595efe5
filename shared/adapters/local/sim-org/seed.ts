import { SimulatedAwsError } from './errors';
import { accountNumber, uniqueId } from './ids';
import { inProgress } from './creation';
import { addOu, MAX_OUS } from './ous';
import type { OrgState, OuRecord } from './state';

/** Filling the organization with accounts and OUs for tests at scale (`npm run sim -- seed`). */

/** `seed` puts its OUs under this many top-level ones (fewer when it makes fewer OUs). */
const SEED_TOP_LEVEL_OUS = 4;

export interface SimulatedSeedOptions {
  accounts: number;
  ous: number;
}

export interface SimulatedSeedSummary {
  accounts: number;
  ous: number;
  /** The new top-level OUs the seeded ones hang under, e.g. `Seed-1`. */
  topLevel: string[];
  /** The account quota after seeding. */
  accountQuota: number;
}

/** Checked before anything happens. */
export function checkSeedOptions({ accounts, ous }: SimulatedSeedOptions): void {
  if (!Number.isInteger(accounts) || accounts < 0) throw new RangeError(`accounts must be a whole number, 0 or more (got ${accounts}).`);
  if (!Number.isInteger(ous) || ous < 0) throw new RangeError(`ous must be a whole number, 0 or more (got ${ous}).`);
}

/**
 * `ous` OUs under a few new top-level OUs (`Seed-1`, `Seed-2`, …) nested at most three levels deep,
 * and `accounts` ACTIVE accounts dealt round-robin over them (into the root when `ous` is 0), with
 * emails `seed+<n>@example.com`. The account quota grows to make room.
 */
export function seed(s: OrgState, { accounts, ous }: SimulatedSeedOptions, now: Date): SimulatedSeedSummary {
  if (s.ous.length + ous > MAX_OUS) {
    throw new SimulatedAwsError('ConstraintViolationException', `An organization may hold at most ${MAX_OUS} OUs; it has ${s.ous.length} and ${ous} more were asked for.`, {
      Reason: 'OU_NUMBER_LIMIT_EXCEEDED',
    });
  }
  const roomBefore = Math.max(0, s.settings.accountQuota - s.accounts.length - inProgress(s));
  const parents = seedOus(s, ous);
  const ids = new Set(s.accounts.map((a) => a.id));
  const emails = new Set(s.accounts.map((a) => a.email.toLowerCase()));
  let n = 0;
  const joinedAt = now.toISOString();
  for (let i = 0; i < accounts; i++) {
    do n++;
    while (emails.has(`seed+${n}@example.com`));
    const email = `seed+${n}@example.com`;
    emails.add(email);
    const id = uniqueId(accountNumber, (candidate) => ids.has(candidate));
    ids.add(id);
    s.accounts.push({
      seq: s.nextSeq++,
      id,
      name: `Seed ${n}`,
      email,
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      joinedAt,
      parentId: parents.length === 0 ? s.rootId : parents[i % parents.length]!.id,
      tags: {},
    });
  }
  // The room left for new accounts (and for creations in progress) stays what it was before
  // seeding, so Switchyard and create-account can still add accounts afterwards.
  s.settings.accountQuota = Math.max(s.settings.accountQuota, s.accounts.length + inProgress(s) + roomBefore);
  return { accounts, ous, topLevel: parents.filter((p) => p.parentId === s.rootId).map((p) => p.name), accountQuota: s.settings.accountQuota };
}

/**
 * `count` new OUs, breadth first: a few top-level ones named after the first free `Seed-<k>`, each
 * with `Team-<i>` children and those with `App-<j>` children, branching just widely enough that
 * three levels hold them all. Returned in creation order.
 */
function seedOus(s: OrgState, count: number): OuRecord[] {
  if (count === 0) return [];
  const topCount = Math.min(count, SEED_TOP_LEVEL_OUS);
  let branching = 1;
  while (topCount * (1 + branching + branching * branching) < count) branching++;
  const taken = new Set(s.ous.filter((o) => o.parentId === s.rootId).map((o) => o.name));
  const created: OuRecord[] = [];
  for (let k = 1; created.length < topCount; k++) {
    if (!taken.has(`Seed-${k}`)) created.push(addOu(s, s.rootId, `Seed-${k}`, {}));
  }
  for (let next = 0; created.length < count; next++) {
    const parent = created[next]!;
    const childName = parent.parentId === s.rootId ? 'Team' : 'App';
    for (let i = 1; i <= branching && created.length < count; i++) created.push(addOu(s, parent.id, `${childName}-${i}`, {}));
  }
  return created;
}
