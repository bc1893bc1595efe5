/**
 * functions/index.cjs reads every function.yml for serverless.yml and for the local runtime. What it
 * reads must be what osls would have read from each file itself (osls's own YAML schema is the
 * reference), so the template stays the one the files describe; the local server's route matching is
 * checked here too. That the runtime's routes and rules equal the packaged template's is checked by
 * tests/package/check-template.cjs, where the template exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { functions, functionKey, resources } from '../../functions/index.cjs';
import { matchRoute } from '../../local/routes';

const root = join(__dirname, '..', '..');
const oslsDir = dirname(require.resolve('osls/package.json'));
// osls parses YAML with js-yaml and this schema of CloudFormation short forms.
const cloudformationSchema = require(join(oslsDir, 'lib/utils/serverless-utils/cloudformation-schema.js'));
const jsYaml = require(require.resolve('js-yaml', { paths: [oslsDir] })) as { load: (text: string, opts: { schema: unknown }) => any };

const folders = readdirSync(join(root, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const asOslsReadsIt = (folder: string) => jsYaml.load(readFileSync(join(root, 'functions', folder, 'function.yml'), 'utf8'), { schema: cloudformationSchema });

describe('functions/index.cjs', () => {
  it('gives each function.yml its function under the camelCase of its folder (or its functions by their keys), as osls reads the file', () => {
    const expected: Record<string, unknown> = {};
    for (const folder of folders) {
      const doc = asOslsReadsIt(folder);
      if (doc.function) expected[functionKey(folder)] = doc.function;
      else Object.assign(expected, doc.functions);
    }
    expect(functions()).toEqual(expected);
  });

  it('splits one folder into a function per trigger where it says so', () => {
    expect(Object.keys(functions()).filter((key) => key.startsWith('checkDrift'))).toEqual(['checkDrift', 'checkDriftOnSchedule', 'checkDriftFromQueue']);
  });

  it('merges every function.yml resource, short forms in their long form as osls reads them', () => {
    const merged = resources();
    const expected: Record<string, Record<string, unknown>> = {};
    for (const folder of folders) {
      for (const [section, entries] of Object.entries(asOslsReadsIt(folder).resources ?? {})) Object.assign((expected[section] ??= {}), entries);
    }
    expect(merged).toEqual(expected);
  });

  it('spells the function keys as serverless.yml does', () => {
    expect(functionKey('check-account-status')).toBe('checkAccountStatus');
    expect(functionKey('get-drift')).toBe('getDrift');
  });
});

describe('local route table', () => {
  it('matches path parameters, tells 405 from 404', () => {
    expect(matchRoute('GET', '/environments/staging-1a2b3c4d')).toEqual({ route: expect.objectContaining({ fn: 'getEnvironment' }), params: { id: 'staging-1a2b3c4d' } });
    expect(matchRoute('PUT', '/environments')).toEqual({ allowed: expect.arrayContaining(['POST', 'GET']) });
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
