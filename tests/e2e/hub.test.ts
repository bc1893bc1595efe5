/**
 * The switch-role hub in a real browser (Debian's chromium through playwright-core), as an admin
 * uses it: the live page at `/` of the local runtime, the same page without JavaScript, and the
 * snapshot `GET /switch-roles?format=html` saved to disk and opened from there. What the page must
 * show is read from the API (each environment's own switch-role endpoint), never from the renderer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startRuntime, type Runtime } from '../../local/runtime';
import { chromiumMissing, launchChromium } from './hub-browser';
import { call, QUICK_SIM_ENV, tempDataDir, waitForFinal } from './helpers';

/** The console's switch-role palette, as aws-facts.md lists it (AWS re:Post, August 2024). */
const PALETTE: Record<string, string> = { red: 'F2B0A9', orange: 'FBC8AA', yellow: 'EFDA95', green: 'B7CA9D', blue: '83D4E8' };
const HOSTILE = '<img src=x onerror=alert(1)>';

/** What the tests ask for: the hostile name, every palette colour, one lease, three OUs. */
const REQUESTS = [
  { name: 'Staging', ou: 'Workloads/Staging', color: 'yellow' },
  { name: HOSTILE, ou: 'Workloads/Staging', color: 'orange' },
  { name: 'Playground Ana', ou: 'Sandbox/Playground', color: 'green', ttl: 'P14D' },
  { name: 'Data Lake', ou: 'Sandbox/Playground', color: 'blue' },
];
/** Held for approval until the last test approves it: in flight while the others run. */
const HELD = { name: 'Ledger Prod', ou: 'Workloads/Production', color: 'red' };

interface Provisioned {
  id: string;
  name: string;
  ou: string;
  color: string;
  accountId: string;
  /** From `GET /environments/{id}/switch-role`. */
  switchRole: { consoleUrl: string; awsConfigProfile: string; extensionEntry: string; expiresAt?: string };
}

const missing = chromiumMissing();
if (missing && !process.env.CI) {
  console.warn(`\n*** The switch-role hub's browser tests are SKIPPED. ${missing}\n`);
}

describe('chromium for the browser tests', () => {
  (missing && process.env.CI ? it : it.skip)('is installed on CI', () => {
    throw new Error(`The browser tests need chromium. ${missing} .ci/run installs it with apt-get.`);
  });
});

