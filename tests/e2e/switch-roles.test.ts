/**
 * The switch-role files over HTTP, as an admin would fetch them: two environments provisioned to
 * READY through the local runtime, one that fails, then the combined file and the per-environment forms.
 */
import { startRuntime, type Runtime } from '../../local/runtime';
import { call, tempDataDir, waitForFinal, QUICK_SIM_ENV } from './helpers';

let runtime: Runtime;
let base: string;
let staging: any;
let playground: any;
let failed: any;

/** `[profile name]` sections with their `key = value` lines; anything else in the file fails the test. */
function sections(text: string): Array<{ name: string; values: Record<string, string> }> {
  const out: Array<{ name: string; values: Record<string, string> }> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const head = /^\[profile ([^\]\s]+)\]$/.exec(line);
    const pair = /^(\w+) = (\S+)$/.exec(line);
    if (head) out.push({ name: head[1]!, values: {} });
    else if (pair && out.length) out[out.length - 1]!.values[pair[1]!] = pair[2]!;
    else throw new Error(`not INI: ${JSON.stringify(line)}`);
  }
  return out;
}

beforeAll(async () => {
  runtime = await startRuntime({
    dataDir: tempDataDir(),
    port: 0,
    env: {
      ...QUICK_SIM_ENV,
      SOURCE_PROFILE: 'management',
      // Room for the management account and two more: a third creation fails at Organizations
      // (ACCOUNT_LIMIT_EXCEEDED), which gives a FAILED environment without any fault injection.
      SWITCHYARD_SIM_ACCOUNT_QUOTA: '3',
    },
  });
  base = runtime.url;

  const requests = [
    { name: 'Staging', ou: 'Workloads/Staging' },
    { name: 'Playground Ana', ou: 'Sandbox/Playground' },
  ];
  const accepted = await Promise.all(requests.map((body) => call(base, 'POST', '/environments', body)));
  for (const reply of accepted) expect(reply.status).toBe(202);
  [staging, playground] = await Promise.all(accepted.map((reply) => waitForFinal(base, reply.body.id)));

  const third = await call(base, 'POST', '/environments', { name: 'Production', ou: 'Workloads/Production' });
  expect(third.status).toBe(202);
  failed = await waitForFinal(base, third.body.id);
  // A bound on a hung runtime, not a timing goal: provisioning three environments takes several simulated seconds.
}, 60_000);

afterAll(async () => {
  await runtime.close();
});

describe('switch-role files through the local runtime', () => {
  it('provisioned two environments to READY and a third to FAILED', () => {
    expect([staging.status, playground.status, failed.status]).toEqual(['READY', 'READY', 'FAILED']);
    expect(failed.failure.code).toBe('ACCOUNT_LIMIT_EXCEEDED');
  });

  it('GET /switch-roles?format=aws-config has exactly one profile per READY environment, with its role ARN', async () => {
    const reply = await call<string>(base, 'GET', '/switch-roles?format=aws-config');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="switchyard-aws-config"');
    expect(reply.body).toMatch(/^# Switchyard switch roles, generated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n/);

    const listed = (await call(base, 'GET', '/environments?limit=100')).body.items;
    const readyCount = listed.filter((e: { status: string }) => e.status === 'READY').length;
    const profiles = sections(reply.body);
    expect(profiles).toHaveLength(readyCount);
    expect(profiles).toEqual([
      { name: 'playground-ana', values: { role_arn: `arn:aws:iam::${playground.accountId}:role/OrganizationAccountAccessRole`, source_profile: 'management' } },
      { name: 'staging', values: { role_arn: `arn:aws:iam::${staging.accountId}:role/OrganizationAccountAccessRole`, source_profile: 'management' } },
    ]);
    expect(profiles.map((p) => p.values.role_arn)).toEqual([playground.switchRole.roleArn, staging.switchRole.roleArn]);
  });

  it('defaults to aws-config and takes ?source_profile=', async () => {
    const reply = await call<string>(base, 'GET', '/switch-roles?source_profile=ana-admin');
    expect(reply.status).toBe(200);
    expect(sections(reply.body).map((p) => p.values.source_profile)).toEqual(['ana-admin', 'ana-admin']);
    const bad = await call(base, 'GET', '/switch-roles?source_profile=ana%20admin');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['source_profile']);
  });

  it('GET /switch-roles?format=extension has aws_account_id, role_name and colour per READY environment', async () => {
    const reply = await call<string>(base, 'GET', '/switch-roles?format=extension');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="switchyard-extension"');
    const profiles = sections(reply.body);
    expect(profiles.map((p) => p.name)).toEqual(['playground-ana', 'staging']);
    expect(profiles.map((p) => p.values.aws_account_id)).toEqual([playground.accountId, staging.accountId]);
    for (const p of profiles) {
      expect(p.values.role_name).toBe('OrganizationAccountAccessRole');
      expect(p.values.color).toMatch(/^[0-9A-Fa-f]{6}$/);
    }
    expect(profiles.map((p) => p.values.color)).toEqual([playground.color, staging.color]);
  });

  it('GET /environments/{id}/switch-role?format=url returns the console link', async () => {
    const reply = await call<string>(base, 'GET', `/environments/${staging.id}/switch-role?format=url`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(reply.body).toBe(`https://signin.aws.amazon.com/switchrole?account=${staging.accountId}&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95`);
    expect(reply.body).toBe(staging.switchRole.consoleUrl);
  });

  it('GET /environments/{id}/switch-role answers JSON by default, and the profile as text for aws-config', async () => {
    const asJson = await call(base, 'GET', `/environments/${playground.id}/switch-role`);
    expect(asJson.status).toBe(200);
    expect(asJson.body).toEqual(playground.switchRole);
    const asConfig = await call<string>(base, 'GET', `/environments/${playground.id}/switch-role?format=aws-config`);
    expect(sections(asConfig.body)).toEqual([
      { name: 'playground-ana', values: { role_arn: playground.switchRole.roleArn, source_profile: 'management' } },
    ]);
  });

  it('refuses a failed environment with 409 NOT_READY, an unknown format with 400, and an unknown id with 404', async () => {
    const notReady = await call(base, 'GET', `/environments/${failed.id}/switch-role?format=url`);
    expect(notReady.status).toBe(409);
    expect(notReady.headers.get('content-type')).toContain('application/json');
    expect(notReady.body.error.code).toBe('NOT_READY');
    expect(notReady.body.error.message).toContain('FAILED');
    const badFormat = await call(base, 'GET', `/environments/${staging.id}/switch-role?format=yaml`);
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['format']);
    const unknown = await call(base, 'GET', '/environments/staging-00000000/switch-role');
    expect(unknown.status).toBe(404);
  });
});
