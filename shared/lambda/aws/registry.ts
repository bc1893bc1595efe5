import { DynamoRegistry, createDynamoDocumentClient } from '../../adapters/aws/dynamodb-registry';
import type { Config } from '../config';

export const awsRegistry = (config: Config) => new DynamoRegistry(createDynamoDocumentClient(), config.REGISTRY_TABLE);
