import { publicView, type Environment } from '../domain/environment';
import type { Config } from '../lambda/config';
import { switchRoleFor, type SwitchRoleSettings } from './provision-steps';

/** What the API returns for an environment: its record, switch-role details once READY, and links. */
export function environmentView(env: Environment, config: SwitchRoleSettings & Pick<Config, 'PUBLIC_BASE_URL'>) {
  const self = `${config.PUBLIC_BASE_URL}/environments/${env.id}`;
  return {
    ...publicView(env),
    ...(env.status === 'READY' ? { switchRole: switchRoleFor(env, config) } : {}),
    links: { self },
  };
}
