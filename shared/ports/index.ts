export type * from './organization';
export type * from './registry';
export type * from './workflow';
export type * from './notifier';
export type { Clock } from './clock';
export { systemClock } from './clock';
export type * from './events';
export type * from './secrets';
export { EVENT_SOURCE, REQUEST_EVENT_SOURCE, REQUEST_DETAIL_TYPE } from './events';
