import type { Environment } from '../domain/environment';
import { EnvironmentStateError, NotReadyError } from '../domain/errors';
import { IN_FLIGHT_STATUSES, renderHubPage, type HubPage } from '../domain/hub-page';
import { slugify } from '../domain/naming';
import type { SwitchRoleDetails } from '../domain/switch-role';
import { switchRoleFile, uniqueProfileNames, type SwitchRoleFileFormat } from '../domain/switch-role-file';
import type { Deps } from './deps';
import { switchRoleFor, type SwitchRoleSettings } from './provision-steps';

/** The registry's largest page: fewest round trips when reading every environment. */
const PAGE = 100;

/** One environment's switch-role details; refuses, naming its status, until it is READY. */
export function readySwitchRole(env: Environment, config: SwitchRoleSettings): SwitchRoleDetails {
  if (env.status !== 'READY') {
    throw new NotReadyError(`Environment ${env.id} is ${env.status}; its switch-role details exist once it is READY.`);
  }
  const details = switchRoleFor(env, config);
  if (!details) throw new EnvironmentStateError(`Environment ${env.id} is READY but has no account id.`);
  return details;
}

/** Every READY environment with an account, sorted by name (case-insensitively, then by id). */
export async function readyEnvironments(environments: Deps['environments']): Promise<Environment[]> {
  const ready: Environment[] = [];
  let cursor: string | undefined;
  do {
    const page = await environments.list({ limit: PAGE, cursor });
    ready.push(...page.items.filter((e) => e.status === 'READY' && e.accountId));
    cursor = page.cursor;
  } while (cursor);
  const key = (e: Environment) => e.name.toLowerCase();
  return ready.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * One file with a profile section per READY environment, in the form `~/.aws/config` or the
 * aws-extend-switch-roles extension reads. Profile names are unique within the file, so the
 * profile a single environment's endpoint names can differ here when two names share a slug.
 */
export async function switchRolesFile(
  deps: Pick<Deps, 'environments' | 'clock'> & { config: SwitchRoleSettings },
  opts: { format: SwitchRoleFileFormat; sourceProfile: string },
): Promise<{ body: string; count: number }> {
  const envs = await readyEnvironments(deps.environments);
  const names = uniqueProfileNames(
    envs.map((e) => slugify(e.name)),
    [opts.sourceProfile, 'default'],
  );
  const sections = envs.map((env, i) => {
    const details = switchRoleFor(env, deps.config, { profileName: names[i]!, sourceProfile: opts.sourceProfile })!;
    return opts.format === 'aws-config' ? details.awsConfigProfile : details.extensionEntry;
  });
  return { body: switchRoleFile(sections, deps.clock.now()), count: sections.length };
}

/**
 * What the switch-role hub shows: every READY environment with the switch-role details its own
 * endpoint returns (`GET /environments/{id}/switch-role`; the page groups them by OU), and the
 * environments in flight (one index query), newest first. A `sourceProfile` other than the
 * configured one goes into every profile, as it does in the files.
 */
export async function hubPage(deps: Pick<Deps, 'environments' | 'clock'> & { config: SwitchRoleSettings }, opts: { live: boolean; sourceProfile?: string }): Promise<HubPage> {
  const [ready, active] = await Promise.all([readyEnvironments(deps.environments), deps.environments.listActive()]);
  const ouPath = (env: Environment) => env.ouPath ?? env.ou;
  return renderHubPage({
    ready: ready.map((env) => ({ id: env.id, ouPath: ouPath(env), details: switchRoleFor(env, deps.config, opts.sourceProfile ? { sourceProfile: opts.sourceProfile } : {})! })),
    inFlight: active
      .filter((env) => IN_FLIGHT_STATUSES.includes(env.status))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : 1))
      .map((env) => ({ id: env.id, name: env.name, ouPath: ouPath(env), status: env.status, createdAt: env.createdAt, ...(env.accountId ? { accountId: env.accountId } : {}) })),
    generatedAt: deps.clock.now(),
    live: opts.live,
  });
}
