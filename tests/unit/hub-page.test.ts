/**
 * The switch-role hub page as markup: every value escaped wherever it lands (text and attributes),
 * READY environments grouped by OU, the environments in flight, and a Content-Security-Policy whose
 * hashes match the page's own inline script and stylesheet. Then GET /switch-roles?format=html and
 * the live hub through the same `build` the Lambda entry point and the local runtime use.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { build as buildListSwitchRoles } from '../../functions/list-switch-roles/handler';
import { advance, newEnvironment, type Environment, type EnvironmentStatus } from '../../shared/domain/environment';
import { renderHubPage, type HubInFlightEnvironment, type HubPageInput, type HubReadyEnvironment } from '../../shared/domain/hub-page';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import type { SwitchRoleDetails } from '../../shared/domain/switch-role';
import { loadConfig } from '../../shared/lambda/config';
import type { EnvironmentStore, Page } from '../../shared/ports';
import { httpEvent } from '../fixtures/http-event';

const NOW = new Date('2026-11-28T09:30:00.000Z');

/** Ways out of a text node or a quoted attribute, and an entity that must not come back decoded. */
const PAYLOADS = ['<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "' onfocus='alert(1)' x='", '</script><script>alert(1)</script>', '&lt;b&gt;'];

function details(over: Partial<SwitchRoleDetails> = {}): SwitchRoleDetails {
  return {
    accountId: '123456789012',
    roleName: 'OrganizationAccountAccessRole',
    roleArn: 'arn:aws:iam::123456789012:role/OrganizationAccountAccessRole',
    displayName: 'Staging',
    color: 'EFDA95',
    colorName: 'yellow',
    consoleUrl: 'https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95',
    awsConfigProfile: '[profile staging]\nrole_arn = arn:aws:iam::123456789012:role/OrganizationAccountAccessRole\nsource_profile = management\n',
    extensionEntry: '[profile staging]\naws_account_id = 123456789012\nrole_name = OrganizationAccountAccessRole\ncolor = EFDA95\n',
    checkCommand: 'aws sts get-caller-identity --profile staging',
    ...over,
  };
}

function page(over: Partial<HubPageInput> = {}) {
  return renderHubPage({ ready: [], inFlight: [], generatedAt: NOW, live: false, ...over });
}

/** Decodes the five entities the renderer writes (and nothing else, so a double escape shows). */
function decode(value: string): string {
  return value.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
}

const SCRIPT = /<script>([\s\S]*?)<\/script>/g;
const STYLE = /<style>([\s\S]*?)<\/style>/g;

/**
 * The markup's tags with their attributes, read as a browser's tokenizer reads them: the inline script
 * and stylesheet are raw text, attribute values are quoted with `"` (the renderer's only quoting), and
 * anything left between tags is text. A value that escaped its place shows up as a tag or attribute.
 */
function tags(html: string): Array<{ name: string; attrs: Record<string, string> }> {
  const markup = html.replace(SCRIPT, '<script></script>').replace(STYLE, '<style></style>');
  const out: Array<{ name: string; attrs: Record<string, string> }> = [];
  for (const m of markup.matchAll(/<(\/?[a-zA-Z][a-zA-Z0-9]*|!doctype)((?:\s+[^\s=>"'/]+(?:="[^"]*")?)*)\s*>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([^\s=>"'/]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = decode(a[2] ?? '');
    out.push({ name: m[1]!.toLowerCase(), attrs });
  }
  // Every `<` in the markup opens one of the tags read above: nothing else looks like markup.
  expect((markup.match(/</g) ?? []).length).toBe(out.length);
  return out;
}

/** Text of the first element matching `open` (a literal start tag), decoded. */
function textOf(html: string, open: string): string {
  const start = html.indexOf(open);
  expect(start).toBeGreaterThanOrEqual(0);
  const name = /^<([a-z0-9]+)/.exec(open)![1]!;
  const body = html.slice(start + open.length, html.indexOf(`</${name}>`, start));
  return decode(body.replace(/<[^>]*>/g, ''));
}

const ALLOWED_TAGS = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'link', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'p', 'label', 'br', 'input', 'main', 'section', 'ul', 'li', 'span', 'div', 'code', 'time', 'a', 'button', 'details', 'summary', 'pre', 'strong', 'script']);

describe('escaping', () => {
  it.each(PAYLOADS)('keeps %j as text in every field, in text and in attributes alike', (payload) => {
    const hostile = details({
      accountId: `1234${payload}`,
      displayName: payload,
      color: payload,
      colorName: payload,
      consoleUrl: `https://signin.aws.amazon.com/switchrole?displayName=${payload}&color=x`,
      awsConfigProfile: `[profile ${payload}]\n`,
      extensionEntry: `color = ${payload}\n`,
      expiresAt: payload,
    });
    const flight: HubInFlightEnvironment = { id: payload, name: payload, ouPath: payload, status: 'CREATING', createdAt: payload, accountId: payload };
    const { html } = page({ ready: [{ id: payload, ouPath: payload, details: hostile }], inFlight: [flight], live: true });

    const read = tags(html);
    for (const tag of read) {
      expect(ALLOWED_TAGS.has(tag.name.replace(/^\//, ''))).toBe(true);
      for (const name of Object.keys(tag.attrs)) expect(name).not.toMatch(/^on/i);
    }
    // Exactly the page's own script and stylesheet, nothing a value opened.
    expect(html.match(SCRIPT)).toHaveLength(1);
    expect(html.match(STYLE)).toHaveLength(1);

    // Each value comes back whole from where it was put.
    const li = read.find((t) => t.name === 'li' && t.attrs.class === 'env')!;
    expect(li.attrs['data-id']).toBe(payload);
    expect(li.attrs['data-filter']).toContain(payload.toLowerCase());
    expect(read.find((t) => t.name === 'a')!.attrs.href).toBe(hostile.consoleUrl);
    expect(read.find((t) => t.name === 'section' && t.attrs.class === 'ou')!.attrs['aria-label']).toBe(payload);
    expect(read.find((t) => t.name === 'li' && t.attrs.class === 'flight')!.attrs['data-id']).toBe(payload);
    expect(textOf(html, '<h4 class="name">')).toBe(payload);
    expect(textOf(html, '<h3>')).toBe(payload);
    expect(textOf(html, '<pre data-kind="profile">')).toBe(hostile.awsConfigProfile);
    expect(textOf(html, '<pre data-kind="extension">')).toBe(hostile.extensionEntry);
    expect(textOf(html, '<p class="facts">')).toContain(`account 1234${payload}`);
    expect(textOf(html, '<p class="facts">')).toContain(`colour ${payload} (not in the console's palette)`);
    expect(textOf(html, '<p class="facts">')).toContain(`expires ${payload}`);
    expect(textOf(html, '<li class="flight"')).toContain(payload);
  });

  it('gives a colour outside the palette no swatch colour, only its name in text', () => {
    const { html } = page({ ready: [{ id: 'x-00000000', ouPath: 'Sandbox', details: details({ color: '123456', colorName: '123456' }) }] });
    expect(html).toContain('<span class="swatch swatch-none" aria-hidden="true"></span>');
    expect(html).not.toMatch(/123456\}/);
  });
});

describe('layout', () => {
  const env = (name: string, ouPath: string, over: Partial<SwitchRoleDetails> = {}): HubReadyEnvironment => ({
    id: `${name.toLowerCase()}-0000000${name.length}`,
    ouPath,
    details: details({ displayName: name, ...over }),
  });

  it('groups READY environments by OU path, the groups in path order and each keeping the order given', () => {
    const { html } = page({
      ready: [env('Zeta', 'Workloads/Staging'), env('Alpha', 'Workloads/Staging'), env('Sand', 'Sandbox/Playground'), env('Prod', 'Workloads/Production')],
    });
    const headings = [...html.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]);
    expect(headings).toEqual(['Sandbox/Playground', 'Workloads/Production', 'Workloads/Staging']);
    const staging = html.slice(html.indexOf('<h3>Workloads/Staging</h3>'));
    expect([...staging.matchAll(/<h4 class="name">([^<]*)<\/h4>/g)].map((m) => m[1])).toEqual(['Zeta', 'Alpha']);
    expect(html.match(/<li class="env"/g)).toHaveLength(4);
  });

  it('shows each environment with its swatch, colour, account id, link, copy buttons and texts', () => {
    const { html } = page({ ready: [env('Staging', 'Workloads/Staging')] });
    expect(html).toContain('<span class="swatch swatch-yellow" aria-hidden="true"></span>');
    expect(html).toContain('.swatch-yellow{background-color:#EFDA95}');
    expect(textOf(html, '<p class="facts">')).toBe('account 123456789012yellow');
    expect(html).toContain(
      '<a class="switch" data-focus="link" rel="noreferrer" href="https://signin.aws.amazon.com/switchrole?account=123456789012&amp;roleName=OrganizationAccountAccessRole&amp;displayName=Staging&amp;color=EFDA95">Switch role into Staging</a>',
    );
    expect(html).toMatch(/<button type="button" data-copy="profile"[^>]* hidden data-needs-script>Copy profile<\/button>/);
    expect(html).toMatch(/<button type="button" data-copy="extension"[^>]* hidden data-needs-script>Copy extension entry<\/button>/);
    expect(html).not.toContain('expires');
  });

  it("shows a lease's end as a date and time in UTC", () => {
    const { html } = page({ ready: [env('Trial', 'Sandbox', { expiresAt: '2026-12-12T09:30:00.000Z' })] });
    expect(html).toContain('<span>expires <time datetime="2026-12-12T09:30:00.000Z">2026-12-12 09:30 UTC</time></span>');
  });

  it('lists the environments in flight with their status, and says when there are none', () => {
    const flight = (name: string, status: EnvironmentStatus): HubInFlightEnvironment => ({ id: `${name.toLowerCase()}-00000001`, name, ouPath: 'Workloads/Production', status, createdAt: '2026-11-28T09:00:00.000Z' });
    const { html } = page({ inFlight: [flight('Ledger', 'PENDING_APPROVAL'), flight('Billing', 'CREATING')] });
    expect(textOf(html, '<li class="flight" data-id="ledger-00000001"')).toContain('Ledger PENDING_APPROVAL waiting for an approver');
    expect(html).toContain('<li class="flight" data-id="billing-00000001" data-status="CREATING"');
    expect(textOf(html, '<p class="meta" id="summary">')).toBe('0 environments ready, 2 in flight, as of 2026-11-28 09:30 UTC.');
    expect(html).toContain('No environment is ready yet.');
    expect(page().html).toContain('Nothing is being provisioned or closed.');
  });

  it('is a document with a language, a title, headings and a label for the filter', () => {
    const { html } = page({ ready: [env('Staging', 'Workloads/Staging')] });
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<title>Switchyard: switch roles</title>');
    expect(html).toContain('<h1>Switch roles</h1>');
    expect(html).toContain('<label for="filter">Filter by name, account id or OU</label>');
    expect(html).toContain('<input id="filter" type="search"');
  });
});

describe('Content-Security-Policy', () => {
  const sha = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const inline = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]!);
  const meta = (html: string) => decode(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1]!);

  it.each([true, false])('allows exactly the inline script and stylesheet of the page by their hashes (live: %s)', (live) => {
    const rendered = page({ ready: [{ id: 'a-00000000', ouPath: 'X', details: details() }], live });
    const [script] = inline(rendered.html, SCRIPT);
    const [style] = inline(rendered.html, STYLE);
    const policy = meta(rendered.html);
    expect(policy).toBe(rendered.metaPolicy);
    const directives = Object.fromEntries(policy.split('; ').map((d) => [d.split(' ')[0], d.slice(d.indexOf(' ') + 1)]));
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': sha(script!),
      'style-src': sha(style!),
      'img-src': 'data:',
      ...(live ? { 'connect-src': "'self'" } : {}),
      'base-uri': "'none'",
      'form-action': "'none'",
    });
    expect(rendered.headerPolicy).toBe(`${policy}; frame-ancestors 'none'`);
    // No attribute that a hash-only policy would refuse: inline handlers, inline styles.
    for (const tag of tags(rendered.html)) expect(Object.keys(tag.attrs).filter((a) => /^on|^style$/i.test(a))).toEqual([]);
    // Nothing loaded from anywhere: the only URLs are the console links and the data: favicon.
    expect([...rendered.html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!.split('?')[0])).toEqual(['data:,', 'https://signin.aws.amazon.com/switchrole']);
  });

  it('marks only the live page to follow environments in flight', () => {
    expect(page({ live: true }).html).toContain('<body data-poll="3">');
    expect(page({ live: false }).html).toContain('<body>');
  });
});

