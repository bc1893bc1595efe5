import type { Config } from '../lambda/config';
import type { AccessGrants, AccountSetup, Channel, Clock, Events, Organization, RoleProbe, Secrets, Stores, Workflow } from '../ports';

/** Everything a use case may need. Each handler builds only the ports its use case touches. */
export interface Deps extends Stores {
  config: Config;
  clock: Clock;
  organization: Organization;
  workflow: Workflow;
  /** The DecommissionEnvironment state machine: closes an environment's account. */
  decommission: Workflow;
  /** Every configured way of reaching the admin; each is sent a notification once. */
  channels: Channel[];
  events: Events;
  grants: AccessGrants;
  accountSetup: AccountSetup;
  roleProbe: RoleProbe;
  secrets: Secrets;
}
