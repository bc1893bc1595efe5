import type * as Org from '@aws-sdk/client-organizations';
import { systemClock, type Clock } from '../../../ports/clock';
import { NO_FAULTS, type SimulatedFaults } from '../sim-faults';
import type { IamState } from '../sim-iam';
import * as accounts from './accounts';
import type { SimulatedAccountView } from './accounts';
import { injectedCrash, injectedRefusal, isReadOnly, type SimulatedOperation } from './calls';
import * as closing from './closing';
import * as creation from './creation';
import * as iam from './iam';
import type { SimulatedGrantsView } from './iam';
import * as organization from './organization';
import * as ous from './ous';
import { CallPacing, type PacingSeams } from './pacing';
import * as seeding from './seed';
import type { SimulatedSeedOptions, SimulatedSeedSummary } from './seed';
import { explicitSettings, type OrgState } from './state';
import type { SimulatedOrganizationStats } from './stats';
import { OrgStore } from './store';
import * as tags from './tags';
import * as trail from './trail';
import * as uxc from './uxc';
import type { TrailCursor, TrailRecord } from './trail';

/**
 * The simulated AWS Organizations organization, one module per concern:
 *
 *   index.ts         SimulatedOrganization, the facade every caller uses, and the public exports
 *   calls.ts         the AWS operations it answers, and what happens to every call (injected faults)
 *   pacing.ts        how fast it answers: latency per call and a request rate (token bucket)
 *   draws.ts         random draws for timings (log-normal, a seeded PRNG)
 *   creation.ts      CreateAccount and the creation lifecycle; accounts made by hand
 *   accounts.ts      accounts in the organization: list, describe, move, remove
 *   closing.ts       CloseAccount and the closing lifecycle (PENDING_CLOSURE, SUSPENDED, gone), its quotas
 *   ous.ts           the root and the OU tree, OU paths
 *   tags.ts          tags on the root, OUs and accounts
 *   organization.ts  DescribeOrganization
 *   iam.ts           assuming the organization access role, account aliases, the IAM state hook
 *   uxc.ts           each account's console colour (User Experience Customization)
 *   seed.ts          filling the organization for tests at scale
 *   trail.ts         CloudTrail's records of the changes, for the organization index
 *   pagination.ts    pages and NextTokens
 *   state.ts         the state's shape, defaults and settings, loading older files
 *   store.ts         the state in memory and on disk: transactions, lock-free reads, call counts
 *   state-file.ts    the JSON file and its cross-process lock
 *   stats.ts         what the simulator counts about itself
 *   errors.ts        AWS's errors and the checks of input every operation shares
 *   ids.ts           ids and ARNs shaped like AWS's
 *
 * Operations are functions over the state, `(s: OrgState, input) => output`; the facade runs them
 * through its wrappers (`operation` for AWS calls, `change` for what a person does by hand, the
 * store's `read` and `transaction` for views), which decide when the state is written.
 */

export { SimulatedAwsError } from './errors';
export { isSimulatedOperation, SIMULATED_OPERATIONS, type SimulatedOperation } from './calls';
export { ORGANIZATION_FILE, organizationFilePath } from './state-file';
export type { SimAccountStatus } from './state';
export type { SimulatedAccountView } from './accounts';
export type { SimulatedGrantsView } from './iam';
export type { SimulatedSeedOptions, SimulatedSeedSummary } from './seed';
export type { SimulatedOrganizationStats } from './stats';
export type { TrailCursor, TrailRecord } from './trail';
export { API_CALL, SERVICE_EVENT } from './trail';
export { CLOSE_QUOTA_RULE, CLOSE_QUOTA_WINDOW_MS, CLOSED_ACCOUNT_KEPT_MS, DEFAULT_MAX_CONCURRENT_CLOSES } from './closing';
export {
  AWS_ORGANIZATIONS_BURST,
  AWS_ORGANIZATIONS_LATENCY_MS,
  AWS_ORGANIZATIONS_LATENCY_SPREAD,
  AWS_ORGANIZATIONS_RATE_PER_SECOND,
  RATE_EXCEEDED_MESSAGE,
  CallPacing,
  TokenBucket,
  type PacingCounts,
  type PacingSeams,
} from './pacing';
export { logNormal, seededRandom } from './draws';

