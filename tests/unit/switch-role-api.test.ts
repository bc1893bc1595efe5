/**
 * GET /environments/{id}/switch-role and GET /switch-roles, through the same `build` the Lambda entry
 * point and the local runtime use, over an in-memory registry.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { parse } from 'ini';
import { build as buildGetSwitchRole } from '../../functions/get-switch-role/handler';
import { build as buildListSwitchRoles } from '../../functions/list-switch-roles/handler';
import { advance, newEnvironment, type Environment, type EnvironmentStatus } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { uniqueProfileNames } from '../../shared/domain/switch-role-file';
import { loadConfig } from '../../shared/lambda/config';
import type { EnvironmentStore, Page } from '../../shared/ports';
import { httpEvent } from '../fixtures/http-event';

const config = loadConfig({ SOURCE_PROFILE: 'management' });
const NOW = new Date('2026-11-28T09:30:00.000Z');
const clock = { now: () => NOW };
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/OrganizationAccountAccessRole$/;

let accountSeq = 0;
/** An environment as the registry holds it after the workflow moved it to `status`. */
function environment(name: string, status: EnvironmentStatus = 'READY', body: Record<string, unknown> = {}): Environment {
  const created = new Date(Date.UTC(2026, 10, 28, 9, accountSeq));
  const request = parseEnvironmentRequest({ name, ou: 'Workloads/Staging', ...body }, { emailTemplate: 'admin+{slug}@example.com' });
  let env = newEnvironment(request, { now: created, source: 'api' });
  const accountId = String(222200000000 + ++accountSeq);
  if (status === 'FAILED') return advance(advance(env, 'CREATING', created), 'FAILED', created, 'EMAIL_ALREADY_EXISTS');
  const path: EnvironmentStatus[] = ['CREATING', 'PLACING', 'NOTIFYING', 'READY'];
  for (const next of path.slice(0, path.indexOf(status) + 1)) env = advance(env, next, created, undefined, next === 'PLACING' ? { accountId } : {});
  return env;
}

/**
 * The registry as these handlers use it: `get`, and `list` newest first with an opaque cursor. Pages
 * are capped below the asked-for limit, as DynamoDB caps them at 1 MB, so a reader must follow the cursor.
 */
function memoryRegistry(envs: Environment[], pageSize = 2) {
  const calls = { get: 0, list: 0 };
  const newestFirst = [...envs].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const used: Pick<EnvironmentStore, 'get' | 'list'> = {
    async get(id) {
      calls.get++;
      return envs.find((e) => e.id === id);
    },
    async list({ limit, cursor }): Promise<Page<Environment>> {
      calls.list++;
      const start = cursor ? Number(cursor) : 0;
      const end = start + Math.min(limit, pageSize);
      return { items: newestFirst.slice(start, end), ...(end < newestFirst.length ? { cursor: String(end) } : {}) };
    },
  };
  // Only `get` and `list` exist: a handler calling anything else fails the test with a TypeError.
  return { environments: used as EnvironmentStore, calls };
}

const context = { functionName: 'switchyard-test', awsRequestId: 'req-1' } as Context;


async function getSwitchRole(envs: Environment[], id: string, query?: Record<string, string>) {
  const { environments, calls } = memoryRegistry(envs);
  const handler = buildGetSwitchRole(() => ({ config, environments }));
  const result = (await handler(httpEvent(`/environments/${id}/switch-role`, 'GET /environments/{id}/switch-role', { pathParameters: { id }, query }), context)) as APIGatewayProxyStructuredResultV2;
  return { result, calls };
}

async function listSwitchRoles(envs: Environment[], query?: Record<string, string>, pageSize = 2) {
  const { environments, calls } = memoryRegistry(envs, pageSize);
  const handler = buildListSwitchRoles(() => ({ config, environments, clock }));
  const result = (await handler(httpEvent('/switch-roles', 'GET /switch-roles', { query }), context)) as APIGatewayProxyStructuredResultV2;
  return { result, calls };
}

const header = (r: APIGatewayProxyStructuredResultV2, name: string) => String(r.headers?.[name] ?? '');
const jsonBody = (r: APIGatewayProxyStructuredResultV2) => JSON.parse(r.body ?? '');

/**
 * Reads the profiles of a ~/.aws/config or extension file with a real INI parser (the `ini` package),
 * in file order: every section must be a `[profile name]` one.
 */
function parseIni(text: string): { comments: string[]; sections: Array<{ name: string; values: Record<string, string> }> } {
  const sections = Object.entries(parse(text) as Record<string, Record<string, string>>).map(([section, values]) => {
    expect(section).toMatch(/^profile [a-z0-9-]+$/);
    return { name: section.slice('profile '.length), values: { ...values } };
  });
  return { comments: text.split('\n').filter((line) => line.startsWith('#')), sections };
}

