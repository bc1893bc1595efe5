import { aliasCandidates, ACCOUNT_ALIAS_PATTERN } from '../../shared/domain/account-alias';
import { documentChars, IAM_LIMITS, MAX_GRANT_POLICIES, orgPathPattern, renderGrantPolicies } from '../../shared/domain/access-policy';

const ORG = 'o-a1b2c3d4e5';
const ROOT = 'r-ab12';
const ou = (n: number) => `ou-ab12-${String(n).padStart(8, '0')}`;

/** 1,000 accounts spread over 50 OUs nested up to three levels, as a grown organization looks. */
function organization(accounts: number, ous: number) {
  const chains = Array.from({ length: ous }, (_, i) => (i % 3 === 0 ? [ou(i)] : i % 3 === 1 ? [ou(1000 + i), ou(i)] : [ou(2000 + i), ou(3000 + i), ou(i)]));
  return Array.from({ length: accounts }, (_, i) => orgPathPattern(ORG, ROOT, chains[i % ous]!));
}

describe('admin grant policies', () => {
  it('covers 1,000 accounts in 50 OUs within every IAM limit', () => {
    const patterns = organization(1000, 50);
    const policies = renderGrantPolicies({ prefix: 'switchyard-admin-access', roleName: 'OrganizationAccountAccessRole', patterns });
    expect(policies.length).toBeGreaterThanOrEqual(1);
    expect(policies.length).toBeLessThanOrEqual(MAX_GRANT_POLICIES);
    // The admin group keeps room for its own policies under the 10-attached quota.
    expect(policies.length).toBeLessThan(IAM_LIMITS.attachedPolicies);
    const covered = new Set<string>();
    for (const policy of policies) {
      expect(documentChars(policy.document)).toBeLessThanOrEqual(IAM_LIMITS.managedPolicyChars);
      expect(policy.name).toMatch(/^[\w+=,.@-]{1,128}$/);
      const doc = JSON.parse(policy.document);
      expect(doc.Statement).toHaveLength(1);
      expect(doc.Statement[0]).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/OrganizationAccountAccessRole' });
      for (const p of doc.Statement[0].Condition['ForAnyValue:StringLike']['aws:ResourceOrgPaths']) covered.add(p);
    }
    expect(covered).toEqual(new Set(patterns));
  });

  it('grows with OUs, not accounts: 10,000 accounts in the same 50 OUs render the same documents', () => {
    const render = (n: number) => renderGrantPolicies({ prefix: 'p', roleName: 'OrganizationAccountAccessRole', patterns: organization(n, 50) });
    expect(render(10_000)).toEqual(render(1000));
  });

  it('spills into further policies as OUs grow, and refuses before passing the attached-policy quota', () => {
    const many = renderGrantPolicies({ prefix: 'p', roleName: 'OrganizationAccountAccessRole', patterns: organization(300, 300) });
    expect(many.length).toBeGreaterThan(1);
    for (const p of many) expect(documentChars(p.document)).toBeLessThanOrEqual(IAM_LIMITS.managedPolicyChars);
    expect(() => renderGrantPolicies({ prefix: 'p', roleName: 'OrganizationAccountAccessRole', patterns: organization(2000, 2000) })).toThrow(
      expect.objectContaining({ name: 'GrantCapacityError' }),
    );
  });

  it('is stable: order and duplicates do not change the documents, so a re-run writes no new version', () => {
    const a = renderGrantPolicies({ prefix: 'p', roleName: 'R', patterns: ['o-1/r-1/ou-b/*', 'o-1/r-1/ou-a/*'] });
    const b = renderGrantPolicies({ prefix: 'p', roleName: 'R', patterns: ['o-1/r-1/ou-a/*', 'o-1/r-1/ou-b/*', 'o-1/r-1/ou-a/*'] });
    expect(a).toEqual(b);
    expect(renderGrantPolicies({ prefix: 'p', roleName: 'R', patterns: [] })).toEqual([]);
  });
});

describe('account alias candidates', () => {
  it('starts from the name and falls back to suffixes and finally the account id', () => {
    expect(aliasCandidates('Staging', '123456789012')).toEqual(['staging', 'staging-2', 'staging-3', 'staging-4', 'staging-123456789012']);
    expect(aliasCandidates('Staging', '123456789012', 'acme-')[0]).toBe('acme-staging');
  });

  it('always yields valid aliases: 3–63 lowercase letters, digits and single hyphens', () => {
    for (const name of ['x', 'Playground  Ana', 'a'.repeat(50), '!!!', 'Prod--EU', '-Lead-']) {
      const candidates = aliasCandidates(name, '123456789012');
      expect(candidates.length).toBeGreaterThan(0);
      for (const c of candidates) expect(c).toMatch(ACCOUNT_ALIAS_PATTERN);
    }
  });
});
