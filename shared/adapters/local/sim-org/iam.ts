import type { IamState } from '../sim-iam';
import { SimulatedAwsError } from './errors';
import type { OrgState } from './state';

/**
 * The part of IAM and STS that belongs to the organization: assuming the organization access role
 * of a new account, account aliases, and the management account's IAM state, which lives in this
 * state (so it shares the file, the lock and a restart's memory). The IAM operations themselves are
 * modelled in sim-iam.ts, over the IamState handed out by SimulatedOrganization.iamState.
 */

export interface SimulatedGrantsView {
  policies: { name: string; arn: string; versions: number; document: unknown }[];
  attachments: Record<string, string[]>;
}

export function emptyIam(): IamState {
  return { policies: {}, attachments: {}, aliases: {} };
}

/** The IAM state to change, added to a state written before grants and aliases were simulated. */
export function iamOf(s: OrgState): IamState {
  return (s.iam ??= emptyIam());
}

/**
 * Assuming the organization access role of a new account: like AWS, the role becomes usable a
 * little after the account exists (`roleDelaySeconds`), and only in accounts the organization created.
 */
export function assumeOrganizationRole(s: OrgState, accountId: string, roleName: string, now: Date): void {
  const account = s.accounts.find((a) => a.id === accountId);
  if (!account || account.joinedMethod !== 'CREATED' || account.id === s.managementAccountId || roleName.length === 0) {
    throw new SimulatedAwsError('AccessDenied', `Not authorized to assume ${roleName} in ${accountId}.`);
  }
  const usableAt = Date.parse(account.joinedAt) + (s.settings.roleDelaySeconds ?? 0) * 1000;
  if (now.getTime() < usableAt) throw new SimulatedAwsError('AccessDenied', `Not authorized to assume ${roleName} in ${accountId} yet.`);
}

/** IAM's rule for an alias, checked before anything else. */
export function checkAccountAlias(alias: string): void {
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(alias)) throw new SimulatedAwsError('ValidationError', `Invalid account alias ${alias}.`);
}

/** IAM's CreateAccountAlias: globally unique, one per account; the same alias again is a no-op (false: nothing changed). */
export function setAccountAlias(s: OrgState, accountId: string, alias: string): boolean {
  const iam = iamOf(s);
  const owner = Object.entries(iam.aliases).find(([, a]) => a === alias)?.[0];
  if (owner && owner !== accountId) throw new SimulatedAwsError('EntityAlreadyExists', `The account alias ${alias} already exists.`);
  if (iam.aliases[accountId] === alias) return false;
  iam.aliases[accountId] = alias;
  return true;
}

export function grantsView(s: OrgState): SimulatedGrantsView {
  return {
    policies: Object.entries(s.iam?.policies ?? {}).map(([name, p]) => ({
      name,
      arn: p.arn,
      versions: p.versions.length,
      document: JSON.parse(p.versions.find((v) => v.id === p.defaultVersionId)!.document),
    })),
    attachments: { ...(s.iam?.attachments ?? {}) },
  };
}
