import { managedAccountTags } from '../domain/drift';
import { accountColorFor, type AccountColor } from '../domain/colors';
import { aliasCandidates } from '../domain/account-alias';
import { orgPathPattern, renderGrantPolicies } from '../domain/access-policy';
import { annotate, type Environment } from '../domain/environment';
import { EnvironmentStateError, RetryableAwsError } from '../domain/errors';
import type { Config } from '../lambda/config';
import type { AdminPrincipal, Clock, Organization } from '../ports';
import type { Deps } from './deps';
import { maxRounds, sleep } from './provision-steps';

/**
 * The handoff after placement: the admin may switch in (GrantAccess), the account carries its
 * name as alias and tags (ConfigureAccount). Both are safe to run again, and neither fails an
 * environment whose account is already in place: the state machine records their errors and goes on.
 */

export function adminPrincipal(config: Pick<Config, 'ADMIN_GROUP' | 'ADMIN_USER'>): AdminPrincipal | undefined {
  if (config.ADMIN_GROUP) return { type: 'group', name: config.ADMIN_GROUP };
  if (config.ADMIN_USER) return { type: 'user', name: config.ADMIN_USER };
  return undefined;
}

async function placedEnvironment(deps: Pick<Deps, 'environments'>, id: string): Promise<Environment & { accountId: string; ouId: string }> {
  const env = await deps.environments.get(id);
  if (!env?.accountId || !env.ouId) throw new EnvironmentStateError(`Environment ${id} has no placed account.`);
  return env as Environment & { accountId: string; ouId: string };
}

/** The OU ids from below the root down to `ouId`. */
export async function ouChain(org: Organization, ouId: string): Promise<string[]> {
  const chain = [ouId];
  for (let depth = 0; depth < 6; depth++) {
    const parent = (await org.listParents(chain[0]!))[0];
    if (!parent || parent.type === 'ROOT') break;
    chain.unshift(parent.id);
  }
  return chain;
}

/** Every pattern the environments recorded, one page after another: only for a registry whose patterns were never kept together. */
async function patternsOfEveryEnvironment(deps: Pick<Deps, 'environments'>): Promise<string[]> {
  const patterns: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.environments.list({ limit: 1000, cursor });
    for (const env of page.items) if (env.grantPattern) patterns.push(env.grantPattern);
    cursor = page.cursor;
  } while (cursor);
  return patterns;
}

/**
 * Adds this grant's pattern to the patterns kept together. Where none were kept yet (a registry an
 * earlier release wrote), every environment's pattern goes in first, so no grant made before is
 * written out of the policy; two grants doing that at once both gather and add, and the sets merge.
 */
async function keepPattern(deps: Pick<Deps, 'environments' | 'grantPatterns'>, pattern: string): Promise<void> {
  const kept = await deps.grantPatterns.all();
  await deps.grantPatterns.add(kept ? [pattern] : [...(await patternsOfEveryEnvironment(deps)), pattern]);
}

/** Every grant pattern recorded, in one read whatever the number of environments, so that whichever step writes last writes them all. */
async function allGrantPatterns(deps: Pick<Deps, 'grantPatterns'>): Promise<string[]> {
  return (await deps.grantPatterns.all()) ?? [];
}

/**
 * Rounds of read-render-write before GrantAccess gives up for now. Once every racing grant has
 * recorded its pattern all of them render the same documents, so a round or two after the last one
 * settles it; the cap only bounds a storm of grants (the state machine retries the step).
 */
const MAX_GRANT_ROUNDS = 6;

export async function grantAccessStep(
  deps: Pick<Deps, 'environments' | 'grantPatterns' | 'organization' | 'grants' | 'clock'> & { config: Pick<Config, 'ADMIN_GROUP' | 'ADMIN_USER' | 'GRANT_POLICY_PREFIX' | 'ROLE_NAME'> },
  input: { id: string },
): Promise<{ granted: boolean; policies: string[] }> {
  const env = await placedEnvironment(deps, input.id);
  const principal = adminPrincipal(deps.config);
  if (!principal) {
    await deps.environments.update(env.id, (current) => annotate(current, deps.clock.now(), 'no ADMIN_GROUP or ADMIN_USER configured: nobody was granted access'));
    return { granted: false, policies: [] };
  }
  const pattern = env.grantPattern ?? orgPathPattern(await deps.organization.describeOrganizationId(), await deps.organization.getRootId(), await ouChain(deps.organization, env.ouId));
  // Recorded before the policies are written: a concurrent grant for another OU then includes this
  // one. The environment records it with the outcome below (a step run again computes the same).
  await keepPattern(deps, pattern);
  // A grant that read the registry before another recorded its pattern may write after it, and so
  // write that pattern out of the policy. Every grant therefore reads the registry again after
  // writing and writes again until a round finds IAM already holding what the registry asks for:
  // the last writer is then always one that saw every pattern recorded before its last read, and a
  // pattern recorded later belongs to a grant that writes (or finds it written) after that.
  for (let round = 1; ; round++) {
    const policies = renderGrantPolicies({ prefix: deps.config.GRANT_POLICY_PREFIX, roleName: deps.config.ROLE_NAME, patterns: [...(await allGrantPatterns(deps)), pattern] });
    const { changed } = await deps.grants.apply(principal, policies);
    if (changed.length === 0) {
      await deps.environments.update(env.id, (current) =>
        annotate({ ...current, grantPattern: pattern }, deps.clock.now(), `${principal.type} ${principal.name} may switch into the account (${policies.map((p) => p.name).join(', ')})`),
      );
      return { granted: true, policies: policies.map((p) => p.name) };
    }
    if (round >= MAX_GRANT_ROUNDS) {
      throw new RetryableAwsError(`The admin's grant policies were still changing after ${round} rounds of concurrent grants; GrantAccess runs again.`, 'GrantsStillChanging');
    }
  }
}

