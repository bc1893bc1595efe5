import { createHash } from 'node:crypto';
import { CONSOLE_PALETTE } from './colors';
import { ENVIRONMENT_STATUSES, isFinal, type EnvironmentStatus } from './environment';
import { escapeHtml } from './messages';
import type { SwitchRoleDetails } from './switch-role';

/**
 * The switch-role hub: one self-contained HTML document listing every READY environment with its
 * one-click console link and the texts to copy, and the environments still in flight.
 *
 * The same page is served live by the local runtime at `/` (it then follows the environments in
 * flight by polling the runtime's own JSON routes) and as a saved snapshot by
 * `GET /switch-roles?format=html`. Everything is inline: the page loads nothing, and its
 * Content-Security-Policy allows the inline script and style only by their hashes.
 */

/** The path the local runtime serves the live hub at. */
export const LIVE_HUB_PATH = '/';

/** How often the live page asks the runtime about environments in flight. */
export const LIVE_POLL_SECONDS = 3;

export interface HubReadyEnvironment {
  id: string;
  /** Where it sits: the resolved OU path (`Workloads/Staging`), or the requested OU when none was resolved. */
  ouPath: string;
  /** Exactly what `GET /environments/{id}/switch-role` returns for it. */
  details: SwitchRoleDetails;
}

export interface HubInFlightEnvironment {
  id: string;
  name: string;
  ouPath: string;
  status: EnvironmentStatus;
  /** When it was requested. */
  createdAt: string;
  accountId?: string;
}

export interface HubPageInput {
  ready: readonly HubReadyEnvironment[];
  inFlight: readonly HubInFlightEnvironment[];
  generatedAt: Date;
  /** The live page at LIVE_HUB_PATH; a snapshot (a file) otherwise. */
  live: boolean;
}

export interface HubPage {
  html: string;
  /** The policy the page carries in its `<meta http-equiv>`, so a saved file keeps it. */
  metaPolicy: string;
  /** The Content-Security-Policy header to send with it: the same policy, and no framing (which a `<meta>` cannot say). */
  headerPolicy: string;
}

/** The statuses the in-flight section shows: on the way to READY, or from READY to CLOSED. */
export const IN_FLIGHT_STATUSES: readonly EnvironmentStatus[] = ENVIRONMENT_STATUSES.filter((s) => !isFinal(s));

const STATUS_WORDS: Partial<Record<EnvironmentStatus, string>> = {
  PENDING_APPROVAL: 'waiting for an approver',
  REQUESTED: 'requested',
  CREATING: 'creating the account',
  PLACING: 'placing the account in its OU',
  NOTIFYING: 'handing over the switch-role details',
  CLOSE_QUEUED: "waiting for AWS's closing quota",
  CLOSING: 'closing the account',
};

/**
 * The page's stylesheet. Swatch colours come from the console palette as CSS classes: an inline
 * `style` attribute would need `'unsafe-inline'` (or `'unsafe-hashes'`) in the policy.
 */
