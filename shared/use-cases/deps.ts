import type { Config } from '../lambda/config';
import type { Clock, Notifier, Organization, Registry, Workflow } from '../ports';

/** Everything a use case may need. Each handler builds only the ports its use case touches. */
export interface Deps {
  config: Config;
  clock: Clock;
  registry: Registry;
  organization: Organization;
  workflow: Workflow;
  notifier: Notifier;
}