/** `rgb(r, g, b)` as getComputedStyle reports a hex colour. */
function rgb(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

async function switchRoleOf(base: string, id: string): Promise<Provisioned['switchRole']> {
  const reply = await call(base, 'GET', `/environments/${id}/switch-role`);
  expect(reply.status).toBe(200);
  return reply.body;
}

(missing ? describe.skip : describe)('the switch-role hub in chromium', () => {
  let runtime: Runtime;
  let base: string;
  let browser: Browser;
  const ready: Provisioned[] = [];
  let held: { id: string };
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    runtime = await startRuntime({
      dataDir: tempDataDir(),
      port: 0,
      env: { ...QUICK_SIM_ENV, SOURCE_PROFILE: 'management', APPROVAL_OUS: 'Workloads/Production', APPROVERS: 'local:ana', SWITCHYARD_LIFECYCLE_INTERVAL: 'off' },
    });
    base = runtime.url;
    browser = await launchChromium();
    const accepted = await Promise.all(REQUESTS.map((body) => call(base, 'POST', '/environments', body)));
    for (const reply of accepted) expect(reply.status).toBe(202);
    const final = await Promise.all(accepted.map((reply) => waitForFinal(base, reply.body.id)));
    for (const [i, env] of final.entries()) {
      expect(env.status).toBe('READY');
      ready.push({ id: env.id, name: REQUESTS[i]!.name, ou: REQUESTS[i]!.ou, color: REQUESTS[i]!.color, accountId: env.accountId, switchRole: await switchRoleOf(base, env.id) });
    }
    const asked = await call(base, 'POST', '/environments', HELD);
    expect(asked.status).toBe(202);
    expect(asked.body.status).toBe('PENDING_APPROVAL');
    held = { id: asked.body.id };
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await runtime?.close();
  });

  /** A fresh page that records what a user would not see: requests, dialogs, console messages, policy violations. */
  async function open(url: string, options: Parameters<Browser['newContext']>[0] = {}) {
    const context = await browser.newContext(options);
    contexts.push(context);
    // Runs before the page's own script (and is not subject to its policy): counts every violation reported.
    await context.addInitScript('window.__violations = []; document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));');
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const console: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => console.push(`pageerror: ${error.message}`));
    const response = await page.goto(url);
    return { page, context, requests, dialogs, console, response };
  }

  const violations = (page: Page) => page.evaluate('window.__violations') as Promise<string[] | undefined>;
  const row = (page: Page, id: string) => page.locator(`li[data-id="${id}"]`);
  const byName = (name: string) => ready.find((e) => e.name === name)!;

  it('links each READY environment to exactly the console link the API returns, under its OU', async () => {
    const { page } = await open(`${base}/`);
    const links = page.locator('#ready a[href]');
    expect(await links.count()).toBe(ready.length);
    for (const env of ready) {
      const link = row(page, env.id).getByRole('link', { name: `Switch role into ${env.name}` });
      expect(await link.getAttribute('href')).toBe(env.switchRole.consoleUrl);
      const group = page.locator('section.ou', { has: row(page, env.id) });
      expect(await group.getByRole('heading', { level: 3 }).textContent()).toBe(env.ou);
      expect(await row(page, env.id).textContent()).toContain(env.accountId);
    }
    expect(await page.locator('section.ou h3').allTextContents()).toEqual(['Sandbox/Playground', 'Workloads/Staging']);
  });

  it('shows the end of a lease, and none for environments without one', async () => {
    const { page } = await open(`${base}/`);
    const leased = byName('Playground Ana');
    expect(leased.switchRole.expiresAt).toEqual(expect.any(String));
    const shown = row(page, leased.id).locator('time');
    expect(await shown.getAttribute('datetime')).toBe(leased.switchRole.expiresAt);
    expect(await shown.textContent()).toBe(`${leased.switchRole.expiresAt!.slice(0, 10)} ${leased.switchRole.expiresAt!.slice(11, 16)} UTC`);
    for (const env of ready.filter((e) => e !== leased)) expect(await row(page, env.id).textContent()).not.toContain('expires');
  });

  it('paints each swatch in the palette colour asked for, with the colour named in text', async () => {
    const { page } = await open(`${base}/`);
    for (const env of ready) {
      const swatch = row(page, env.id).locator('.swatch');
      expect(await swatch.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)).toBe(rgb(PALETTE[env.color]!));
      expect(await row(page, env.id).locator('.facts').textContent()).toContain(env.color);
    }
  });

  it('shows the hostile name as text and never runs it', async () => {
    const { page, dialogs } = await open(`${base}/`);
    const hostile = byName(HOSTILE);
    expect(await page.getByRole('heading', { level: 4, name: HOSTILE }).count()).toBe(1);
    expect(await row(page, hostile.id).getByRole('link').getAttribute('href')).toBe(hostile.switchRole.consoleUrl);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('[onerror]').count()).toBe(0);
    // The filter writes nothing into the page from what is typed: the name typed in is only matched.
    await page.getByLabel('Filter by name, account id or OU').fill(HOSTILE);
    expect(await page.locator('li.env:visible').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('loads nothing from elsewhere and breaks none of its own policy, while following environments in flight', async () => {
    const { page, requests, console, response } = await open(`${base}/`);
    const origin = new URL(base).origin;
    // The header carries the policy (and the page's <meta> the same, for a saved copy).
    const header = response!.headers()['content-security-policy']!;
    expect(header).toMatch(/default-src 'none'/);
    expect(header).toMatch(/connect-src 'self'/);
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(header.replace(/; frame-ancestors 'none'$/, ''));
    // One round of following what is in flight, through the runtime's JSON routes.
    await page.waitForRequest((r) => r.url().startsWith(`${origin}/environments`));
    await page.getByLabel('Filter by name, account id or OU').fill('lake');
    expect(requests.length).toBeGreaterThan(1);
    for (const url of requests) expect(url.startsWith(`${origin}/`) || url.startsWith('data:')).toBe(true);
    expect(console.filter((line) => /Content.Security.Policy|Refused to/i.test(line))).toEqual([]);
    expect(console.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    expect(await violations(page)).toEqual([]);
  });

  it('narrows the list as you type: by name, account id or OU', async () => {
    const { page } = await open(`${base}/`);
    const filter = page.getByLabel('Filter by name, account id or OU');
    const visibleIds = async () => page.locator('li.env:visible').evaluateAll((els) => els.map((el) => (el as any).dataset.id as string).sort());
    const idsOf = (...names: string[]) => names.map((n) => byName(n).id).sort();

    expect(await visibleIds()).toEqual(ready.map((e) => e.id).sort());
    await filter.pressSequentially('play');
    expect(await visibleIds()).toEqual(idsOf('Playground Ana', 'Data Lake'));
    await filter.pressSequentially('ground a');
    expect(await visibleIds()).toEqual(idsOf('Playground Ana'));
    await filter.fill(byName('Staging').accountId);
    expect(await visibleIds()).toEqual(idsOf('Staging'));
    await filter.fill('workloads/');
    expect(await visibleIds()).toEqual(idsOf('Staging', HOSTILE));
    // An OU with nothing left in it is hidden with its heading.
    expect(await page.locator('section.ou:visible h3').allTextContents()).toEqual(['Workloads/Staging']);
    await filter.fill('no such environment');
    expect(await visibleIds()).toEqual([]);
    expect(await page.getByText('No environment matches the filter.').isVisible()).toBe(true);
    await filter.fill('');
    expect(await visibleIds()).toEqual(ready.map((e) => e.id).sort());
    expect(await page.getByText('No environment matches the filter.').isVisible()).toBe(false);
  });

  it("copies an environment's ~/.aws/config profile and extension entry, as the API gives them", async () => {
    const { page } = await open(`${base}/`, { permissions: ['clipboard-read', 'clipboard-write'] });
    const env = byName('Playground Ana');
    const profile = await call<string>(base, 'GET', `/environments/${env.id}/switch-role?format=aws-config`);
    const extension = await call<string>(base, 'GET', `/environments/${env.id}/switch-role?format=extension`);
    expect(profile.body).toContain('source_profile = management');

    await row(page, env.id).getByRole('button', { name: 'Copy profile' }).click();
    await row(page, env.id).getByText('Copied the ~/.aws/config profile.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(profile.body);

    await row(page, env.id).getByRole('button', { name: 'Copy extension entry' }).click();
    await row(page, env.id).getByText('Copied the extension entry.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(extension.body);
  });

  it('is usable from the keyboard: the filter, then each link and button in turn, with a visible focus ring', async () => {
    const { page } = await open(`${base}/`);
    const focused = () => page.evaluate('[document.activeElement.tagName, document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]') as Promise<[string, string, string]>;
    await page.keyboard.press('Tab');
    expect((await focused())[0]).toBe('INPUT');
    // The first environment: OUs in path order, then names in order.
    const first = 'Data Lake';
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual(['A', `Switch role into ${first}`, 'solid']);
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual(['BUTTON', 'Copy profile', 'solid']);
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual(['BUTTON', 'Copy extension entry', 'solid']);
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual(['SUMMARY', `Profile and extension entry for ${first}`, 'solid']);
    await page.keyboard.press('Enter');
    expect(await row(page, byName(first).id).locator('pre[data-kind="profile"]').isVisible()).toBe(true);
  });

  it('works without JavaScript: the same links, and the texts to copy behind a disclosure', async () => {
    const { page, requests } = await open(`${base}/`, { javaScriptEnabled: false });
    for (const env of ready) {
      expect(await row(page, env.id).getByRole('link', { name: `Switch role into ${env.name}` }).getAttribute('href')).toBe(env.switchRole.consoleUrl);
    }
    // Buttons that would do nothing are not shown.
    expect(await page.getByRole('button').count()).toBe(0);
    expect(await page.getByLabel('Filter by name, account id or OU').isVisible()).toBe(false);
    const env = byName('Staging');
    await row(page, env.id).locator('summary').click();
    const profile = await call<string>(base, 'GET', `/environments/${env.id}/switch-role?format=aws-config`);
    expect(await row(page, env.id).locator('pre[data-kind="profile"]').textContent()).toBe(profile.body);
    expect(requests).toEqual([`${base}/`]);
  });

  it('serves GET /switch-roles?format=html as a file that, opened from disk, shows the same links and follows nothing', async () => {
    const reply = await fetch(`${base}/switch-roles?format=html`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(reply.headers.get('content-disposition')).toBe('attachment; filename="switchyard-hub.html"');
    const policy = reply.headers.get('content-security-policy')!;
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).not.toMatch(/connect-src/);
    const file = join(mkdtempSync(join(tmpdir(), 'switchyard-hub-')), 'hub.html');
    writeFileSync(file, await reply.text());

    const url = pathToFileURL(file).href;
    const { page, requests, console, dialogs } = await open(url, { permissions: ['clipboard-read', 'clipboard-write'] });
    for (const env of ready) {
      expect(await row(page, env.id).getByRole('link', { name: `Switch role into ${env.name}` }).getAttribute('href')).toBe(env.switchRole.consoleUrl);
    }
    expect(await page.locator(`li[data-id="${held.id}"]`).textContent()).toContain('PENDING_APPROVAL');
    // Its script still runs from the file (allowed by its hash): the filter works there too.
    await page.getByLabel('Filter by name, account id or OU').fill('data');
    expect(await page.locator('li.env:visible').count()).toBe(1);
    expect(requests.every((u) => u === url || u.startsWith('data:'))).toBe(true);
    expect(console.filter((line) => /Content.Security.Policy|Refused to|pageerror/i.test(line))).toEqual([]);
    expect(await violations(page)).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  // Last: it moves the held environment to READY, which the tests above count on being in flight.
  it('shows an environment in flight with its status, then as READY, without a reload', async () => {
    const { page } = await open(`${base}/`);
    let loads = 0;
    page.on('load', () => loads++);
    await page.evaluate('window.__sameDocument = true');
    const flight = page.locator(`#in-flight li[data-id="${held.id}"]`);
    expect(await flight.textContent()).toContain(HELD.name);
    expect(await flight.locator('.status').textContent()).toBe('PENDING_APPROVAL');

    const approved = await call(base, 'POST', `/environments/${held.id}/approve`, {}, { 'x-switchyard-principal': 'ana' });
    expect(approved.status).toBe(200);
    const env = await waitForFinal(base, held.id);
    expect(env.status).toBe('READY');

    const link = page.locator(`#ready li[data-id="${held.id}"] a`);
    // A bound on a page that never updates, not a timing goal: it checks every few seconds.
    await link.waitFor({ timeout: 30_000 });
    expect(await link.getAttribute('href')).toBe((await switchRoleOf(base, held.id)).consoleUrl);
    expect(await page.locator(`#in-flight li[data-id="${held.id}"]`).count()).toBe(0);
    const swatch = page.locator(`#ready li[data-id="${held.id}"] .swatch`);
    expect(await swatch.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)).toBe(rgb(PALETTE.red!));
    expect(await page.locator('section.ou h3').allTextContents()).toContain('Workloads/Production');
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(loads).toBe(0);
  });
});

describe('the hub over HTTP', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await startRuntime({ dataDir: tempDataDir(), port: 0, env: { ...QUICK_SIM_ENV, SWITCHYARD_LIFECYCLE_INTERVAL: 'off' } });
  });
  afterAll(async () => {
    await runtime.close();
  });

  it('answers an unknown format with 400 naming format, listing html among the formats', async () => {
    const reply = await call(runtime.url, 'GET', '/switch-roles?format=pdf');
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.body.error.fields).toEqual([{ field: 'format', message: 'must be one of aws-config, extension, html' }]);
  });

  it('serves only GET at /, and the page says when nothing is ready yet', async () => {
    const posted = await call(runtime.url, 'POST', '/', {});
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET');
    const page = await fetch(`${runtime.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-disposition')).toBeNull();
    expect(await page.text()).toContain('No environment is ready yet.');
  });
});
