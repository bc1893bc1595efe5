import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntime, type Runtime } from '../../local/runtime';
import type { Environment } from '../../shared/domain/environment';
import { call, QUICK_SIM_ENV, startReceiver, tempDataDir, waitForFinal } from './helpers';

/**
 * What a user sees when the files under the data folder are damaged while the runtime is stopped:
 * it starts with every environment as it was (rebuilt) or refuses, naming the file and the way out;
 * it never starts with less, never runs a READY environment again, never sends a notification twice.
 */

const NOTIFY_SECRET = `whsec_${Buffer.from('local-state-webhook-secret-32byt').toString('base64')}`;
const NAMES = [
  { name: 'Production', ou: 'Workloads/Production' },
  { name: 'Staging', ou: 'Workloads/Staging' },
  { name: 'Playground', ou: 'Sandbox/Playground' },
];
/** The channels that write to the outbox (the Slack response_url has nothing to answer for API requests). */
const OUTBOX_CHANNELS = ['email', 'slack', 'sns', 'webhook'];

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let env: Record<string, string>;
/** A data folder holding three READY environments, copied before each test damages its copy. */
let provisioned: string;
/** The three environments exactly as the registry held them when the runtime stopped. */
let records: Environment[];
const folders: string[] = [];

const posts = () => receiver.received.length;

beforeAll(async () => {
  receiver = await startReceiver();
  env = {
    ...QUICK_SIM_ENV,
    NOTIFY_WEBHOOK_URL: `${receiver.url}/hooks/switchyard`,
    NOTIFY_WEBHOOK_SECRET: NOTIFY_SECRET,
    SLACK_WEBHOOK_URL: `${receiver.url}/services/T000/B000/XXXX`,
  };
  provisioned = tempDataDir('switchyard-state-');
  const runtime = await startRuntime({ dataDir: provisioned, port: 0, env });
  try {
    const ids: string[] = [];
    for (const body of NAMES) ids.push((await call(runtime.url, 'POST', '/environments', body)).body.id);
    for (const id of ids) expect((await waitForFinal(runtime.url, id)).status).toBe('READY');
    await runtime.workflow.idle();
    records = await Promise.all(ids.map(async (id) => (await runtime.deps.environments.get(id))!));
  } finally {
    await runtime.close();
  }
  // One Slack post and one webhook post per environment, nothing else.
  expect(posts()).toBe(3 * 2);
}, 60_000);

afterAll(async () => {
  await receiver.close();
  for (const dir of [provisioned, ...folders]) rmSync(dir, { recursive: true, force: true });
});

function copyOfProvisioned(): string {
  const dir = tempDataDir('switchyard-damaged-');
  folders.push(dir);
  cpSync(provisioned, dir, { recursive: true });
  return dir;
}

/** LevelDB's data files: the write-ahead log(s) and sorted tables (its own text log is `LOG`, not one of these). */
function dataFiles(dir: string): string[] {
  const registry = join(dir, 'registry');
  return readdirSync(registry)
    .filter((f) => /\.(log|ldb)$/.test(f))
    .map((f) => join(registry, f));
}

const damage = {
  'the data files truncated to nothing': (dir: string) => dataFiles(dir).forEach((f) => truncateSync(f, 0)),
  'the data files truncated to half': (dir: string) => dataFiles(dir).forEach((f) => truncateSync(f, Math.floor(statSync(f).size / 2))),
  'a damaged manifest': (dir: string) => {
    const registry = join(dir, 'registry');
    for (const f of readdirSync(registry).filter((n) => n.startsWith('MANIFEST-'))) writeFileSync(join(registry, f), 'not a manifest');
  },
  'the registry folder deleted': (dir: string) => rmSync(join(dir, 'registry'), { recursive: true }),
};

/** Outbox files per environment and channel for one kind. */
function outboxCount(dir: string, kind: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of readdirSync(join(dir, 'outbox'))) {
    const [id, k, channel] = file.split('.');
    if (k === kind) counts.set(`${id}.${channel}`, (counts.get(`${id}.${channel}`) ?? 0) + 1);
  }
  return counts;
}