describe('GET /environments/{id}/switch-role', () => {
  const staging = environment('Staging');

  it('answers JSON by default: the switch-role details', async () => {
    const { result } = await getSwitchRole([staging], staging.id);
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('application/json; charset=utf-8');
    const body = jsonBody(result);
    expect(body).toMatchObject({
      accountId: staging.accountId,
      roleName: 'OrganizationAccountAccessRole',
      displayName: 'Staging',
      color: 'EFDA95',
      colorName: 'yellow',
    });
    expect(body.roleArn).toMatch(ROLE_ARN);
    expect(body.consoleUrl).toBe(`https://signin.aws.amazon.com/switchrole?account=${staging.accountId}&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95`);
    const explicit = await getSwitchRole([staging], staging.id, { format: 'json' });
    expect(jsonBody(explicit.result)).toEqual(body);
  });

  it('answers format=url with the console link alone, as text', async () => {
    const { result } = await getSwitchRole([staging], staging.id, { format: 'url' });
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('text/plain; charset=utf-8');
    const url = new URL(result.body!);
    expect(url.origin + url.pathname).toBe('https://signin.aws.amazon.com/switchrole');
    expect(Object.fromEntries(url.searchParams)).toEqual({ account: staging.accountId, roleName: 'OrganizationAccountAccessRole', displayName: 'Staging', color: 'EFDA95' });
  });

  it('answers format=aws-config with one valid ~/.aws/config profile', async () => {
    const { result } = await getSwitchRole([staging], staging.id, { format: 'aws-config' });
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('text/plain; charset=utf-8');
    const ini = parseIni(result.body!);
    expect(ini.sections).toEqual([{ name: 'staging', values: { role_arn: `arn:aws:iam::${staging.accountId}:role/OrganizationAccountAccessRole`, source_profile: 'management' } }]);
    expect(ini.sections[0]!.values.role_arn).toMatch(ROLE_ARN);
  });

  it('answers format=extension with one aws-extend-switch-roles entry', async () => {
    const { result } = await getSwitchRole([staging], staging.id, { format: 'extension' });
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('text/plain; charset=utf-8');
    const [entry, ...rest] = parseIni(result.body!).sections;
    expect(rest).toEqual([]);
    expect(entry).toEqual({ name: 'staging', values: { aws_account_id: staging.accountId, role_name: 'OrganizationAccountAccessRole', color: 'EFDA95' } });
    expect(entry!.values.color).toMatch(/^[0-9A-Fa-f]{6}$/);
  });

  it('refuses an unknown format with a JSON 400 naming format, before reading the registry', async () => {
    const { result, calls } = await getSwitchRole([staging], staging.id, { format: 'yaml' });
    expect(result.statusCode).toBe(400);
    expect(header(result, 'content-type')).toBe('application/json; charset=utf-8');
    expect(jsonBody(result).error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ field: 'format' }] });
    expect(jsonBody(result).error.message).toContain('json, url, aws-config, extension');
    expect(calls.get).toBe(0);
  });

  it('refuses a malformed id with 400 naming id, and answers 404 for an id it does not know', async () => {
    const malformed = await getSwitchRole([staging], '../etc', { format: 'url' });
    expect(malformed.result.statusCode).toBe(400);
    expect(jsonBody(malformed.result).error.fields).toEqual([{ field: 'id', message: expect.any(String) }]);
    const unknown = await getSwitchRole([staging], 'staging-00000000', { format: 'url' });
    expect(unknown.result.statusCode).toBe(404);
    expect(header(unknown.result, 'content-type')).toBe('application/json; charset=utf-8');
    expect(jsonBody(unknown.result).error.code).toBe('NOT_FOUND');
  });

  it.each(['REQUESTED', 'CREATING', 'PLACING', 'NOTIFYING', 'FAILED'] as const)('answers 409 NOT_READY, in JSON whatever the format, for an environment that is %s', async (status) => {
    const env = environment(`Pending ${status}`, status);
    expect(env.status).toBe(status);
    for (const format of ['json', 'url', 'aws-config']) {
      const { result } = await getSwitchRole([env], env.id, { format });
      expect(result.statusCode).toBe(409);
      expect(header(result, 'content-type')).toBe('application/json; charset=utf-8');
      expect(jsonBody(result).error.code).toBe('NOT_READY');
      expect(jsonBody(result).error.message).toContain(status);
    }
  });
});

