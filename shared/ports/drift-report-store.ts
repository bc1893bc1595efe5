import type { DriftReport } from '../domain/drift';

/** The latest drift report, which the next check builds on, and the history of earlier ones. */
export interface DriftReportStore {
  latest(): Promise<DriftReport | undefined>;
  /**
   * Stores a report as the latest, provided the latest is still `previousId` (none when undefined):
   * two checks racing cannot both build on the same previous report. Returns false when it was not.
   */
  save(report: DriftReport, previousId: string | undefined): Promise<boolean>;
}
