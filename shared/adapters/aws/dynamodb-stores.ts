import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock, type Stores } from '../../ports';
import { DynamoClosingWindowStore } from './dynamodb-closing-window-store';
import { DynamoCreationSlotStore } from './dynamodb-creation-slot-store';
import { DynamoCreationWakeStore } from './dynamodb-creation-wake-store';
import { DynamoDeliveryStore } from './dynamodb-delivery-store';
import { DynamoDriftReportStore } from './dynamodb-drift-report-store';
import { DynamoEnvironmentStore } from './dynamodb-environment-store';
import { DynamoGrantPatternStore } from './dynamodb-grant-pattern-store';
import { DynamoIdempotencyStore } from './dynamodb-idempotency-store';
import { DynamoOrganizationIndex } from './dynamodb-organization-index';
import { DynamoRejectionStore } from './dynamodb-rejection-store';

/** Every store over one table and client, for a process that runs every use case (the local runtime, tests). A function builds only its own. */
export function dynamoStores(doc: DynamoDBDocumentClient, tableName: string, clock: Clock = systemClock): Stores {
  return {
    environments: new DynamoEnvironmentStore(doc, tableName),
    idempotency: new DynamoIdempotencyStore(doc, tableName, clock),
    creationSlots: new DynamoCreationSlotStore(doc, tableName),
    deliveries: new DynamoDeliveryStore(doc, tableName),
    driftReports: new DynamoDriftReportStore(doc, tableName, clock),
    rejections: new DynamoRejectionStore(doc, tableName),
    organizationIndex: new DynamoOrganizationIndex(doc, tableName),
    grantPatterns: new DynamoGrantPatternStore(doc, tableName),
    closingWindow: new DynamoClosingWindowStore(doc, tableName),
    creationWakes: new DynamoCreationWakeStore(doc, tableName),
  };
}