/**
 * A new account's role becomes assumable a few seconds after the account exists. Waiting here, in
 * short steps, notices that within a quarter second; only past `seconds` does RoleNotReadyError go
 * to the state machine's (slower) retry.
 */
async function whenRoleReady<T>(clock: Clock, seconds: number, run: () => Promise<T>): Promise<T> {
  const deadline = clock.now().getTime() + seconds * 1000;
  for (let round = 1; ; round++) {
    try {
      return await run();
    } catch (error) {
      if ((error as Error).name !== 'RoleNotReadyError' || clock.now().getTime() + ROLE_RETRY_MS > deadline || round >= maxRounds(seconds * 1000, ROLE_RETRY_MS)) throw error;
    }
    await sleep(ROLE_RETRY_MS);
  }
}

const ROLE_RETRY_MS = 250;

export async function configureAccountStep(
  deps: Pick<Deps, 'environments' | 'organization' | 'accountSetup' | 'clock'> & { config: Pick<Config, 'ALIAS_PREFIX' | 'ROLE_NAME' | 'ROLE_WAIT_SECONDS'> },
  input: { id: string },
): Promise<{ alias?: string; tags: number; accountColor?: AccountColor }> {
  const env = await placedEnvironment(deps, input.id);
  let alias = env.alias;
  if (!alias) {
    for (const candidate of aliasCandidates(env.name, env.accountId, deps.config.ALIAS_PREFIX)) {
      const outcome = await whenRoleReady(deps.clock, deps.config.ROLE_WAIT_SECONDS, () => deps.accountSetup.setAlias(env.accountId, deps.config.ROLE_NAME, candidate));
      if (outcome !== 'taken') {
        alias = candidate;
        break;
      }
    }
  }
  // The same tags drift checks expect to stay on the account.
  const tags = managedAccountTags(env);
  await deps.organization.tagAccount(env.accountId, tags);
  const color = await paintAccount(deps, env.accountId, env.color);
  const note = alias ? `account alias ${alias}; tagged` : 'every alias tried is taken elsewhere in AWS; the account keeps its number; tagged';
  await deps.environments.update(env.id, (current) => annotate(annotate({ ...current, ...(alias ? { alias } : {}) }, deps.clock.now(), note), deps.clock.now(), color.note));
  return { ...(alias ? { alias } : {}), tags: Object.keys(tags).length, ...(color.set ? { accountColor: color.set } : {}) };
}

/**
 * The console's colour for the whole account, from the environment's switch-role colour. The
 * account is usable without it, so AWS refusing it (after the adapter's retries) is a note in the
 * timeline, never a failed step; a role not yet assumable waits and goes to the state machine's
 * retry exactly as for the alias. Setting it again is harmless: UpdateAccountCustomizations is
 * idempotent and annotate keeps one copy of a note.
 */
async function paintAccount(
  deps: Pick<Deps, 'accountSetup' | 'clock'> & { config: Pick<Config, 'ROLE_NAME' | 'ROLE_WAIT_SECONDS'> },
  accountId: string,
  hex: string,
): Promise<{ set?: AccountColor; note: string }> {
  const color = accountColorFor(hex);
  if (!color) return { note: `switch-role colour ${hex} has no console account colour; the account is left uncoloured` };
  try {
    await whenRoleReady(deps.clock, deps.config.ROLE_WAIT_SECONDS, () => deps.accountSetup.setAccountColor(accountId, deps.config.ROLE_NAME, color));
    return { set: color, note: `account colour ${color}` };
  } catch (error) {
    // Only AWS's answers become a note: anything else is a defect and surfaces as one.
    const name = (error as Error | undefined)?.name;
    if (name !== 'AwsRequestRejectedError' && name !== 'RetryableAwsError') throw error;
    return { note: `account colour ${color} not set: ${(error as Error).message}` };
  }
}
