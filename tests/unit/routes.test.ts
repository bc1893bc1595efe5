import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type Tags } from 'yaml';
import { EVENT_RULES, matchRoute, ROUTES } from '../../local/routes';

const root = join(__dirname, '..', '..');
// CloudFormation short forms only need to parse here, not resolve (a scalar tag on a list such as !And only warns).
const cfnTags: Tags = ['!Ref', '!GetAtt', '!Sub', '!Join', '!If', '!Equals', '!Not', '!And', '!Or', '!Condition', '!Select', '!Split', '!FindInMap', '!ImportValue', '!Base64', '!GetAZs', '!Cidr'].map((tag) => ({ tag, resolve: (v: string) => v }));

function eventsFromServerless() {
  const serverless = readFileSync(join(root, 'serverless.yml'), 'utf8');
  const routes: { method: string; path: string; fn: string }[] = [];
  const rules: { source: string; detailType: string; fn: string }[] = [];
  for (const [, fn, dir] of serverless.matchAll(/^ {2}(\w+): \$\{file\(functions\/([\w-]+)\/function\.yml\):function\}/gm)) {
    const doc = parse(readFileSync(join(root, 'functions', dir!, 'function.yml'), 'utf8'), { customTags: cfnTags, logLevel: 'error' });
    for (const event of doc.function.events ?? []) {
      if (event.httpApi) routes.push({ method: event.httpApi.method.toUpperCase(), path: event.httpApi.path, fn: fn! });
      if (event.eventBridge) {
        for (const source of event.eventBridge.pattern.source) {
          for (const detailType of event.eventBridge.pattern['detail-type']) rules.push({ source, detailType, fn: fn! });
        }
      }
    }
  }
  return { routes, rules };
}

describe('local route table', () => {
  it('serves exactly the routes API Gateway serves, to the same functions', () => {
    const sort = (r: { method: string; path: string }[]) => [...r].sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
    expect(sort(ROUTES)).toEqual(sort(eventsFromServerless().routes));
  });

  it('delivers exactly the EventBridge rules the deployment declares, to the same functions', () => {
    expect(EVENT_RULES).toEqual(eventsFromServerless().rules);
  });

  it('includes every function directory in serverless.yml', () => {
    const dirs = readdirSync(join(root, 'functions'));
    const serverless = readFileSync(join(root, 'serverless.yml'), 'utf8');
    for (const dir of dirs) expect(serverless).toContain(`functions/${dir}/function.yml`);
  });

  it('matches path parameters, tells 405 from 404', () => {
    expect(matchRoute('GET', '/environments/staging-1a2b3c4d')).toEqual({ route: expect.objectContaining({ fn: 'getEnvironment' }), params: { id: 'staging-1a2b3c4d' } });
    expect(matchRoute('PUT', '/environments')).toEqual({ allowed: ['POST', 'GET'] });
    expect(matchRoute('GET', '/slack/commands')).toEqual({ allowed: ['POST'] });
    expect(matchRoute('GET', '/elsewhere')).toBeUndefined();
  });

  it('tells /environments/{id}/switch-role from /environments/{id} by its extra segment', () => {
    expect(matchRoute('GET', '/environments/staging-1a2b3c4d/switch-role')).toEqual({ route: expect.objectContaining({ fn: 'getSwitchRole' }), params: { id: 'staging-1a2b3c4d' } });
    expect(matchRoute('GET', '/environments/staging-1a2b3c4d/')).toEqual({ route: expect.objectContaining({ fn: 'getEnvironment' }), params: { id: 'staging-1a2b3c4d' } });
    expect(matchRoute('POST', '/environments/staging-1a2b3c4d/switch-role')).toEqual({ allowed: ['GET'] });
    expect(matchRoute('GET', '/environments/staging-1a2b3c4d/switch-roles')).toBeUndefined();
    expect(matchRoute('GET', '/switch-roles')).toEqual({ route: expect.objectContaining({ fn: 'listSwitchRoles' }), params: {} });
  });
});
