/**
 * What Switchyard knows of the organization without asking it: every account's name, email, status
 * and parent, and the OU paths, kept in the registry. The pre-flight reads it in O(1) instead of
 * walking every account on each request. It is refreshed by every drift walk (whole), by the
 * organization's CloudTrail events (one account or OU at a time) and by Switchyard's own creations,
 * so it can lag the organization by as much as the time since the last of those; AWS itself still
 * refuses a taken email or a full organization, and the environment then fails with the reason.
 */

export interface IndexedAccount {
  id: string;
  name: string;
  email: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE as AWS reports it. */
  status: string;
  /** Root or OU id, when known. */
  parentId?: string;
}

export interface OrganizationIndexSummary {
  /** Accounts in the index (a walk's count, kept up to date by events and own creations since). */
  accounts: number;
  /** When a complete walk last rebuilt the index; absent until the first one. */
  refreshedAt?: string;
  /** When anything last changed it. */
  updatedAt?: string;
}

export interface OrganizationSnapshotForIndex {
  accounts: IndexedAccount[];
  /** Every OU by its path below the root (`Workloads/Staging`). */
  ous: Array<{ path: string; id: string }>;
}

export interface OrganizationIndex {
  /** Accounts whose name matches, ignoring case and repeated spaces (as environment names are compared). */
  accountsNamed(name: string): Promise<IndexedAccount[]>;
  /** The account using this email (any case). */
  accountWithEmail(email: string): Promise<IndexedAccount | undefined>;
  summary(): Promise<OrganizationIndexSummary>;
  /** The id of the OU at this path, if the index knows it. */
  ouIdAt(path: string): Promise<string | undefined>;
  /** The path of this OU id, if the index knows it. */
  ouPathOf(id: string): Promise<string | undefined>;
  /** An account seen (created, moved, closed): added or brought up to date. */
  recordAccount(account: IndexedAccount, at: Date): Promise<void>;
  /** Fields of an account the index holds, changed; nothing when it holds none. */
  updateAccount(id: string, change: Partial<Omit<IndexedAccount, 'id'>>, at: Date): Promise<void>;
  /** An account that left the organization. */
  forgetAccount(id: string, at: Date): Promise<void>;
  /** An OU found at a path. */
  recordOu(path: string, id: string, at: Date): Promise<void>;
  /** An OU renamed or deleted: it and every path below it are forgotten until seen again. */
  forgetOu(id: string, at: Date): Promise<void>;
  /** A complete walk: the index becomes exactly this, writing only what changed. */
  replace(snapshot: OrganizationSnapshotForIndex, at: Date): Promise<{ written: number; removed: number }>;
}