export interface SimulatedOrganizationOptions {
  /** Keep the organization in `${dataDir}/organization.json`; without it the organization lives in memory only. */
  dataDir?: string;
  clock?: Clock;
  /** How long an account creation stays IN_PROGRESS (the median, with createSpread). Default 0: done by the next call. */
  createSeconds?: number;
  /** The log-normal's sigma around createSeconds (SWITCHYARD_SIM_CREATE_SPREAD). Default 0: every creation takes exactly createSeconds. */
  createSpread?: number;
  /** Accounts the organization may hold, the management account included (AWS's default is 10). */
  accountQuota?: number;
  /** Creations allowed IN_PROGRESS at once; one more is refused with TooManyRequestsException. */
  maxConcurrentCreates?: number;
  /** Seconds after creation before a new account's organization access role can be assumed (AWS: a few). */
  roleDelaySeconds?: number;
  /** How long a closed account stays PENDING_CLOSURE before it is SUSPENDED (SWITCHYARD_SIM_CLOSE_SECONDS). Default 0: SUSPENDED by the next call. */
  closeSeconds?: number;
  /**
   * Closings allowed within a rolling 30 days (SWITCHYARD_SIM_CLOSE_QUOTA); beyond it CloseAccount is
   * refused with CLOSE_ACCOUNT_QUOTA_EXCEEDED. Default 'default': CloseAccount's API reference's rule,
   * 10% of the member accounts, at least 10 and at most 1,000 (CLOSE_QUOTA_RULE).
   */
  closeQuota?: number | 'default';
  /** Closings allowed PENDING_CLOSURE at once (SWITCHYARD_SIM_MAX_CONCURRENT_CLOSES); one more is refused with CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED. Default 3. */
  maxConcurrentCloses?: number;
  /** Faults to inject in this process (SWITCHYARD_SIM_FAULTS); none by default. */
  faults?: SimulatedFaults;
  /** Where the fault dice and creation times come from; Math.random by default. */
  random?: () => number;
  /**
   * Median milliseconds every Organizations call takes through the transport, jittered log-normally
   * (SWITCHYARD_SIM_LATENCY_MS; AWS-like: AWS_ORGANIZATIONS_LATENCY_MS). Default 0: answered at once.
   */
  latencyMs?: number;
  /** Sigma of the latency's log-normal; AWS_ORGANIZATIONS_LATENCY_SPREAD by default. */
  latencySpread?: number;
  /**
   * Organizations calls a second this organization answers, shared by every client of it in this
   * process; a call over the rate gets TooManyRequestsException (SWITCHYARD_SIM_RATE; AWS-like:
   * AWS_ORGANIZATIONS_RATE_PER_SECOND). Default 0: never throttled.
   */
  requestRate?: number;
  /** Calls a full bucket lets through at once; one second's worth (requestRate, at least 1) by default. */
  requestBurst?: number;
  /** Tests replace the pacing's clock, its waits and its jitter here. */
  pacingSeams?: PacingSeams;
}

/**
 * An AWS Organizations organization that lives in this process (and, with a data directory, in one
 * JSON file shared with other processes). Its methods are the AWS API operations, with the SDK's
 * PascalCase request and response shapes, so the transport in sim-org-transport.ts can put the real
 * SDK client in front of it and the production adapter runs unchanged against it.
 *
 * Every method is synchronous on purpose: a call runs to completion before the next one starts, so
 * in-process callers never interleave inside an operation and the file lock is held only briefly.
 */
export class SimulatedOrganization {
  private readonly clock: Clock;
  private readonly faults: SimulatedFaults;
  private readonly random: () => number;
  private readonly store: OrgStore;
  /**
   * Latency and request rate of this process's calls, applied by the transport before a call
   * reaches the (synchronous) operation. Real time, not `clock`: the clock tests stop must not stop
   * the bucket from refilling.
   */
  readonly pacing: CallPacing;

  constructor(options: SimulatedOrganizationOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.faults = options.faults ?? NO_FAULTS;
    this.random = options.random ?? Math.random;
    this.pacing = new CallPacing(options, options.pacingSeams);
    this.store = OrgStore.open(options.dataDir, explicitSettings(options), this.clock);
  }

  // ---- AWS operations: account creation (creation.ts) --------------------------------------------

  CreateAccount(input: Org.CreateAccountRequest): Org.CreateAccountResponse {
    return this.operation('CreateAccount', (s) => {
      const { response, injected } = creation.createAccount(s, input, this.clock.now(), this.faults, this.random);
      for (const kind of injected) this.store.countFault(kind);
      return response;
    });
  }

