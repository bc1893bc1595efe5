import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DriftReport } from '../../domain/drift';
import { systemClock, type Clock, type DriftReportStore } from '../../ports';
import { KEY_PREFIX, LISTED, RegistryTable } from './dynamodb-table';
import { updateVersioned } from './dynamodb-versioned';

/** The latest report, which the next check reconciles against. */
const DRIFT_LATEST = `${KEY_PREFIX.driftReport}LATEST`;
/** Reports older than this go on their own; the latest one stays. */
const DRIFT_HISTORY_TTL_SECONDS = 90 * 24 * 60 * 60;
/** Checks finishing while one runs are rare (the drift queue runs at most 2 at once): a few rounds settle it. */
const SAVE_ATTEMPTS = 3;

/** Drift reports: the latest (`DRIFT#LATEST`) and a history copy of each (`DRIFT#<checked>#<id>`), listed on byCreated. */
export class DynamoDriftReportStore implements DriftReportStore {
  private readonly table: RegistryTable;

  constructor(
    doc: DynamoDBDocumentClient,
    tableName: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.table = new RegistryTable(doc, tableName);
  }

  async latest(): Promise<DriftReport | undefined> {
    const item = await this.table.get(DRIFT_LATEST);
    return item ? (item.report as DriftReport) : undefined;
  }

  async saveLatest(build: (previous: DriftReport | undefined) => DriftReport): Promise<DriftReport> {
    // Two checks racing: the later one re-reads the report it lost to and builds on that.
    const report = await updateVersioned(
      this.table,
      DRIFT_LATEST,
      (item) => {
        const next = build(item ? (item.report as DriftReport) : undefined);
        return { write: { reportId: next.id, report: next }, result: next };
      },
      {
        attempts: SAVE_ATTEMPTS,
        exhausted: () => {
          throw new Error('Three other drift checks finished while this one ran; its report was not stored.');
        },
      },
    );
    // The history copy: listed newest first on byCreated, gone after 90 days.
    const expiresAt = Math.floor(this.clock.now().getTime() / 1000) + DRIFT_HISTORY_TTL_SECONDS;
    await this.table.put({ pk: `${KEY_PREFIX.driftReport}${report.checkedAt}#${report.id}`, gsi1pk: LISTED.driftReports, gsi1sk: `${report.checkedAt}#${report.id}`, report, expiresAt });
    return report;
  }
}