describe('GET /switch-roles?format=html and the live hub', () => {
  const config = loadConfig({ SOURCE_PROFILE: 'management' });
  const context = { functionName: 'switchyard-test', awsRequestId: 'req-1' } as Context;

  function environment(name: string, ou: string, status: EnvironmentStatus, accountId: string, minute: number): Environment {
    const at = new Date(Date.UTC(2026, 10, 28, 9, minute));
    const request = parseEnvironmentRequest({ name, ou }, { emailTemplate: 'admin+{slug}@example.com' });
    let env = newEnvironment(request, { now: at, source: 'api' });
    const path: EnvironmentStatus[] = ['CREATING', 'PLACING', 'NOTIFYING', 'READY'];
    for (const next of path.slice(0, path.indexOf(status) + 1)) env = advance(env, next, at, undefined, next === 'PLACING' ? { accountId, ouPath: ou } : {});
    return env;
  }

  const envs = [
    environment('Staging', 'Workloads/Staging', 'READY', '222200000001', 1),
    environment('Playground', 'Sandbox/Playground', 'READY', '222200000002', 2),
    environment('Ledger', 'Workloads/Production', 'CREATING', '222200000003', 3),
  ];

  /** `list` one item a page, so every page is read; `listActive` what is in flight. */
  const environments = {
    async list({ cursor }: { limit: number; cursor?: string }): Promise<Page<Environment>> {
      const i = cursor ? Number(cursor) : 0;
      return { items: envs.slice(i, i + 1), ...(i + 1 < envs.length ? { cursor: String(i + 1) } : {}) };
    },
    async listActive() {
      return envs.filter((e) => e.status === 'CREATING');
    },
  } as unknown as EnvironmentStore;

  async function get(path: string, routeKey: string, query?: Record<string, string>) {
    const handler = buildListSwitchRoles(() => ({ config, environments, clock: { now: () => NOW } }));
    return (await handler(httpEvent(path, routeKey, { query }), context)) as APIGatewayProxyStructuredResultV2;
  }
  const header = (r: APIGatewayProxyStructuredResultV2, name: string) => String(r.headers?.[name] ?? '');

  it('answers format=html with the snapshot: every READY environment, the one in flight, the policy as a header too', async () => {
    const result = await get('/switch-roles', 'GET /switch-roles', { format: 'html' });
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(result, 'content-disposition')).toBe('attachment; filename="switchyard-hub.html"');
    expect(header(result, 'x-content-type-options')).toBe('nosniff');
    const html = result.body!;
    const policy = header(result, 'content-security-policy');
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('connect-src');
    expect(html).toContain('href="https://signin.aws.amazon.com/switchrole?account=222200000001&amp;roleName=OrganizationAccountAccessRole&amp;displayName=Staging&amp;color=EFDA95"');
    expect(html).toContain('href="https://signin.aws.amazon.com/switchrole?account=222200000002&amp;roleName=OrganizationAccountAccessRole&amp;displayName=Playground&amp;color=B7CA9D"');
    expect(html).toContain('<pre data-kind="profile">[profile staging]\nrole_arn = arn:aws:iam::222200000001:role/OrganizationAccountAccessRole\nsource_profile = management\n</pre>');
    expect(html).toMatch(/<li class="flight" data-id="ledger-[0-9a-f]{8}" data-status="CREATING"/);
    expect(html).not.toContain('data-poll');
  });

  it('puts a source_profile asked for into every profile', async () => {
    const result = await get('/switch-roles', 'GET /switch-roles', { format: 'html', source_profile: 'admin' });
    expect(result.body).toContain('source_profile = admin\n</pre>');
    expect(result.body).not.toContain('source_profile = management');
  });

  it('serves the live page, shown in place, for the route key the local runtime gives GET /', async () => {
    const result = await get('/', 'GET /');
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(result, 'content-disposition')).toBe('');
    expect(header(result, 'content-security-policy')).toContain("connect-src 'self'");
    expect(result.body).toContain('<body data-poll="3">');
  });

  it('refuses an unknown format with a JSON 400 naming format', async () => {
    const result = await get('/switch-roles', 'GET /switch-roles', { format: 'pdf' });
    expect(result.statusCode).toBe(400);
    expect(header(result, 'content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(result.body!).error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ field: 'format', message: 'must be one of aws-config, extension, html' }] });
  });
});