  DescribeCreateAccountStatus(input: Org.DescribeCreateAccountStatusRequest): Org.DescribeCreateAccountStatusResponse {
    return this.operation('DescribeCreateAccountStatus', (s) => creation.describeCreateAccountStatus(s, input));
  }

  ListCreateAccountStatus(input: Org.ListCreateAccountStatusRequest = {}): Org.ListCreateAccountStatusResponse {
    return this.operation('ListCreateAccountStatus', (s) => creation.listCreateAccountStatus(s, input));
  }

  // ---- AWS operations: accounts (accounts.ts) ----------------------------------------------------

  ListAccounts(input: Org.ListAccountsRequest = {}): Org.ListAccountsResponse {
    return this.operation('ListAccounts', (s) => accounts.listAccounts(s, input));
  }

  ListAccountsForParent(input: Org.ListAccountsForParentRequest): Org.ListAccountsForParentResponse {
    return this.operation('ListAccountsForParent', (s) => accounts.listAccountsForParent(s, input));
  }

  DescribeAccount(input: Org.DescribeAccountRequest): Org.DescribeAccountResponse {
    return this.operation('DescribeAccount', (s) => accounts.describeAccount(s, input));
  }

  MoveAccount(input: Org.MoveAccountRequest): Record<string, never> {
    return this.operation('MoveAccount', (s) => {
      const out = accounts.moveAccount(s, input);
      trail.recordApiCall(s, this.clock.now(), 'MoveAccount', { accountId: input.AccountId, sourceParentId: input.SourceParentId, destinationParentId: input.DestinationParentId });
      return out;
    });
  }

  // ---- AWS operations: closing accounts (closing.ts) ---------------------------------------------

  CloseAccount(input: Org.CloseAccountRequest): Record<string, never> {
    return this.operation('CloseAccount', (s) => {
      const now = this.clock.now();
      const closed = closing.closeAccount(s, input, now);
      trail.recordApiCall(s, now, 'CloseAccount', { accountId: closed.id });
      return {};
    });
  }

  // ---- AWS operations: roots and OUs (ous.ts) ----------------------------------------------------

  ListRoots(input: Org.ListRootsRequest = {}): Org.ListRootsResponse {
    return this.operation('ListRoots', (s) => ous.listRoots(s, input));
  }

  ListOrganizationalUnitsForParent(input: Org.ListOrganizationalUnitsForParentRequest): Org.ListOrganizationalUnitsForParentResponse {
    return this.operation('ListOrganizationalUnitsForParent', (s) => ous.listOrganizationalUnitsForParent(s, input));
  }

  CreateOrganizationalUnit(input: Org.CreateOrganizationalUnitRequest): Org.CreateOrganizationalUnitResponse {
    return this.operation('CreateOrganizationalUnit', (s) => {
      const out = ous.createOrganizationalUnit(s, input);
      const ou = out.OrganizationalUnit;
      trail.recordApiCall(s, this.clock.now(), 'CreateOrganizationalUnit', { parentId: input.ParentId, name: input.Name }, { organizationalUnit: { id: ou?.Id, arn: ou?.Arn, name: ou?.Name } });
      return out;
    });
  }

  DescribeOrganizationalUnit(input: Org.DescribeOrganizationalUnitRequest): Org.DescribeOrganizationalUnitResponse {
    return this.operation('DescribeOrganizationalUnit', (s) => ous.describeOrganizationalUnit(s, input));
  }

  ListParents(input: Org.ListParentsRequest): Org.ListParentsResponse {
    return this.operation('ListParents', (s) => ous.listParents(s, input));
  }

  ListChildren(input: Org.ListChildrenRequest): Org.ListChildrenResponse {
    return this.operation('ListChildren', (s) => ous.listChildren(s, input));
  }

  // ---- AWS operations: tags (tags.ts) and the organization (organization.ts) ----------------------

  TagResource(input: Org.TagResourceRequest): Record<string, never> {
    return this.operation('TagResource', (s) => tags.tagResource(s, input));
  }

  UntagResource(input: Org.UntagResourceRequest): Record<string, never> {
    return this.operation('UntagResource', (s) => tags.untagResource(s, input));
  }