describe('a registry damaged while the runtime was stopped', () => {
  it.each(Object.entries(damage))('with %s, starts with all three environments as they were, runs none again and sends nothing twice', async (_label, harm) => {
    const dir = copyOfProvisioned();
    // Sizes before the damage, to be sure the test damaged something real.
    expect(dataFiles(dir).length).toBeGreaterThan(0);
    harm(dir);

    const lines: string[] = [];
    const postsBefore = posts();
    const runtime: Runtime = await startRuntime({ dataDir: dir, port: 0, env, print: (line) => lines.push(line) });
    try {
      await runtime.workflow.idle();
      // (a) all three READY with the same accounts, each record exactly as it was (version, timeline, delivery bookkeeping).
      const listed = (await runtime.deps.environments.list({ limit: 100 })).items;
      expect(listed.map((e) => [e.id, e.status, e.accountId]).sort()).toEqual(records.map((e) => [e.id, 'READY', e.accountId]).sort());
      for (const record of records) expect(await runtime.deps.environments.get(record.id)).toEqual(record);

      // (b) nothing went back to an earlier status, so nothing was resumed.
      expect(runtime.resumed).toEqual([]);
      expect(lines.filter((l) => l.startsWith('[workflow]'))).toEqual([]);

      // (c) exactly one Ready notification per environment and channel, and none sent again.
      expect(lines.filter((l) => l.startsWith('[outbox:'))).toEqual([]);
      expect(posts()).toBe(postsBefore);
      const ready = outboxCount(dir, 'ready');
      expect([...ready.keys()].sort()).toEqual(records.flatMap((r) => OUTBOX_CHANNELS.map((c) => `${r.id}.${c}`)).sort());
      expect([...ready.values()].every((n) => n === 1)).toBe(true);

      // And it says what happened, naming the registry and what it was rebuilt from.
      expect(lines.join('\n')).toContain(`[registry] ${join(dir, 'registry')}`);
      expect(lines.join('\n')).toContain(join(dir, 'registry.journal'));
    } finally {
      await runtime.close();
    }

    // Rebuilt for good: the next start finds registry and journal in agreement and says nothing about them.
    const again: string[] = [];
    const second = await startRuntime({ dataDir: dir, port: 0, env, print: (line) => again.push(line) });
    try {
      expect(again.filter((l) => l.startsWith('[registry]'))).toEqual([]);
      for (const record of records) expect(await second.deps.environments.get(record.id)).toEqual(record);
    } finally {
      await second.close();
    }
  });

  it('keeps the damaged copy for inspection beside the rebuilt registry', async () => {
    const dir = copyOfProvisioned();
    damage['the data files truncated to half'](dir);
    const runtime = await startRuntime({ dataDir: dir, port: 0, env });
    await runtime.close();
    const aside = readdirSync(dir).filter((f) => f.startsWith('registry.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(join(dir, aside[0]!))).toEqual(expect.arrayContaining(['CURRENT']));
  });

  it('refuses to start when the journal is damaged too, naming both files and the way out, and changes nothing', async () => {
    const dir = copyOfProvisioned();
    damage['the data files truncated to nothing'](dir);
    const journal = join(dir, 'registry.journal');
    const lines = readFileSync(journal, 'utf8').split('\n');
    // One record in the middle of the journal overwritten: the line no longer matches its checksum.
    lines[2] = lines[2]!.replace(/"S":"[^"]*"/, '"S":"overwritten"');
    writeFileSync(journal, lines.join('\n'));
    const before = readdirSync(dir).sort();

    const failure = await startRuntime({ dataDir: dir, port: 0, env }).then(
      async (runtime) => {
        await runtime.close();
        return undefined;
      },
      (error: Error) => error,
    );
    expect(failure?.message).toContain(join(dir, 'registry'));
    expect(failure?.message).toContain(`${journal} is damaged too (line 3 is damaged)`);
    expect(failure?.message).toContain('Restore the data folder');
    expect(failure?.message).toContain(`move ${journal} aside`);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(posts()).toBeGreaterThanOrEqual(6);

    // The way out it names works: with the journal moved aside the runtime starts on what the registry holds.
    rmSync(journal);
    const runtime = await startRuntime({ dataDir: dir, port: 0, env });
    await runtime.close();
  });
});

describe('a simulated organization file damaged or missing while the runtime was stopped', () => {
  it('refuses to start when organization.json is missing, rather than start a new, empty organization under the READY environments', async () => {
    const dir = copyOfProvisioned();
    rmSync(join(dir, 'organization.json'));
    await expect(startRuntime({ dataDir: dir, port: 0, env })).rejects.toThrow(
      expect.objectContaining({ message: expect.stringMatching(new RegExp(`${join(dir, 'organization.json')} is missing.*${records[0]!.accountId}.*move the whole data folder`)) }),
    );
    expect(existsSync(join(dir, 'organization.json'))).toBe(false);
  });

  it.each([
    ['truncated to nothing', ''],
    ['cut in half', 'half'],
    ['not JSON', '\u0000garbage'],
  ])('refuses to start when organization.json is %s, naming it', async (_label, content) => {
    const dir = copyOfProvisioned();
    const file = join(dir, 'organization.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, content === 'half' ? text.slice(0, text.length / 2) : content);
    await expect(startRuntime({ dataDir: dir, port: 0, env })).rejects.toThrow(expect.objectContaining({ message: expect.stringContaining(`${file} is not valid JSON`) }));
    // Still the damaged file, for the user to restore or move aside: not replaced by a fresh organization.
    expect(readFileSync(file, 'utf8')).toBe(content === 'half' ? text.slice(0, text.length / 2) : content);
  });
});
