import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, exitWith, runCommand, type CommandSpec } from './cli';
import { startRuntime } from './runtime';

/**
 * `npm run demo`: the walk-through's three accounts — Production, Staging, Playground — provisioned
 * through the real API and workflow against a fresh simulated organization, printing each state
 * change as it happens and then each account's switch-role details.
 */
const REQUESTS = [
  { name: 'Production', ou: 'Workloads/Production', color: 'red' },
  { name: 'Staging', ou: 'Workloads/Staging', color: 'yellow' },
  { name: 'Playground', ou: 'Sandbox/Playground', color: 'green' },
];
const DEADLINE_MS = 55_000;

const SPEC = {
  command: 'demo',
  invocation: 'npm run demo --',
  synopsis: '',
  description: [
    'Provisions Production, Staging and Playground through the API and the workflow against a fresh',
    'simulated organization in ${SWITCHYARD_DATA_DIR:-.switchyard}/demo, printing each state change as it',
    "happens and then each account's switch-role details. SWITCHYARD_SIM_CREATE_SECONDS (default 5)",
    'sets how long a simulated account creation takes.',
  ].join('\n'),
  options: {},
  exitCodes: [
    [0, 'all three environments READY'],
    [1, 'one or more not READY within 55 s, or the demo could not run'],
    [2, 'usage mistake'],
  ],
  failure: 'the demo could not run',
} as const satisfies CommandSpec;

interface View {
  id: string;
  name: string;
  status: string;
  accountId?: string;
  ouPath?: string;
  failure?: { code: string; message: string; fix: string };
  timeline: { status: string; note?: string }[];
  switchRole?: { consoleUrl: string; awsConfigProfile: string; colorName: string };
}

async function demo(): Promise<number> {
  const dataDir = join(process.env.SWITCHYARD_DATA_DIR ?? '.switchyard', 'demo');
  rmSync(dataDir, { recursive: true, force: true });
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
  const runtime = await startRuntime({
    dataDir,
    port: 0,
    env: { ...process.env, SWITCHYARD_SIM_CREATE_SECONDS: process.env.SWITCHYARD_SIM_CREATE_SECONDS ?? '5' },
  });
  console.log(`${stamp()} Switchyard running at ${runtime.url} against a simulated organization (data: ${dataDir})`);
  try {
    const ids: string[] = [];
    for (const body of REQUESTS) {
      const res = await fetch(`${runtime.url}/environments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const reply = (await res.json()) as { id?: string; error?: { message: string } };
      if (!reply.id) throw new Error(`POST /environments for ${body.name} answered ${res.status}: ${reply.error?.message ?? ''}`);
      console.log(`${stamp()} ${body.name.padEnd(11)} requested → ${res.status} ${reply.id}`);
      ids.push(reply.id);
    }

    const seen = new Map<string, number>();
    const final = new Map<string, View>();
    while (final.size < ids.length && Date.now() - started < DEADLINE_MS) {
      for (const id of ids) {
        if (final.has(id)) continue;
        const view = (await (await fetch(`${runtime.url}/environments/${id}`)).json()) as View;
        for (const entry of view.timeline.slice(seen.get(id) ?? 0)) {
          console.log(`${stamp()} ${view.name.padEnd(11)} ${entry.status.padEnd(10)} ${entry.note ?? ''}`);
        }
        seen.set(id, view.timeline.length);
        if (view.status === 'READY' || view.status === 'FAILED') final.set(id, view);
      }
      await new Promise((r) => setTimeout(r, 200));
    }

    console.log('');
    for (const id of ids) {
      const view = final.get(id);
      if (!view) {
        console.log(`${id}: not finished within ${DEADLINE_MS / 1000} s`);
        continue;
      }
      if (view.status !== 'READY' || !view.switchRole) {
        console.log(`${view.name}: ${view.status} — ${view.failure?.message ?? ''}\n  fix: ${view.failure?.fix ?? ''}\n`);
        continue;
      }
      console.log(`${view.name} (${view.switchRole.colorName})`);
      console.log(`  account id : ${view.accountId}`);
      console.log(`  OU         : ${view.ouPath}`);
      console.log(`  console    : ${view.switchRole.consoleUrl}`);
      console.log(`  ~/.aws/config:\n${view.switchRole.awsConfigProfile.trimEnd().replace(/^/gm, '    ')}\n`);
    }
    const ready = [...final.values()].filter((v) => v.status === 'READY').length;
    console.log(`${ready} of ${ids.length} environments READY in ${((Date.now() - started) / 1000).toFixed(1)} s; notifications in ${join(dataDir, 'outbox')}`);
    return ready === ids.length ? EXIT.OK : EXIT.FAILED;
  } finally {
    await runtime.close();
  }
}

exitWith(SPEC, runCommand(SPEC, process.argv.slice(2), demo));