  ListTagsForResource(input: Org.ListTagsForResourceRequest): Org.ListTagsForResourceResponse {
    return this.operation('ListTagsForResource', (s) => tags.listTagsForResource(s, input));
  }

  DescribeOrganization(_input: Org.DescribeOrganizationCommandInput = {}): Org.DescribeOrganizationResponse {
    return this.operation('DescribeOrganization', (s) => organization.describeOrganization(s));
  }

  /** A call the transport refused for being over the request rate: counted like any call, then not run. */
  countThrottledCall(name: SimulatedOperation): void {
    this.store.countCall(name, true);
  }

  // ---- Helpers for the CLI, tests and drift checks (not AWS operations; not counted in stats) ----

  /** The OU path of a root or OU id: '' for the root, `Workloads/Staging` for an OU. */
  ouPath(parentId: string): string {
    return this.store.read((s) => ous.pathOf(s, parentId));
  }

  /** Every account with its OU path, the management account included, in the order they joined. */
  accountsView(): SimulatedAccountView[] {
    return this.store.transaction((s) => {
      this.settle(s);
      return s.accounts.map((a) => accounts.accountView(s, a));
    });
  }

  /** The id of the OU at `Workloads/Staging` (the root's id for ''), or undefined when there is none. */
  findOuByPath(path: string): string | undefined {
    const segments = ous.splitPath(path);
    if (!segments) return undefined;
    return this.store.read((s) => ous.findOu(s, segments));
  }

  /** Whether an OU exists at the path ('' or '/' is the root). */
  hasOuPath(path: string): boolean {
    return this.store.read((s) => ous.hasOuPath(s, path));
  }

  /** Creates whichever OUs along the path are missing and returns the id of the last one. */
  ensureOuPath(path: string): string {
    const segments = ous.newOuPathSegments(path);
    return this.store.transaction((s) => {
      const before = s.ous.length;
      try {
        return ous.ensureOuPath(s, segments);
      } finally {
        // Written only when OUs were made (also those made before a limit refused the next one).
        if (s.ous.length !== before) {
          for (const ou of s.ous.slice(before)) trail.recordApiCall(s, this.clock.now(), 'CreateOrganizationalUnit', { parentId: ou.parentId, name: ou.name }, { organizationalUnit: { id: ou.id, name: ou.name } });
          this.store.markChanged();
        }
      }
    });
  }

  // ---- What someone does by hand in the console (drift for Switchyard to find; not counted) -------

  /** Moves an account into the OU at `ouPath` ('' or '/' for the root), which must exist. */
  moveAccountTo(accountId: string, ouPath: string): { account: SimulatedAccountView; from: string } {
    return this.change(
      (s) => {
        const sourceParentId = accounts.existingAccount(s, accountId).parentId;
        const moved = accounts.moveAccountTo(s, accountId, ouPath);
        const destinationParentId = accounts.existingAccount(s, accountId).parentId;
        trail.recordApiCall(s, this.clock.now(), 'MoveAccount', { accountId, sourceParentId, destinationParentId });
        return moved;
      },
      { settleFirst: true },
    );
  }

  /**
   * Closes an account in the console, which sends the same CloseAccount request (and meets the same
   * quotas): PENDING_CLOSURE, SUSPENDED `closeSeconds` later (at once when that is 0), gone 90 days on.
   */
  closeAccount(accountId: string): SimulatedAccountView {
    return this.change(
      (s) => {
        const now = this.clock.now();
        const closed = closing.closeAccount(s, { AccountId: accountId }, now);
        trail.recordApiCall(s, now, 'CloseAccount', { accountId });
        // A closing that is already due (closeSeconds 0) ends now, so the view is not out of date.
        this.settle(s);
        return accounts.accountView(s, closed);
      },
      { settleFirst: true },
    );
  }

  /** An account created in the console rather than by Switchyard: it exists at once, in `ouPath`, with no tags. */
  createAccountByHand(name: string, email: string, ouPath: string): SimulatedAccountView {
    creation.checkAccountByHand(name, email);
    return this.change(
      (s) => {
        const now = this.clock.now();
        const view = creation.createAccountByHand(s, name, email, ouPath, now);
        // In the console: CreateAccount, then MoveAccount out of the root when an OU was chosen.
        const request = s.createRequests.find((r) => r.accountId === view.id);
        if (request) trail.recordCreationResult(s, now, request);
        const parentId = accounts.existingAccount(s, view.id).parentId;
        if (parentId !== s.rootId) trail.recordApiCall(s, now, 'MoveAccount', { accountId: view.id, sourceParentId: s.rootId, destinationParentId: parentId });
        return view;
      },
      { settleFirst: true },
    );
  }