describe('GET /switch-roles', () => {
  const ready = [environment('Staging'), environment('Production'), environment('Playground Ana'), environment('Data', 'READY', { color: 'blue' }), environment('Zeta')];
  const pending = [environment('Creating Now', 'CREATING'), environment('Broken', 'FAILED')];
  const all = [...ready, ...pending];

  it('gives one aws-config file: a header, then a valid profile per READY environment, sorted by name', async () => {
    const { result, calls } = await listSwitchRoles(all);
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(header(result, 'content-disposition')).toBe('attachment; filename="switchyard-aws-config"');
    expect(result.body!.split('\n')[0]).toBe('# Switchyard switch roles, generated 2026-11-28T09:30:00.000Z');
    const ini = parseIni(result.body!);
    expect(ini.sections.map((s) => s.name)).toEqual(['data', 'playground-ana', 'production', 'staging', 'zeta']);
    for (const section of ini.sections) {
      expect(Object.keys(section.values)).toEqual(['role_arn', 'source_profile']);
      expect(section.values.role_arn).toMatch(ROLE_ARN);
      expect(section.values.source_profile).toBe('management');
    }
    const byName = new Map(ready.map((e) => [e.name, e]));
    expect(ini.sections[0]!.values.role_arn).toBe(`arn:aws:iam::${byName.get('Data')!.accountId}:role/OrganizationAccountAccessRole`);
    expect(ini.sections[3]!.values.role_arn).toBe(`arn:aws:iam::${byName.get('Staging')!.accountId}:role/OrganizationAccountAccessRole`);
    // Seven environments in pages of two: every page was read, and only READY ones made it into the file.
    expect(calls.list).toBe(4);
    expect(calls.get).toBe(0);
  });

  it('gives the extension format with account, role and a six-digit hex colour per profile', async () => {
    const { result } = await listSwitchRoles(all, { format: 'extension' });
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(header(result, 'content-disposition')).toBe('attachment; filename="switchyard-extension"');
    const ini = parseIni(result.body!);
    expect(ini.comments).toEqual(['# Switchyard switch roles, generated 2026-11-28T09:30:00.000Z']);
    expect(ini.sections).toHaveLength(ready.length);
    for (const section of ini.sections) {
      expect(Object.keys(section.values)).toEqual(['aws_account_id', 'role_name', 'color']);
      expect(section.values.aws_account_id).toMatch(/^\d{12}$/);
      expect(section.values.role_name).toBe('OrganizationAccountAccessRole');
      expect(section.values.color).toMatch(/^[0-9A-Fa-f]{6}$/);
    }
    expect(ini.sections.find((s) => s.name === 'data')!.values.color).toBe('83D4E8');
    expect(ini.sections.find((s) => s.name === 'production')!.values.color).toBe('F2B0A9');
  });

  it('writes ?source_profile= into every profile instead of the configured one', async () => {
    const { result } = await listSwitchRoles(ready, { source_profile: 'ana@corp.example' });
    expect(result.statusCode).toBe(200);
    const sources = parseIni(result.body!).sections.map((s) => s.values.source_profile);
    expect(sources).toEqual(ready.map(() => 'ana@corp.example'));
  });

  it.each([
    ['a space', 'my profile'],
    ['a bracket', 'x]'],
    ['a newline', 'x\nrole_arn = arn:aws:iam::999999999999:role/Evil'],
    ['an empty value', ''],
    ['65 characters', 'p'.repeat(65)],
  ])('refuses a source_profile with %s: 400 naming source_profile', async (_label, sourceProfile) => {
    const { result, calls } = await listSwitchRoles(ready, { source_profile: sourceProfile });
    expect(result.statusCode).toBe(400);
    expect(header(result, 'content-type')).toBe('application/json; charset=utf-8');
    expect(jsonBody(result).error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ field: 'source_profile' }] });
    expect(calls.list).toBe(0);
  });

  it.each(['url', 'json', 'INI'])('refuses format=%s: 400 naming format', async (format) => {
    const { result } = await listSwitchRoles(ready, { format });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ field: 'format' }] });
    expect(jsonBody(result).error.message).toContain('aws-config, extension');
  });

  it('suffixes profile names that collide: the first by name keeps it, later ones get -2, -3', async () => {
    // Three names, unique as names, that share one slug; sorted by name: "R D" < "R&D" < "R-D".
    const rd = [environment('R-D'), environment('R&D'), environment('R D')];
    for (const format of ['aws-config', 'extension']) {
      const { result } = await listSwitchRoles(rd, { format });
      const sections = parseIni(result.body!).sections;
      expect(sections.map((s) => s.name)).toEqual(['r-d', 'r-d-2', 'r-d-3']);
      const ids = sections.map((s) => s.values.aws_account_id ?? /::(\d{12}):/.exec(s.values.role_arn!)![1]);
      expect(ids).toEqual([rd[2]!.accountId, rd[1]!.accountId, rd[0]!.accountId]);
    }
  });

  it('never names a profile after the source profile or default, which appending would redefine', async () => {
    const { result } = await listSwitchRoles([environment('Default'), environment('Management')]);
    const sections = parseIni(result.body!).sections;
    expect(sections.map((s) => [s.name, s.values.source_profile])).toEqual([
      ['default-2', 'management'],
      ['management-2', 'management'],
    ]);
  });

  it('gives just the header when nothing is READY yet', async () => {
    const { result } = await listSwitchRoles(pending);
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('# Switchyard switch roles, generated 2026-11-28T09:30:00.000Z\n');
  });
});

describe('uniqueProfileNames', () => {
  it('leaves distinct names alone and numbers repeats from 2', () => {
    expect(uniqueProfileNames(['a', 'b', 'a', 'a', 'c'])).toEqual(['a', 'b', 'a-2', 'a-3', 'c']);
  });

  it('does not hand a suffixed name to one repeat when another environment has it as its own name', () => {
    expect(uniqueProfileNames(['dev', 'dev', 'dev-2'])).toEqual(['dev', 'dev-3', 'dev-2']);
  });

  it('skips reserved names', () => {
    expect(uniqueProfileNames(['default', 'admin', 'x'], ['default', 'admin'])).toEqual(['default-2', 'admin-2', 'x']);
  });
});
