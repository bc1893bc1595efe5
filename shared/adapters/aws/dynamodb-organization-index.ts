import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { nameKey } from '../../domain/naming';
import type { IndexedAccount, OrganizationIndex, OrganizationIndexSummary, OrganizationSnapshotForIndex } from '../../ports';
import { KEY_PREFIX, RegistryTable, type Item } from './dynamodb-table';
import { updateVersioned } from './dynamodb-versioned';

/**
 * The organization index in the registry table:
 *
 * - one item per account, `ORGACCT#<id>`, on two indexes the table already has: byActive under
 *   `activePk = ORGACCT` sorted by `<name key>#<id>` (a name lookup is one Query, and so is reading
 *   the whole index when a walk replaces it), and byEmail under `emailKey = ORG#<email>`;
 * - `ORGINDEX#summary`: how many accounts, when a walk last rebuilt it, when it last changed;
 * - `ORGINDEX#ous`: every known OU path and its id, one item (an organization holds at most a few
 *   thousand OUs, far below DynamoDB's 400 KB).
 *
 * Reads are O(1) in the organization's size. The count is kept by the writers of single accounts
 * and set whole by each walk, so two writers racing may leave it off by one until the next walk.
 */
const ACCOUNTS = 'ORGACCT';
const SUMMARY = 'ORGINDEX#summary';
const OUS = 'ORGINDEX#ous';
const EMAIL_PREFIX = 'ORG#';
const ATTEMPTS = 8;
const WRITE_CONCURRENCY = 16;

function accountItem(a: IndexedAccount, at: Date): Item {
  return {
    pk: KEY_PREFIX.organizationAccount + a.id,
    activePk: ACCOUNTS,
    gsi1sk: `${nameKey(a.name)}#${a.id}`,
    emailKey: EMAIL_PREFIX + a.email.toLowerCase(),
    id: a.id,
    name: a.name,
    email: a.email,
    status: a.status,
    ...(a.parentId ? { parentId: a.parentId } : {}),
    seenAt: at.toISOString(),
  };
}

function fromItem(item: Item): IndexedAccount {
  return {
    id: String(item.id),
    name: String(item.name),
    email: String(item.email),
    status: String(item.status),
    ...(typeof item.parentId === 'string' ? { parentId: item.parentId } : {}),
  };
}

