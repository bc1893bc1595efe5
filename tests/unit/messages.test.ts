import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { escapeHtml, renderFailedMessage, renderReadyMessage } from '../../shared/domain/messages';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { buildSwitchRoleDetails } from '../../shared/domain/switch-role';

const now = new Date('2026-11-28T09:00:00Z');

function environment(name: string, ou = 'Workloads/Staging'): Environment {
  return newEnvironment(parseEnvironmentRequest({ name, ou, color: 'yellow' }, { emailTemplate: 'admin+{slug}@example.com' }), { now, source: 'test' });
}

function ready(name: string) {
  const env = { ...environment(name), accountId: '123456789012', ouPath: 'Workloads/Staging', ouId: 'ou-abcd-11111111' };
  const details = buildSwitchRoleDetails({ accountId: '123456789012', displayName: name, color: env.color, profileName: 'staging', sourceProfile: 'management' });
  return { env, details };
}

/** The text a reader sees in the HTML: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

/** What the admin needs for Staging, written out. */
const CONSOLE_URL = 'https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95';

describe('ready message', () => {
  const { env, details } = ready('Staging');
  const message = renderReadyMessage(env, details);

  it('names the environment and account in the subject', () => {
    expect(message.subject).toBe('[Switchyard] Staging is ready: account 123456789012');
  });

  it.each(['text', 'html'] as const)('carries everything needed to switch in (%s)', (part) => {
    const body = part === 'html' ? visibleText(message.html) : message.text;
    expect(body).toContain('Staging');
    expect(body).toContain('123456789012');
    expect(body).toContain('Workloads/Staging');
    expect(body).toContain(CONSOLE_URL);
    expect(body).toContain('[profile staging]\nrole_arn = arn:aws:iam::123456789012:role/OrganizationAccountAccessRole\nsource_profile = management');
    expect(body).toContain('[profile staging]\naws_account_id = 123456789012\nrole_name = OrganizationAccountAccessRole\ncolor = EFDA95');
    expect(body).toContain('aws sts get-caller-identity --profile staging');
    expect(body).toContain('yellow');
  });

  it('puts the console link in an anchor with the URL escaped', () => {
    expect(message.html).toContain(
      '<a href="https://signin.aws.amazon.com/switchrole?account=123456789012&amp;roleName=OrganizationAccountAccessRole&amp;displayName=Staging&amp;color=EFDA95">',
    );
  });

  it('keeps the config blocks copy-pasteable in the text part', () => {
    expect(message.text).toMatch(/^\[profile staging\]$/m);
    expect(message.text).toMatch(/^role_arn = arn:aws:iam::123456789012:role\/OrganizationAccountAccessRole$/m);
  });

  it('falls back to the requested OU when no path was resolved', () => {
    const { env: e, details: d } = ready('Staging');
    const text = renderReadyMessage({ ...e, ouPath: undefined, ou: 'ou-abcd-11111111' }, d).text;
    expect(text).toContain('ou-abcd-11111111');
  });

  it('escapes every interpolated value in the HTML', () => {
    const { env: e, details: d } = ready('R&D <script>alert("x")</script>');
    const html = renderReadyMessage(e, d).html;
    expect(html).not.toContain('<script>');
    expect(html).toContain('R&amp;D &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(visibleText(html)).toContain('R&D <script>alert("x")</script>');
  });

  it('uses no external assets', () => {
    expect(message.html).not.toMatch(/<(img|link|script)\b/i);
    expect(message.html).not.toMatch(/src=/i);
  });

  it('never puts anything but a palette hex into a style', () => {
    const { env: e, details: d } = ready('Staging');
    const html = renderReadyMessage(e, { ...d, color: 'red;background:url(x)' }).html;
    expect(html).not.toContain('url(x)');
  });
});

describe('failed message', () => {
  const base = environment('Playground Ana', 'Sandbox/Playground');
  const failed = advance(base, 'FAILED', now, undefined, {
    failure: {
      code: 'EMAIL_ALREADY_EXISTS',
      message: 'Another AWS account already uses admin+playground-ana@example.com.',
      fix: 'Request it again with a different email, e.g. a new plus-address.',
      state: 'CheckAccountStatus',
    },
  });
  const message = renderFailedMessage(failed);

  it('names the environment and the reason in the subject', () => {
    expect(message.subject).toBe('[Switchyard] Playground Ana could not be provisioned (EMAIL_ALREADY_EXISTS)');
  });

  it.each(['text', 'html'] as const)('explains what happened and how to fix it (%s)', (part) => {
    const body = part === 'html' ? visibleText(message.html) : message.text;
    expect(body).toContain('EMAIL_ALREADY_EXISTS');
    expect(body).toContain('Another AWS account already uses admin+playground-ana@example.com.');
    expect(body).toContain('Request it again with a different email, e.g. a new plus-address.');
    expect(body).toContain('CheckAccountStatus');
    expect(body).toContain('Sandbox/Playground');
  });

  it('escapes the failure text in the HTML', () => {
    const html = renderFailedMessage({ ...failed, failure: { code: 'X<1>', message: '<b>bold</b>', fix: 'a & b' } }).html;
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('a &amp; b');
    expect(html).toContain('X&lt;1&gt;');
  });

  it('still says something useful when no failure was recorded', () => {
    const { text } = renderFailedMessage({ ...base, status: 'FAILED' });
    expect(text).toMatch(/UNKNOWN/);
    expect(text).toMatch(/How to fix it: \S/);
  });
});
