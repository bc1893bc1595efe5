import type { GrantPolicy } from '../domain/access-policy';
import type { AccountColor } from '../domain/colors';

/** The management-account IAM group or user that may switch into new accounts. */
export interface AdminPrincipal {
  type: 'group' | 'user';
  name: string;
}

/** IAM in the management account: the admin's grant policies. */
export interface AccessGrants {
  /** Makes each named managed policy hold its document and be attached to the principal; returns the names it changed. */
  apply(principal: AdminPrincipal, policies: GrantPolicy[]): Promise<{ changed: string[] }>;
}

/** IAM inside a new account, reached through its organization access role. */
export interface AccountSetup {
  /**
   * Sets the account alias: 'set', 'already' (it has this alias) or 'taken' (another AWS account has it).
   * Throws RoleNotReadyError while the account's role cannot be assumed yet.
   */
  setAlias(accountId: string, roleName: string, alias: string): Promise<'set' | 'already' | 'taken'>;

  /**
   * Sets the colour the console shows for the whole account, for everyone who signs in to it
   * (UpdateAccountCustomizations, which is idempotent). Throws RoleNotReadyError while the account's
   * role cannot be assumed yet; AwsRequestRejectedError when AWS refuses the colour, RetryableAwsError
   * when it was still throttled, failing or unreachable after the adapter's own retries.
   */
  setAccountColor(accountId: string, roleName: string, color: AccountColor): Promise<void>;
}

/** Whether a managed account's organization access role can be assumed (drift checks): STS alone. */
export interface RoleProbe {
  /** undefined when the role can be assumed; otherwise what stood in the way. */
  roleProblem(accountId: string, roleName: string): Promise<string | undefined>;
}
