import { EventBridgeEvents, createEventBridgeClient } from '../../adapters/aws/eventbridge-events';
import type { Config } from '../config';

export const awsEvents = (config: Config) => new EventBridgeEvents(createEventBridgeClient(), config.EVENT_BUS_NAME);
