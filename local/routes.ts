/**
 * The HTTP routes API Gateway serves, for the local server. A test checks this table against the
 * httpApi events in functions/*\/function.yml, so the two cannot drift apart.
 */
export interface Route {
  method: string;
  path: string;
  /** Serverless function key. */
  fn: string;
}

export const ROUTES: Route[] = [
  { method: 'POST', path: '/environments', fn: 'createEnvironment' },
  { method: 'GET', path: '/environments', fn: 'listEnvironments' },
  { method: 'GET', path: '/environments/{id}', fn: 'getEnvironment' },
  { method: 'GET', path: '/environments/{id}/switch-role', fn: 'getSwitchRole' },
  { method: 'GET', path: '/switch-roles', fn: 'listSwitchRoles' },
  { method: 'GET', path: '/rejections', fn: 'listRejections' },
  { method: 'POST', path: '/slack/commands', fn: 'slackCommand' },
  { method: 'POST', path: '/webhooks/provision', fn: 'provisionWebhook' },
  { method: 'POST', path: '/drift-checks', fn: 'checkDrift' },
  { method: 'GET', path: '/drift', fn: 'getDrift' },
];

/** The EventBridge rules that target functions (checked against functions/*\/function.yml too). */
export const EVENT_RULES = [{ source: 'switchyard.requests', detailType: 'Environment Requested', fn: 'requestFromEvent' }];

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