function same(a: IndexedAccount, b: IndexedAccount): boolean {
  return a.name === b.name && a.email === b.email && a.status === b.status && a.parentId === b.parentId;
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class DynamoOrganizationIndex implements OrganizationIndex {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async accountsNamed(name: string): Promise<IndexedAccount[]> {
    const key = nameKey(name);
    const items = await this.table.queryAll({
      IndexName: 'byActive',
      KeyConditionExpression: 'activePk = :accounts AND begins_with(gsi1sk, :name)',
      ExpressionAttributeValues: { ':accounts': ACCOUNTS, ':name': `${key}#` },
    });
    // `a#b` begins with `a#`: keep only the exact name.
    return items.map(fromItem).filter((a) => nameKey(a.name) === key);
  }

  async accountWithEmail(email: string): Promise<IndexedAccount | undefined> {
    const items = await this.table.queryAll({ IndexName: 'byEmail', KeyConditionExpression: 'emailKey = :email', ExpressionAttributeValues: { ':email': EMAIL_PREFIX + email.toLowerCase() } });
    return items[0] ? fromItem(items[0]) : undefined;
  }

  async summary(): Promise<OrganizationIndexSummary> {
    const item = await this.table.get(SUMMARY);
    return {
      accounts: typeof item?.accounts === 'number' ? item.accounts : 0,
      ...(typeof item?.refreshedAt === 'string' ? { refreshedAt: item.refreshedAt } : {}),
      ...(typeof item?.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    };
  }

  async ouIdAt(path: string): Promise<string | undefined> {
    return (await this.ouPaths())[path];
  }

  async ouPathOf(id: string): Promise<string | undefined> {
    return Object.entries(await this.ouPaths()).find(([, ouId]) => ouId === id)?.[0];
  }

  async recordAccount(account: IndexedAccount, at: Date): Promise<void> {
    const item = accountItem(account, at);
    if (await this.table.putIf(item, { expression: 'attribute_not_exists(pk)' })) {
      await this.count(+1, at);
      return;
    }
    // Known already: what a caller does not know (the parent, from an event that does not say) stays as it was.
    const held = await this.table.get(item.pk as string);
    await this.table.put(accountItem({ ...account, parentId: account.parentId ?? (held ? fromItem(held).parentId : undefined) }, at));
  }

  async updateAccount(id: string, change: Partial<Omit<IndexedAccount, 'id'>>, at: Date): Promise<void> {
    const item = await this.table.get(KEY_PREFIX.organizationAccount + id);
    if (!item) return;
    const next = { ...fromItem(item), ...change, id };
    // Only if it is still there: an account that left meanwhile stays forgotten.
    await this.table.putIf(accountItem(next, at), { expression: 'attribute_exists(pk)' });
  }

  async forgetAccount(id: string, at: Date): Promise<void> {
    if (await this.table.remove(KEY_PREFIX.organizationAccount + id)) await this.count(-1, at);
  }

  async recordOu(path: string, id: string, at: Date): Promise<void> {
    await this.changeOus(at, (paths) => (paths[path] === id ? undefined : { ...paths, [path]: id }));
  }

  async forgetOu(id: string, at: Date): Promise<void> {
    await this.changeOus(at, (paths) => {
      const gone = Object.entries(paths).filter(([, ouId]) => ouId === id).map(([path]) => path);
      if (!gone.length) return undefined;
      return Object.fromEntries(Object.entries(paths).filter(([path]) => !gone.some((g) => path === g || path.startsWith(`${g}/`))));
    });
  }

  async replace(snapshot: OrganizationSnapshotForIndex, at: Date): Promise<{ written: number; removed: number }> {
    const current = new Map(
      (await this.table.queryAll({ IndexName: 'byActive', KeyConditionExpression: 'activePk = :accounts', ExpressionAttributeValues: { ':accounts': ACCOUNTS } })).map((item) => {
        const a = fromItem(item);
        return [a.id, a] as const;
      }),
    );
    const seen = new Set(snapshot.accounts.map((a) => a.id));
    const changed = snapshot.accounts.filter((a) => {
      const held = current.get(a.id);
      return !held || !same(held, a);
    });
    const gone = [...current.keys()].filter((id) => !seen.has(id));
    await inParallel(changed, WRITE_CONCURRENCY, (a) => this.table.put(accountItem(a, at)));
    await inParallel(gone, WRITE_CONCURRENCY, (id) => this.table.remove(KEY_PREFIX.organizationAccount + id));
    const paths = Object.fromEntries(snapshot.ous.map((o) => [o.path, o.id]));
    await this.changeOus(at, () => paths);
    await updateVersioned(
      this.table,
      SUMMARY,
      () => ({ write: { accounts: snapshot.accounts.length, refreshedAt: at.toISOString(), updatedAt: at.toISOString() }, result: undefined }),
      { attempts: ATTEMPTS, exhausted: () => undefined },
    );
    return { written: changed.length, removed: gone.length };
  }

  private async ouPaths(): Promise<Record<string, string>> {
    const item = await this.table.get(OUS);
    return { ...((item?.paths as Record<string, string> | undefined) ?? {}) };
  }

  private async changeOus(at: Date, change: (paths: Record<string, string>) => Record<string, string> | undefined): Promise<void> {
    await updateVersioned(
      this.table,
      OUS,
      (item) => {
        const next = change({ ...((item?.paths as Record<string, string> | undefined) ?? {}) });
        return next ? { write: { paths: next, updatedAt: at.toISOString() }, result: undefined } : { result: undefined };
      },
      // Many writers at once: the next walk or resolution records it again.
      { attempts: ATTEMPTS, exhausted: () => undefined },
    );
  }

  private async count(delta: number, at: Date): Promise<void> {
    await updateVersioned(
      this.table,
      SUMMARY,
      (item) => ({
        write: { ...(item ?? {}), accounts: Math.max(0, (typeof item?.accounts === 'number' ? item.accounts : 0) + delta), updatedAt: at.toISOString() },
        result: undefined,
      }),
      { attempts: ATTEMPTS, exhausted: () => undefined },
    );
  }
}
