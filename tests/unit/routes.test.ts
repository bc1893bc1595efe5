import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type Tags } from 'yaml';
import { matchRoute, ROUTES } from '../../local/routes';

const root = join(__dirname, '..', '..');
// CloudFormation short forms only need to parse here, not resolve.
const cfnTags: Tags = ['!Ref', '!GetAtt', '!Sub', '!Join', '!If', '!Equals'].map((tag) => ({ tag, resolve: (v: string) => v }));

function httpRoutesFromServerless() {
  const serverless = readFileSync(join(root, 'serverless.yml'), 'utf8');
  const routes: { method: string; path: string; fn: string }[] = [];
  for (const [, fn, dir] of serverless.matchAll(/^ {2}(\w+): \$\{file\(functions\/([\w-]+)\/function\.yml\):function\}/gm)) {
    const doc = parse(readFileSync(join(root, 'functions', dir!, 'function.yml'), 'utf8'), { customTags: cfnTags });
    for (const event of doc.function.events ?? []) {
      if (event.httpApi) routes.push({ method: event.httpApi.method.toUpperCase(), path: event.httpApi.path, fn: fn! });
    }
  }
  return routes;
}

describe('local route table', () => {
  it('serves exactly the routes API Gateway serves, to the same functions', () => {
    const sort = (r: { method: string; path: string }[]) => [...r].sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
    expect(sort(ROUTES)).toEqual(sort(httpRoutesFromServerless()));
  });

  it('includes every function directory in serverless.yml', () => {
    const dirs = readdirSync(join(root, 'functions'));
    const serverless = readFileSync(join(root, 'serverless.yml'), 'utf8');
    for (const dir of dirs) expect(serverless).toContain(`functions/${dir}/function.yml`);
  });

  it('matches path parameters, tells 405 from 404', () => {
    expect(matchRoute('GET', '/environments/staging-1a2b3c4d')).toEqual({ route: expect.objectContaining({ fn: 'getEnvironment' }), params: { id: 'staging-1a2b3c4d' } });
    expect(matchRoute('PUT', '/environments')).toEqual({ allowed: ['POST', 'GET'] });
    expect(matchRoute('GET', '/elsewhere')).toBeUndefined();
  });
});
