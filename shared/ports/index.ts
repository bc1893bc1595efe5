export type * from './organization';
export type * from './registry';
export type * from './workflow';
export type * from './notifier';
export type { Clock } from './clock';
export { systemClock } from './clock';
