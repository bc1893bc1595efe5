import type { Channel, Notifier } from '../ports';

/** Gives a notifier the name its deliveries are recorded under. */
export function named(name: string, notifier: Notifier): Channel {
  return { name, send: (notification) => notifier.send(notification) };
}
