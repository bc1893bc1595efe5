import type { DriftReport } from '../domain/drift';

/** The latest drift report, which the next check builds on, and the history of earlier ones. */
export interface DriftReportStore {
  latest(): Promise<DriftReport | undefined>;
  /**
   * Stores the report `build` makes from the latest one as the new latest, provided no other check
   * stored one meanwhile: two checks racing cannot both build on the same previous report. When one
   * did, `build` runs again on that one. Returns the report stored.
   */
  saveLatest(build: (previous: DriftReport | undefined) => DriftReport): Promise<DriftReport>;
}
