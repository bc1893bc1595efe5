/**
 * The admin's permission to switch into Switchyard's accounts, as IAM managed policies.
 *
 * One statement per policy allows `sts:AssumeRole` on the organization access role in any account
 * whose organization path lies under an OU Switchyard placed an account in
 * (`aws:ResourceOrgPaths`). The documents grow with the number of OUs, not of accounts, so 1,000
 * accounts in 50 OUs fit in one policy; more OUs spill into further policies, never past the limits
 * below. Attaching a policy to the admin group is then a one-off.
 */

import { GrantCapacityError } from './errors';

/** IAM's limits that a grant must never reach. */
export const IAM_LIMITS = {
  /** Managed policy document, in characters not counting white space. */
  managedPolicyChars: 6144,
  /** Versions kept per managed policy. */
  policyVersions: 5,
  /** Managed policies attached to one group, user or role (default quota). */
  attachedPolicies: 10,
} as const;

/** Leave room under the document limit for the identifiers IAM adds, and a slot for the admin's own policies. */
const DOCUMENT_BUDGET = IAM_LIMITS.managedPolicyChars - 300;
export const MAX_GRANT_POLICIES = 5;

export interface GrantPolicy {
  /** `<prefix>-1`, `<prefix>-2`…: stable names, so a re-run updates rather than adds. */
  name: string;
  document: string;
}


/** `o-abc/r-ab12/ou-ab12-1111/ou-ab12-2222/` → the path pattern that covers every account below that OU. */
export function orgPathPattern(orgId: string, rootId: string, ouChain: readonly string[]): string {
  return `${[orgId, rootId, ...ouChain].join('/')}/*`;
}

function renderDocument(roleName: string, patterns: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SwitchIntoSwitchyardAccounts',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `arn:aws:iam::*:role/${roleName}`,
        Condition: { 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': [...patterns] } },
      },
    ],
  });
}

export function documentChars(document: string): number {
  return document.replace(/\s/g, '').length;
}

/**
 * Renders the policies for a set of OU path patterns: sorted and de-duplicated (so the same set
 * always gives the same documents and a re-run changes nothing), packed into as few policies as fit.
 */
export function renderGrantPolicies(opts: { prefix: string; roleName: string; patterns: Iterable<string> }): GrantPolicy[] {
  const patterns = [...new Set(opts.patterns)].sort();
  if (patterns.length === 0) return [];
  const policies: GrantPolicy[] = [];
  let current: string[] = [];
  for (const pattern of patterns) {
    const next = [...current, pattern];
    if (current.length && documentChars(renderDocument(opts.roleName, next)) > DOCUMENT_BUDGET) {
      policies.push({ name: `${opts.prefix}-${policies.length + 1}`, document: renderDocument(opts.roleName, current) });
      current = [pattern];
    } else {
      current = next;
    }
  }
  policies.push({ name: `${opts.prefix}-${policies.length + 1}`, document: renderDocument(opts.roleName, current) });
  if (policies.length > MAX_GRANT_POLICIES) {
    throw new GrantCapacityError(`${patterns.length} OUs need ${policies.length} grant policies; at most ${MAX_GRANT_POLICIES} are attached to the admin principal.`);
  }
  return policies;
}
