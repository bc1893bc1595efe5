import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoClosingWindowStore } from '../../adapters/aws/dynamodb-closing-window-store';
import { DynamoCreationSlotStore } from '../../adapters/aws/dynamodb-creation-slot-store';
import { DynamoCreationWakeStore } from '../../adapters/aws/dynamodb-creation-wake-store';
import { DynamoDeliveryStore } from '../../adapters/aws/dynamodb-delivery-store';
import { DynamoDriftReportStore } from '../../adapters/aws/dynamodb-drift-report-store';
import { DynamoEnvironmentStore } from '../../adapters/aws/dynamodb-environment-store';
import { DynamoGrantPatternStore } from '../../adapters/aws/dynamodb-grant-pattern-store';
import { DynamoIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store';
import { DynamoOrganizationIndex } from '../../adapters/aws/dynamodb-organization-index';
import { DynamoRejectionStore } from '../../adapters/aws/dynamodb-rejection-store';
import { createDynamoDocumentClient } from '../../adapters/aws/dynamodb-table';
import type { Config } from '../config';

/** The registry's stores on Lambda: each function builds the ones it uses, all on one client. */
let doc: DynamoDBDocumentClient | undefined;
const client = () => (doc ??= createDynamoDocumentClient());

type TableConfig = Pick<Config, 'REGISTRY_TABLE'>;

export const awsEnvironments = (config: TableConfig) => new DynamoEnvironmentStore(client(), config.REGISTRY_TABLE);
export const awsIdempotency = (config: TableConfig) => new DynamoIdempotencyStore(client(), config.REGISTRY_TABLE);
export const awsCreationSlots = (config: TableConfig) => new DynamoCreationSlotStore(client(), config.REGISTRY_TABLE);
export const awsDeliveries = (config: TableConfig) => new DynamoDeliveryStore(client(), config.REGISTRY_TABLE);
export const awsDriftReports = (config: TableConfig) => new DynamoDriftReportStore(client(), config.REGISTRY_TABLE);
export const awsRejections = (config: TableConfig) => new DynamoRejectionStore(client(), config.REGISTRY_TABLE);
export const awsOrganizationIndex = (config: TableConfig) => new DynamoOrganizationIndex(client(), config.REGISTRY_TABLE);
export const awsGrantPatterns = (config: TableConfig) => new DynamoGrantPatternStore(client(), config.REGISTRY_TABLE);
export const awsClosingWindow = (config: TableConfig) => new DynamoClosingWindowStore(client(), config.REGISTRY_TABLE);
export const awsCreationWakes = (config: TableConfig) => new DynamoCreationWakeStore(client(), config.REGISTRY_TABLE);
