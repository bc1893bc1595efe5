import type { Item, RegistryTable } from './dynamodb-table';

/** What one round makes of the item as read (undefined: there is none): a new item to put, or no write. */
export type Decision<R> = { write: Item; result: R } | { result: R };

export interface VersionedOptions<R> {
  /** Rounds of read, decide and conditional put before giving up. */
  attempts: number;
  /** What giving up means: a result that says "try later", or a throw. */
  exhausted: () => R;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Up to 10 ms more each round, at random, so the same writers do not collide again on the next. */
const JITTER_MS = 10;

/**
 * Optimistic concurrency on one item, the only way the stores change an item they share with other
 * writers: read it (consistently), let `decide` work out the new item from what it holds, and put
 * that only if the item is still at the version read. When another writer got there first, read it
 * again and decide again, after a jittered pause, at most `attempts` times; `decide` may run once per
 * round, so it must be a function of what it is given.
 *
 * The `version` attribute counts an item's writes, and is this helper's to set. An item written
 * before it carried one (a delivery or drift record from an earlier release) counts as version 0,
 * and the condition then asks that it still has none.
 */
export async function updateVersioned<R>(table: RegistryTable, pk: string, decide: (item: Item | undefined) => Decision<R>, opts: VersionedOptions<R>): Promise<R> {
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    const item = await table.get(pk);
    const decision = decide(item);
    if (!('write' in decision)) return decision.result;
    const version = typeof item?.version === 'number' ? item.version : undefined;
    const condition = !item
      ? { expression: 'attribute_not_exists(pk)' }
      : version === undefined
        ? { expression: 'attribute_exists(pk) AND attribute_not_exists(version)' }
        : { expression: 'version = :expected', values: { ':expected': version } };
    if (await table.putIf({ ...decision.write, pk, version: (version ?? 0) + 1 }, condition)) return decision.result;
    if (attempt < opts.attempts) await sleep(Math.random() * JITTER_MS * attempt);
  }
  return opts.exhausted();
}