  /** The account leaves the organization (RemoveAccountFromOrganization, or a closed account's 90 days passing). */
  removeAccount(accountId: string): SimulatedAccountView {
    return this.change((s) => {
      const removed = accounts.removeAccount(s, accountId);
      trail.recordApiCall(s, this.clock.now(), 'RemoveAccountFromOrganization', { accountId });
      return removed;
    });
  }

  /** Renames the OU at `ouPath` (UpdateOrganizationalUnit in the console). Returns its new path. */
  renameOu(ouPath: string, newName: string): { id: string; from: string; path: string } {
    ous.checkOuName(newName);
    return this.change((s) => {
      const renamed = ous.renameOu(s, ouPath, newName);
      trail.recordApiCall(s, this.clock.now(), 'UpdateOrganizationalUnit', { organizationalUnitId: renamed.id, name: newName });
      return renamed;
    });
  }

  /** Deletes the OU at `ouPath`, which (as in AWS) must hold no accounts and no OUs. */
  deleteOu(ouPath: string): { id: string; path: string } {
    return this.change((s) => {
      const deleted = ous.deleteOu(s, ouPath);
      trail.recordApiCall(s, this.clock.now(), 'DeleteOrganizationalUnit', { organizationalUnitId: deleted.id });
      return deleted;
    });
  }

  /** Sets the given tags on an account; an empty value removes that tag. Returns all its tags after. */
  tagAccount(accountId: string, changes: Record<string, string>): Record<string, string> {
    const checked = tags.tagChanges(changes);
    return this.change((s) => tags.tagAccount(accounts.existingAccount(s, accountId), checked));
  }

  /**
   * Fills the organization for tests at scale (see seed.ts). Everything happens in one transaction,
   * so the file is written once.
   */
  seed(options: SimulatedSeedOptions): SimulatedSeedSummary {
    seeding.checkSeedOptions(options);
    return this.change(
      (s) => {
        const summary = seeding.seed(s, options, this.clock.now());
        // Thousands of changes at once, recorded nowhere: whoever follows the trail walks instead.
        trail.breakTrail(s);
        return summary;
      },
      { settleFirst: true },
    );
  }

  // ---- IAM and STS, as far as the handoff needs them (iam.ts) -------------------------------------

  /** Assuming the organization access role of a new account, usable `roleDelaySeconds` after it exists. */
  assumeOrganizationRole(accountId: string, roleName: string): void {
    this.store.read((s) => iam.assumeOrganizationRole(s, accountId, roleName, this.clock.now()));
  }

  /** IAM's CreateAccountAlias: globally unique, one per account; the same alias again is a no-op. */
  setAccountAlias(accountId: string, alias: string): void {
    iam.checkAccountAlias(alias);
    this.store.transaction((s) => {
      if (iam.setAccountAlias(s, accountId, alias)) this.store.markChanged();
    });
  }

  getAccountAlias(accountId: string): string | undefined {
    return this.store.read((s) => s.iam?.aliases[accountId]);
  }

  /**
   * UXC's UpdateAccountCustomizations with `accountColor`, called inside the account (after its role
   * was assumed): a value outside UXC's list is a ValidationException; the same colour again is a no-op.
   */
  setAccountColor(accountId: string, color: unknown): void {
    const checked = uxc.checkAccountColor(color);
    this.store.transaction((s) => {
      accounts.existingAccount(s, accountId);
      if (uxc.setAccountColor(s, accountId, checked)) this.store.markChanged();
    });
  }

  /** What GetAccountCustomizations answers for the account's colour: `none` until one is set. */
  getAccountColor(accountId: string): string {
    return this.store.read((s) => uxc.accountColorOf(s, accountId));
  }

  /**
   * The management account's IAM lives in this organization's state, so it shares its file, its lock
   * and a restart's memory; its operations are modelled in sim-iam.ts. A 'change' runs under the lock
   * and writes the state back (unless `run` throws: operations check before they change anything);
   * a 'read' never writes.
   */
  iamState<T>(mode: 'read' | 'change', run: (iam: IamState, account: { managementAccountId: string; now: Date }) => T): T {
    if (mode === 'read') return this.store.read((s) => run(s.iam ?? iam.emptyIam(), { managementAccountId: s.managementAccountId, now: this.clock.now() }));
    return this.store.transaction((s) => {
      const result = run(iam.iamOf(s), { managementAccountId: s.managementAccountId, now: this.clock.now() });
      this.store.markChanged();
      return result;
    });
  }

