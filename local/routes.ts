import { functionTable } from '../functions/index.cjs';

/**
 * The HTTP routes API Gateway serves, for the local server: the `httpApi` events of every
 * functions/*\/function.yml, read when the runtime starts (functions/index.cjs, as serverless.yml reads them).
 */
export interface Route {
  method: string;
  path: string;
  /** Serverless function key. */
  fn: string;
}

/** An EventBridge rule that targets a function: exact source and detail-type. */
export interface EventRule {
  source: string;
  detailType: string;
  /** Serverless function key. */
  fn: string;
}

const table = functionTable();

export const ROUTES: Route[] = table.flatMap((f) => f.routes.map((r) => ({ ...r, fn: f.key })));

/** The `eventBridge` events of every function.yml. */
export const EVENT_RULES: EventRule[] = table.flatMap((f) => f.rules.map((r) => ({ ...r, fn: f.key })));

export type RouteMatch = { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined;

/** Finds the route for a request: a match, the methods the path allows (405), or nothing (404). */
export function matchRoute(method: string, path: string, routes: Route[] = ROUTES): RouteMatch {
  const segments = path.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((p, i) => {
      if (p.startsWith('{') && p.endsWith('}')) {
        params[p.slice(1, -1)] = segments[i]!;
        return true;
      }
      return p === segments[i];
    });
    if (!matches) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : undefined;
}
