/**
 * Debian's chromium driven by playwright-core, for the switch-role hub's browser tests and its README
 * screenshot. playwright-core never downloads a browser: the one installed with apt-get is used.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';

export const INSTALL_HINT = 'Install it with `sudo apt-get update && sudo apt-get install -y chromium` (or point SWITCHYARD_CHROMIUM at a Chromium binary).';

/** Why the browser tests cannot run here, or undefined when chromium is where they look for it. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `No chromium at ${CHROMIUM_PATH}. ${INSTALL_HINT}`;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: the sandbox cannot start as root, which CI containers run as.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}
