import { parseOuRef, joinOuPath } from '../domain/ou-path';
import type { Clock, Organization, OrganizationIndex } from '../ports';

export interface ResolvedOu {
  id: string;
  /** Path of OU names below the root. */
  path: string;
}

/**
 * Finds the OU a request names: by path from the root (creating missing levels only when asked),
 * or by id. Returns undefined when it does not exist.
 */
export async function resolveOu(org: Organization, ou: string, opts: { create: boolean }): Promise<ResolvedOu | undefined> {
  const ref = parseOuRef(ou);
  if (typeof ref === 'string') return undefined;
  if (ref.kind === 'id') {
    const found = await org.describeOu(ref.id);
    return found ? { id: found.id, path: await ouPathOf(org, found.id, found.name) } : undefined;
  }
  let parentId = await org.getRootId();
  for (const name of ref.segments) {
    const child = (await org.listChildOus(parentId)).find((c) => c.name === name);
    if (child) parentId = child.id;
    else if (opts.create) parentId = (await org.createOu(parentId, name)).id;
    else return undefined;
  }
  return { id: parentId, path: joinOuPath(ref.segments) };
}

/**
 * The same answer as resolveOu, read from the organization index when it knows the OU (no call to
 * Organizations) and resolved live otherwise, the answer then kept for the next request. An OU the
 * index still holds after it was deleted is caught by PlaceAccount, which always resolves live.
 */
export async function resolveOuIndexed(deps: { organization: Organization; organizationIndex: OrganizationIndex; clock: Clock }, ou: string): Promise<ResolvedOu | undefined> {
  const ref = parseOuRef(ou);
  if (typeof ref === 'string') return undefined;
  if (ref.kind === 'path') {
    const path = joinOuPath(ref.segments);
    const id = await deps.organizationIndex.ouIdAt(path);
    if (id) return { id, path };
  } else {
    const path = await deps.organizationIndex.ouPathOf(ref.id);
    if (path !== undefined) return { id: ref.id, path };
  }
  const live = await resolveOu(deps.organization, ou, { create: false });
  if (live) await deps.organizationIndex.recordOu(live.path, live.id, deps.clock.now());
  return live;
}

/** Walks up from an OU to the root to name its path (only needed when a request gives an ou- id). */
async function ouPathOf(org: Organization, id: string, name: string): Promise<string> {
  const names = [name];
  let current = id;
  for (let depth = 0; depth < 6; depth++) {
    const parent = (await org.listParents(current))[0];
    if (!parent || parent.type === 'ROOT') break;
    const ou = await org.describeOu(parent.id);
    if (!ou) break;
    names.unshift(ou.name);
    current = parent.id;
  }
  return joinOuPath(names);
}
