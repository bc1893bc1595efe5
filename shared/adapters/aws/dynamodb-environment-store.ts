import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { environmentFromRecord, environmentRecord, awaitsApproval, isFinal, type Environment, type EnvironmentStatus } from '../../domain/environment';
import { NotFoundError, RetryableAwsError } from '../../domain/errors';
import type { EnvironmentStore, Page } from '../../ports';
import { KEY_PREFIX, LISTED, RegistryTable, stripKeys, type Item } from './dynamodb-table';
import { updateVersioned } from './dynamodb-versioned';

const ENVIRONMENTS = { prefix: KEY_PREFIX.environment, all: LISTED.environments };
const ACTIVE = 'ACTIVE';
/** READY environments with a lease, on the same sparse index: the lifecycle check reads only these. */
const LEASED = 'LEASED';
const UPDATE_ATTEMPTS = 8;

function toItem(env: Environment): Item {
  return {
    ...environmentRecord(env),
    pk: KEY_PREFIX.environment + env.id,
    gsi1pk: LISTED.environments,
    gsi1sk: `${env.createdAt}#${env.id}`,
    emailKey: env.email.toLowerCase(),
    // Sparse index: a whole-item put without activePk drops the environment from byActive. In flight
    // is ACTIVE (and so is a closing waiting for approval); READY with a lease is LEASED until it is
    // closed; anything else final is on neither.
    ...activeKey(env),
  };
}

function activeKey(env: Environment): { activePk?: string } {
  // A READY environment whose closing waits for an approver is in flight too: the lifecycle check asks and expires.
  if (!isFinal(env.status) || awaitsApproval(env)) return { activePk: ACTIVE };
  return env.status === 'READY' && env.lease ? { activePk: LEASED } : {};
}

/** Every environment read goes through here: the one place a record from an earlier release is brought up to date and checked. */
function fromItem(item: Item): Environment {
  return environmentFromRecord(stripKeys(item));
}

/** Newest first, then by id, so equal timestamps still order the same way every time. */
function newestFirst(a: Environment, b: Environment): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Environments in the registry table, one item each (`ENV#<id>`), on all three indexes. Every write
 * is a whole-item put guarded by a condition (see updateVersioned), so two Lambda steps racing on one
 * environment never lose a change: the loser re-reads and re-applies.
 */
export class DynamoEnvironmentStore implements EnvironmentStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async create(env: Environment): Promise<{ created: boolean; environment: Environment }> {
    if (await this.table.putIf(toItem(env), { expression: 'attribute_not_exists(pk)' })) return { created: true, environment: env };
    const stored = await this.get(env.id);
    if (!stored) throw new RetryableAwsError(`Environment ${env.id} was being written and removed concurrently.`, 'ConditionalCheckFailedException');
    return { created: false, environment: stored };
  }

  async get(id: string): Promise<Environment | undefined> {
    const item = await this.table.get(KEY_PREFIX.environment + id);
    return item ? fromItem(item) : undefined;
  }

  async update(id: string, change: (current: Environment) => Environment | undefined): Promise<Environment> {
    return updateVersioned(
      this.table,
      KEY_PREFIX.environment + id,
      (item) => {
        if (!item) throw new NotFoundError(`Environment ${id} does not exist.`);
        const current = fromItem(item);
        const changed = change(current);
        if (!changed) return { result: current };
        // The id and version are the registry's to keep: a change cannot move or rewind the record.
        const next: Environment = { ...changed, id: current.id, version: current.version + 1 };
        return { write: toItem(next), result: next };
      },
      {
        attempts: UPDATE_ATTEMPTS,
        exhausted: () => {
          throw new RetryableAwsError(`Environment ${id} kept changing underneath ${UPDATE_ATTEMPTS} attempts to update it.`, 'ConditionalCheckFailedException');
        },
      },
    );
  }

  async list(opts: { limit: number; cursor?: string; status?: EnvironmentStatus }): Promise<Page<Environment>> {
    const page = await this.table.newestFirst(ENVIRONMENTS, opts);
    return { ...page, items: page.items.map(fromItem) };
  }

  async listActive(): Promise<Environment[]> {
    const items = await this.table.queryAll({ IndexName: 'byActive', KeyConditionExpression: 'activePk = :active', ExpressionAttributeValues: { ':active': ACTIVE } });
    return items.map(fromItem);
  }

  async listLeased(): Promise<Environment[]> {
    const items = await this.table.queryAll({ IndexName: 'byActive', KeyConditionExpression: 'activePk = :leased', ExpressionAttributeValues: { ':leased': LEASED } });
    return items.map(fromItem);
  }

  async listAll(): Promise<Environment[]> {
    const items = await this.table.queryAll({ IndexName: 'byCreated', KeyConditionExpression: 'gsi1pk = :all', ExpressionAttributeValues: { ':all': LISTED.environments } });
    return items.map(fromItem);
  }

  async findByEmail(email: string): Promise<Environment | undefined> {
    const items = await this.table.queryAll({ IndexName: 'byEmail', KeyConditionExpression: 'emailKey = :email', ExpressionAttributeValues: { ':email': email.toLowerCase() } });
    const matches = items.map(fromItem).sort(newestFirst);
    return matches.find((env) => env.status !== 'FAILED' && env.status !== 'REJECTED') ?? matches[0];
  }
}
