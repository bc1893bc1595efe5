import { aliasCandidates } from '../../shared/domain/account-alias';
import { orgPathPattern, renderGrantPolicies } from '../../shared/domain/access-policy';

const ORG = 'o-a1b2c3d4e5';
const ROOT = 'r-ab12';
const ou = (n: number) => `ou-ab12-${String(n).padStart(8, '0')}`;

/** IAM's limits (IAM User Guide, "IAM and AWS STS quotas"). */
const MANAGED_POLICY_CHARS = 6144;
const ATTACHED_POLICIES_PER_GROUP = 10;

/** How IAM counts a policy's size: every character but white space. */
const iamChars = (document: string) => document.replace(/\s/g, '').length;

/** The aws:ResourceOrgPaths pattern for everything below an OU, as IAM documents it: `o-…/r-…/ou-…/ou-…/*`. */
const pathPattern = (chain: string[]) => `${ORG}/${ROOT}/${chain.join('/')}/*`;

/** N accounts spread over M OUs nested up to three levels, as a grown organization looks: one pattern per account. */
function organization(accounts: number, ous: number) {
  const chains = Array.from({ length: ous }, (_, i) => (i % 3 === 0 ? [ou(i)] : i % 3 === 1 ? [ou(1000 + i), ou(i)] : [ou(2000 + i), ou(3000 + i), ou(i)]));
  return Array.from({ length: accounts }, (_, i) => pathPattern(chains[i % ous]!));
}

const orgPaths = (document: string): string[] => JSON.parse(document).Statement[0].Condition['ForAnyValue:StringLike']['aws:ResourceOrgPaths'];

describe('orgPathPattern', () => {
  it('covers every account below the OU', () => {
    expect(orgPathPattern('o-abc', 'r-ab12', ['ou-ab12-1111', 'ou-ab12-2222'])).toBe('o-abc/r-ab12/ou-ab12-1111/ou-ab12-2222/*');
  });
});

describe('admin grant policies', () => {
  it('covers 1,000 accounts in 50 OUs with one policy within every IAM limit', () => {
    const patterns = organization(1000, 50);
    const policies = renderGrantPolicies({ prefix: 'switchyard-admin-access', roleName: 'OrganizationAccountAccessRole', patterns });
    expect(policies.map((p) => p.name)).toEqual(['switchyard-admin-access-1']);
    const [policy] = policies;
    expect(iamChars(policy!.document)).toBeLessThanOrEqual(MANAGED_POLICY_CHARS);
    const doc = JSON.parse(policy!.document);
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0]).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/OrganizationAccountAccessRole' });
    expect(new Set(orgPaths(policy!.document))).toEqual(new Set(patterns));
  });

  it('grows with OUs, not accounts: 10,000 accounts in the same 50 OUs give one policy naming each OU once, sorted', () => {
    const patterns = organization(10_000, 50);
    const policies = renderGrantPolicies({ prefix: 'p', roleName: 'OrganizationAccountAccessRole', patterns });
    expect(policies).toHaveLength(1);
    expect(orgPaths(policies[0]!.document)).toEqual([...new Set(patterns)].sort());
  });

  it('spills into further policies as OUs grow, and refuses before passing the attached-policy quota', () => {
    const patterns = organization(300, 300);
    const many = renderGrantPolicies({ prefix: 'p', roleName: 'OrganizationAccountAccessRole', patterns });
    expect(many.length).toBeGreaterThan(1);
    // At most five, which leaves room for the admin group's own policies under its quota.
    expect(many.length).toBeLessThanOrEqual(5);
    expect(many.length).toBeLessThan(ATTACHED_POLICIES_PER_GROUP);
    expect(many.map((p) => p.name)).toEqual(many.map((_, i) => `p-${i + 1}`));
    for (const p of many) expect(iamChars(p.document)).toBeLessThanOrEqual(MANAGED_POLICY_CHARS);
    // Each OU in exactly one policy.
    expect(many.flatMap((p) => orgPaths(p.document)).sort()).toEqual([...new Set(patterns)].sort());
    expect(() => renderGrantPolicies({ prefix: 'p', roleName: 'OrganizationAccountAccessRole', patterns: organization(2000, 2000) })).toThrow(
      expect.objectContaining({ name: 'GrantCapacityError' }),
    );
  });

  it('is stable: order and duplicates do not change the document, so a re-run writes no new version', () => {
    const expected = [
      {
        name: 'p-1',
        document: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'SwitchIntoSwitchyardAccounts',
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Resource: 'arn:aws:iam::*:role/R',
              Condition: { 'ForAnyValue:StringLike': { 'aws:ResourceOrgPaths': ['o-1/r-1/ou-a/*', 'o-1/r-1/ou-b/*'] } },
            },
          ],
        }),
      },
    ];
    expect(renderGrantPolicies({ prefix: 'p', roleName: 'R', patterns: ['o-1/r-1/ou-b/*', 'o-1/r-1/ou-a/*'] })).toEqual(expected);
    expect(renderGrantPolicies({ prefix: 'p', roleName: 'R', patterns: ['o-1/r-1/ou-a/*', 'o-1/r-1/ou-b/*', 'o-1/r-1/ou-a/*'] })).toEqual(expected);
    expect(renderGrantPolicies({ prefix: 'p', roleName: 'R', patterns: [] })).toEqual([]);
  });
});

describe('account alias candidates', () => {
  it('starts from the name and falls back to suffixes and finally the account id', () => {
    expect(aliasCandidates('Staging', '123456789012')).toEqual(['staging', 'staging-2', 'staging-3', 'staging-4', 'staging-123456789012']);
    expect(aliasCandidates('Staging', '123456789012', 'acme-')[0]).toBe('acme-staging');
  });

  /** IAM CreateAccountAlias: 3–63 characters, lowercase letters and digits, hyphens only between them, never two in a row. */
  const ALIAS = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;

  it('always yields valid aliases: 3–63 lowercase letters, digits and single hyphens', () => {
    for (const name of ['x', 'Playground  Ana', 'a'.repeat(50), '!!!', 'Prod--EU', '-Lead-']) {
      const candidates = aliasCandidates(name, '123456789012');
      expect(candidates.length).toBeGreaterThan(0);
      for (const c of candidates) expect(c).toMatch(ALIAS);
    }
  });
});