export const HUB_STYLE = [
  ':root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff;line-height:1.45}',
  'body{margin:0 auto;max-width:64rem;padding:1.5rem}',
  'h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem}h3{font-size:1.05rem;margin:1.25rem 0 .5rem;color:#333}',
  '.meta,.note{color:#444;margin:.25rem 0}',
  'ul{list-style:none;margin:0;padding:0}',
  '.env{display:grid;grid-template-columns:2.25rem 1fr;gap:.25rem 1rem;padding:.75rem 0;border-top:1px solid #ddd}',
  '.swatch{display:block;width:2.25rem;height:2.25rem;border-radius:.4rem;border:1px solid #595959;box-sizing:border-box}',
  ...Object.entries(CONSOLE_PALETTE).map(([name, hex]) => `.swatch-${name}{background-color:#${hex}}`),
  '.swatch-none{background:repeating-linear-gradient(45deg,#fff 0 4px,#ccc 4px 8px)}',
  '.name{font-weight:600;font-size:1.05rem;margin:0}',
  '.facts{margin:.1rem 0 .4rem;color:#333}.facts span+span::before{content:" \\00b7  "}',
  '.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}',
  'a{color:#0b57a4}a:visited{color:#5b2d8e}',
  '.switch{font-weight:600}',
  'button{font:inherit;font-size:.9rem;padding:.3rem .7rem;border:1px solid #595959;border-radius:.3rem;background:#f3f3f3;color:#1b1b1b;cursor:pointer}',
  'button:hover{background:#e6e6e6}',
  'a:focus-visible,button:focus-visible,summary:focus-visible,input:focus-visible{outline:3px solid #0b57a4;outline-offset:2px}',
  'details{grid-column:2}summary{cursor:pointer;color:#333}',
  'pre{background:#f4f4f4;border:1px solid #ddd;padding:.5rem .75rem;overflow-x:auto;margin:.4rem 0;font-size:.85rem}',
  '.copied{color:#1d5e20;font-size:.9rem}',
  '.filter{margin:1rem 0}.filter input{font:inherit;padding:.35rem .5rem;width:min(24rem,100%);border:1px solid #595959;border-radius:.3rem}',
  '.flight{padding:.4rem 0;border-top:1px solid #ddd}',
  '.status{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;background:#eef3fb;border:1px solid #9bb4d8;border-radius:.25rem;padding:0 .3rem}',
  'code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}',
  '[hidden]{display:none!important}',
].join('\n');

/**
 * The page's one script: the filter box, the copy buttons and, on the live page, following the
 * environments in flight. Without it the page still works: the links are plain links and the texts
 * to copy are in disclosure widgets; the filter and the buttons stay hidden.
 *
 * Following: every few seconds it reads the newest environments and, for each one the page shows in
 * flight that is not among them, that environment, all from the runtime's JSON routes. When any of
 * them is no longer shown as it now is (a new request, a status change, one READY or gone), it
 * fetches the page again and swaps its sections in, keeping the filter and the focus.
 */
export const HUB_SCRIPT = `(() => {
  'use strict';
  const all = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const filter = document.getElementById('filter');
  const narrow = () => {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const row of all('[data-filter]')) {
      row.hidden = q !== '' && !row.dataset.filter.includes(q);
      if (!row.hidden && row.classList.contains('env')) shown++;
    }
    for (const group of all('.ou')) group.hidden = !group.querySelector('.env:not([hidden])');
    document.getElementById('no-match').hidden = q === '' || shown > 0;
  };
  const reveal = () => all('[data-needs-script]').forEach((el) => { el.hidden = false; });
  filter.addEventListener('input', narrow);
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-copy]');
    if (!button) return;
    const row = button.closest('.env');
    const source = row.querySelector('pre[data-kind="' + button.dataset.copy + '"]');
    const say = (text) => { row.querySelector('.copied').textContent = text; };
    navigator.clipboard.writeText(source.textContent).then(
      () => say('Copied the ' + button.dataset.what + '.'),
      () => { source.closest('details').open = true; say('Could not copy; select the text below.'); });
  });
  reveal();
  const every = Number(document.body.dataset.poll || 0) * 1000;
  if (!every) return;
  const FOLLOWED = ${JSON.stringify(IN_FLIGHT_STATUSES)};
  const shownAs = (v) => (v.status === 'READY' ? (v.accountId ? 'READY' : '') : FOLLOWED.includes(v.status) ? v.status : '');
  const note = document.getElementById('live-note');
  const read = (path) => fetch(path, { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? r.json() : r.status === 404 ? null : Promise.reject(new Error(path + ' answered ' + r.status))));
  const check = async () => {
    const known = new Map(all('[data-id]').map((el) => [el.dataset.id, el.dataset.status]));
    const views = (await read('/environments?limit=20')).items;
    for (const [id, status] of known) {
      if (status !== 'READY' && !views.some((v) => v.id === id)) views.push((await read('/environments/' + encodeURIComponent(id))) || { id, status: '' });
    }
    if (views.every((v) => (known.get(v.id) || '') === shownAs(v))) return false;
    const response = await fetch(location.pathname, { headers: { accept: 'text/html' } });
    if (!response.ok) throw new Error('the page answered ' + response.status);
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    const active = document.activeElement;
    const row = active && active.closest('[data-id]');
    const focus = row && active.dataset.focus ? [row.dataset.id, active.dataset.focus] : null;
    for (const id of ['summary', 'ready', 'in-flight']) document.getElementById(id).replaceWith(document.adoptNode(fresh.getElementById(id)));
    reveal();
    narrow();
    if (focus) {
      const again = all('[data-id]').find((el) => el.dataset.id === focus[0]);
      const target = again && again.querySelector('[data-focus="' + focus[1] + '"]');
      if (target) target.focus();
    }
    return true;
  };
  const loop = () => check().then(
    (changed) => { if (changed) note.textContent = 'Updated at ' + new Date().toLocaleTimeString() + '.'; },
    () => { note.textContent = 'The runtime is not answering; the list may be out of date.'; },
  ).finally(() => setTimeout(loop, every));
  setTimeout(loop, every);
})();`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The policy: nothing from anywhere (`default-src 'none'`) except the inline script and stylesheet by
 * their hashes, the `data:` favicon, and on the live page fetches to the runtime itself. No `<base>`,
 * no form submissions.
 */