  grantsView(): SimulatedGrantsView {
    return this.store.read((s) => iam.grantsView(s));
  }

  // ---- CloudTrail (trail.ts) ---------------------------------------------------------------------

  /**
   * CloudTrail's records after `cursor` (every process's changes, creations that have come due
   * included), and the cursor to ask from next time; `gap` when some were lost in between.
   */
  cloudTrailSince(cursor: TrailCursor | undefined): { records: TrailRecord[]; gap: boolean; cursor: TrailCursor } {
    const current = this.store.unlocked();
    if (current && !this.settlementDue(current)) return trail.trailSince(current, cursor);
    return this.store.transaction((s) => {
      this.settle(s);
      return trail.trailSince(s, cursor);
    });
  }

  // ---- Statistics (stats.ts) ---------------------------------------------------------------------

  /** The counts in the file plus this process's calls not written yet. */
  stats(): SimulatedOrganizationStats {
    return this.store.stats();
  }

  /** Writes this process's unwritten call counts to the file now, e.g. before another process reads them. */
  flushStats(): void {
    this.store.flushStats();
  }

  /** Starts counting afresh, e.g. before measuring how many calls one workflow makes. */
  resetStats(): void {
    this.store.transaction((s) => {
      this.settle(s);
      this.store.resetStats(s, creation.inProgress(s));
    });
  }

  // ---- Wrappers ---------------------------------------------------------------------------------

  /** An AWS call: counted, exposed to the injected faults, then run on the state. */
  private operation<T>(name: SimulatedOperation, run: (s: OrgState) => T): T {
    this.store.countCall(name, isReadOnly(name));
    const refusal = injectedRefusal(name, this.faults, this.random);
    if (refusal) {
      this.store.countFault(refusal.kind);
      throw refusal.error;
    }
    const result = this.perform(name, run);
    const crash = injectedCrash(name, this.faults, this.random);
    if (crash) {
      this.store.countFault(crash.kind);
      throw crash.error;
    }
    return result;
  }

  private perform<T>(name: SimulatedOperation, run: (s: OrgState) => T): T {
    if (isReadOnly(name)) {
      // Without the lock: the file is only ever replaced whole. Only a creation or a closing that has
      // come due turns a read into a change (settling it), and that must happen under the lock.
      const current = this.store.unlocked();
      if (current && !this.settlementDue(current)) return run(current);
    }
    return this.store.transaction((s) => {
      this.settle(s);
      if (!isReadOnly(name)) this.store.markChanged();
      return run(s);
    });
  }

  /** What a person does by hand: under the lock (on a state whose due creations are settled, if asked), written when it succeeds. */
  private change<T>(run: (s: OrgState) => T, { settleFirst = false }: { settleFirst?: boolean } = {}): T {
    return this.store.transaction((s) => {
      if (settleFirst) this.settle(s);
      const result = run(s);
      this.store.markChanged();
      return result;
    });
  }

  /** Whether a creation or a closing has come due, which a read must settle (under the lock) first. */
  private settlementDue(s: OrgState): boolean {
    const now = this.clock.now();
    return creation.settlementDue(s, now) || closing.closingDue(s, now);
  }

  /**
   * Finishes every creation and closing whose time has come, each with CloudTrail's record, and lets
   * go of accounts closed 90 days ago; the state is written if anything changed.
   */
  private settle(s: OrgState): void {
    const now = this.clock.now();
    const running = new Set(s.createRequests.filter((r) => r.state === 'IN_PROGRESS').map((r) => r.id));
    const created = creation.settleCreations(s, now);
    if (created) for (const request of s.createRequests) if (running.has(request.id) && request.state !== 'IN_PROGRESS') trail.recordCreationResult(s, now, request);
    const { suspended, departed } = closing.settleClosings(s, now);
    for (const account of suspended) trail.recordCloseResult(s, now, account);
    for (const account of departed) trail.recordDeparture(s, now, account.id, new Date(closing.closedFor(account)));
    if (created || suspended.length > 0 || departed.length > 0) this.store.markChanged();
  }
}
