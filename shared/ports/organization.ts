/** The AWS Organizations operations Switchyard uses, as plain data. Adapters map SDK errors to domain errors. */

export type CreateAccountState = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

export interface CreateAccountStatus {
  /** `car-…` */
  id: string;
  state: CreateAccountState;
  accountName?: string;
  accountId?: string;
  failureReason?: string;
  requestedAt?: string;
  completedAt?: string;
}

export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | string;

export interface OrgAccount {
  id: string;
  name: string;
  email: string;
  status: AccountStatus;
  joinedAt?: string;
}

export interface OrgUnit {
  id: string;
  name: string;
}

export interface ParentRef {
  id: string;
  type: 'ROOT' | 'ORGANIZATIONAL_UNIT';
}

export interface CreateAccountInput {
  name: string;
  email: string;
  roleName: string;
  tags: Record<string, string>;
}

export interface Organization {
  /** Not idempotent at AWS: callers persist the returned id before doing anything else. */
  createAccount(input: CreateAccountInput): Promise<CreateAccountStatus>;
  describeCreateAccountStatus(id: string): Promise<CreateAccountStatus>;
  listCreateAccountStatus(states: CreateAccountState[]): Promise<CreateAccountStatus[]>;
  /** One account; undefined when it is not (or no longer) in the organization. */
  describeAccount(accountId: string): Promise<OrgAccount | undefined>;
  /** Tags on an account, for recognising accounts Switchyard created. */
  listTags(accountId: string): Promise<Record<string, string>>;
  getRootId(): Promise<string>;
  listChildOus(parentId: string): Promise<OrgUnit[]>;
  /** Creates an OU; an existing OU of that name under the parent is returned instead of failing. */
  createOu(parentId: string, name: string): Promise<OrgUnit>;
  /** undefined when no OU has that id. */
  describeOu(id: string): Promise<OrgUnit | undefined>;
  listParents(childId: string): Promise<ParentRef[]>;
  /** The accounts directly under a root or OU (drift checks walk the tree with it). */
  listAccountsForParent(parentId: string): Promise<OrgAccount[]>;
  /** Organizations API requests sent so far through this adapter, every page and retry included. */
  apiCalls(): number;
  describeOrganizationId(): Promise<string>;
  /** The management account's id (DescribeOrganization): the one account never closed. */
  managementAccountId(): Promise<string>;
  /**
   * Asks AWS to close a member account: `already-closed` when it is closed or closing,
   * `quota-exceeded` when AWS's rolling closing quota is full (nothing happened).
   */
  closeAccount(accountId: string): Promise<'requested' | 'already-closed' | 'quota-exceeded'>;
  /** Adds or overwrites tags on an account. */
  tagAccount(accountId: string, tags: Record<string, string>): Promise<void>;
  /** Already in the destination counts as done. */
  moveAccount(accountId: string, sourceParentId: string, destinationParentId: string): Promise<void>;
}