export function hubPolicy(live: boolean): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(HUB_SCRIPT)}`,
    `style-src ${sha256(HUB_STYLE)}`,
    'img-src data:',
    ...(live ? ["connect-src 'self'"] : []),
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const attr = escapeHtml;
const text = escapeHtml;

/** `2026-12-12 09:30 UTC` in a `<time>`; anything that is not a date is shown as it is. */
function time(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return text(iso);
  return `<time datetime="${attr(at.toISOString())}">${at.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** Lower-cased name, account id and OU: what the filter box matches. */
function filterText(...values: Array<string | undefined>): string {
  return values
    .filter((v): v is string => Boolean(v))
    .join(' ')
    .toLowerCase();
}

function swatch(details: SwitchRoleDetails): string {
  const known = Object.hasOwn(CONSOLE_PALETTE, details.colorName);
  return `<span class="swatch ${known ? `swatch-${details.colorName}` : 'swatch-none'}" aria-hidden="true"></span>`;
}

function colorLabel(details: SwitchRoleDetails): string {
  return Object.hasOwn(CONSOLE_PALETTE, details.colorName) ? text(details.colorName) : `colour ${text(details.color)} (not in the console's palette)`;
}

function readyItem(env: HubReadyEnvironment): string {
  const d = env.details;
  const facts = [
    `<span>account <code>${text(d.accountId)}</code></span>`,
    `<span>${colorLabel(d)}</span>`,
    ...(d.expiresAt ? [`<span>expires ${time(d.expiresAt)}</span>`] : []),
  ];
  return [
    `<li class="env" data-id="${attr(env.id)}" data-status="READY" data-filter="${attr(filterText(d.displayName, d.accountId, env.ouPath))}">`,
    swatch(d),
    '<div>',
    `<h4 class="name">${text(d.displayName)}</h4>`,
    `<p class="facts">${facts.join('')}</p>`,
    '<p class="actions">',
    `<a class="switch" data-focus="link" rel="noreferrer" href="${attr(d.consoleUrl)}">Switch role into ${text(d.displayName)}</a>`,
    '<button type="button" data-copy="profile" data-what="~/.aws/config profile" data-focus="profile" hidden data-needs-script>Copy profile</button>',
    '<button type="button" data-copy="extension" data-what="extension entry" data-focus="extension" hidden data-needs-script>Copy extension entry</button>',
    '<span class="copied" role="status"></span>',
    '</p>',
    '</div>',
    '<details>',
    `<summary data-focus="details">Profile and extension entry for ${text(d.displayName)}</summary>`,
    `<p class="note">For <code>~/.aws/config</code>:</p><pre data-kind="profile">${text(d.awsConfigProfile)}</pre>`,
    `<p class="note">For the aws-extend-switch-roles extension:</p><pre data-kind="extension">${text(d.extensionEntry)}</pre>`,
    '</details>',
    '</li>',
  ].join('\n');
}

function inFlightItem(env: HubInFlightEnvironment): string {
  const words = STATUS_WORDS[env.status];
  return [
    `<li class="flight" data-id="${attr(env.id)}" data-status="${attr(env.status)}" data-filter="${attr(filterText(env.name, env.accountId, env.ouPath))}">`,
    `<strong>${text(env.name)}</strong> <span class="status">${text(env.status)}</span>${words ? ` ${text(words)}` : ''}`,
    `<span class="meta"> · ${text(env.ouPath)}${env.accountId ? ` · account <code>${text(env.accountId)}</code>` : ''} · requested ${time(env.createdAt)}</span>`,
    '</li>',
  ].join('');
}

function byPath(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** READY environments grouped by OU path (groups in path order, each keeping the order it was given). */
export function groupByOu(ready: readonly HubReadyEnvironment[]): Array<{ ouPath: string; environments: HubReadyEnvironment[] }> {
  const groups = new Map<string, HubReadyEnvironment[]>();
  for (const env of ready) {
    const group = groups.get(env.ouPath);
    if (group) group.push(env);
    else groups.set(env.ouPath, [env]);
  }
  return [...groups.keys()].sort(byPath).map((ouPath) => ({ ouPath, environments: groups.get(ouPath)! }));
}

function readySection(ready: readonly HubReadyEnvironment[]): string {
  const groups = groupByOu(ready).map(({ ouPath, environments }) =>
    [`<section class="ou" aria-label="${attr(ouPath)}">`, `<h3>${text(ouPath)}</h3>`, '<ul>', ...environments.map(readyItem), '</ul>', '</section>'].join('\n'),
  );
  return [
    '<section id="ready" aria-labelledby="ready-heading">',
    '<h2 id="ready-heading">Ready to switch into</h2>',
    '<p id="no-match" class="note" hidden>No environment matches the filter.</p>',
    ...(groups.length ? groups : ['<p class="note">No environment is ready yet.</p>']),
    '</section>',
  ].join('\n');
}

function inFlightSection(inFlight: readonly HubInFlightEnvironment[]): string {
  return [
    '<section id="in-flight" aria-labelledby="in-flight-heading">',
    '<h2 id="in-flight-heading">In flight</h2>',
    inFlight.length ? `<ul>\n${inFlight.map(inFlightItem).join('\n')}\n</ul>` : '<p class="note">Nothing is being provisioned or closed.</p>',
    '</section>',
  ].join('\n');
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The whole page, and the policy it is to be served with. */
export function renderHubPage(input: HubPageInput): HubPage {
  const metaPolicy = hubPolicy(input.live);
  const generated = input.generatedAt.toISOString();
  const how = input.live
    ? `<p class="note" id="live-note" role="status">Served by the local runtime; environments in flight are followed every ${LIVE_POLL_SECONDS} s.</p>`
    : `<p class="note" id="live-note" role="status">A snapshot: it does not change. Fetch it again (<code>switchyard hub</code>) for a newer one.</p>`;
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${attr(metaPolicy)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Switchyard: switch roles</title>',
    // The browser asks for /favicon.ico otherwise: a request to the runtime, refused by the policy.
    '<link rel="icon" href="data:,">',
    `<style>${HUB_STYLE}</style>`,
    '</head>',
    `<body${input.live ? ` data-poll="${LIVE_POLL_SECONDS}"` : ''}>`,
    '<header>',
    '<h1>Switch roles</h1>',
    `<p class="meta" id="summary">${plural(input.ready.length, 'environment', 'environments')} ready, ${input.inFlight.length} in flight, as of ${time(generated)}.</p>`,
    how,
    '<p class="filter" hidden data-needs-script><label for="filter">Filter by name, account id or OU</label><br>',
    '<input id="filter" type="search" autocomplete="off" spellcheck="false" aria-controls="ready in-flight"></p>',
    '</header>',
    '<main>',
    readySection(input.ready),
    inFlightSection(input.inFlight),
    '</main>',
    `<script>${HUB_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return { html, metaPolicy, headerPolicy: `${metaPolicy}; frame-ancestors 'none'` };
}
