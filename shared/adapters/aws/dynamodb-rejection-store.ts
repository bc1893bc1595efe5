import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Page, Rejection, RejectionStore } from '../../ports';
import { KEY_PREFIX, LISTED, RegistryTable, stripKeys } from './dynamodb-table';

const REJECTIONS = { prefix: KEY_PREFIX.rejection, all: LISTED.rejections };

/** Rejected event requests (`REJ#<event id>`), listed newest first on byCreated. */
export class DynamoRejectionStore implements RejectionStore {
  private readonly table: RegistryTable;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.table = new RegistryTable(doc, tableName);
  }

  async record(rejection: Rejection): Promise<void> {
    // A redelivered event is the same rejection: keep the first record.
    await this.table.putIf(
      { ...rejection, pk: KEY_PREFIX.rejection + rejection.id, gsi1pk: LISTED.rejections, gsi1sk: `${rejection.at}#${rejection.id}` },
      { expression: 'attribute_not_exists(pk)' },
    );
  }

  async list(opts: { limit: number; cursor?: string }): Promise<Page<Rejection>> {
    const page = await this.table.newestFirst(REJECTIONS, opts);
    return { ...page, items: page.items.map((item) => stripKeys(item) as unknown as Rejection) };
  }
}
