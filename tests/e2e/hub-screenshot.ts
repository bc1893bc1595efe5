/**
 * `npx tsx tests/e2e/hub-screenshot.ts [OUT]`: the README's picture of the switch-role hub. Starts the
 * local runtime on a fresh simulated organization, provisions the demo's three environments
 * (Production red, Staging yellow, Playground green, as `npm run demo` does), and photographs `/` in
 * Debian's chromium, 1000 pixels wide, into docs/hub.png (or OUT).
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startRuntime } from '../../local/runtime';
import { call, QUICK_SIM_ENV, tempDataDir, waitForFinal } from './helpers';
import { chromiumMissing, launchChromium } from './hub-browser';

const REQUESTS = [
  { name: 'Production', ou: 'Workloads/Production', color: 'red' },
  { name: 'Staging', ou: 'Workloads/Staging', color: 'yellow' },
  { name: 'Playground', ou: 'Sandbox/Playground', color: 'green' },
];

async function main(): Promise<number> {
  const out = resolve(process.argv[2] ?? join(__dirname, '..', '..', 'docs', 'hub.png'));
  const missing = chromiumMissing();
  if (missing) {
    console.error(missing);
    return 1;
  }
  const dataDir = tempDataDir('switchyard-hub-screenshot-');
  const runtime = await startRuntime({ dataDir, port: 0, env: { ...process.env, ...QUICK_SIM_ENV, SWITCHYARD_LIFECYCLE_INTERVAL: 'off' } });
  const browser = await launchChromium();
  try {
    for (const body of REQUESTS) {
      const reply = await call(runtime.url, 'POST', '/environments', body);
      if (reply.status !== 202) throw new Error(`POST /environments for ${body.name} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      const env = await waitForFinal(runtime.url, reply.body.id);
      if (env.status !== 'READY') throw new Error(`${body.name} ended ${env.status}`);
    }
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    await page.goto(`${runtime.url}/`);
    // Opened, so the picture shows what the copy buttons copy.
    await page.locator('details').first().evaluate((el) => ((el as { open: boolean }).open = true));
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}`);
    return 0;
  } finally {
    await browser.close();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
