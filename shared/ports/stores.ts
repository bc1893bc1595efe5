import type { ClosingWindowStore } from './closing-window-store';
import type { CreationSlotStore } from './creation-slot-store';
import type { CreationWakeStore } from './creation-wake-store';
import type { DeliveryStore } from './delivery-store';
import type { DriftReportStore } from './drift-report-store';
import type { EnvironmentStore } from './environment-store';
import type { GrantPatternStore } from './grant-pattern-store';
import type { IdempotencyStore } from './idempotency-store';
import type { OrganizationIndex } from './organization-index';
import type { RejectionStore } from './rejection-store';

/** The registry's stores, one per entity, as a use case's dependencies name them. */
export interface Stores {
  environments: EnvironmentStore;
  idempotency: IdempotencyStore;
  creationSlots: CreationSlotStore;
  deliveries: DeliveryStore;
  driftReports: DriftReportStore;
  rejections: RejectionStore;
  organizationIndex: OrganizationIndex;
  grantPatterns: GrantPatternStore;
  closingWindow: ClosingWindowStore;
  creationWakes: CreationWakeStore;
}
