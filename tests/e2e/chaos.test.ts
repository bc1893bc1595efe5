/**
 * The chaos run, graded by what the test counts itself: the answers to the requests it sees go out,
 * the accounts the simulated organization holds (`npm run sim -- accounts`), the environments the API
 * lists as READY after a restart, and the notifications in the outbox. The run's own report has to
 * agree with those counts.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chaos } from '../../local/chaos';
import { startRuntime } from '../../local/runtime';
import { main as sim } from '../../local/sim-cli';
import { captureIo } from '../fixtures/sim-cli';
import { call, tempDataDir } from './helpers';

/** The names the run requests: twenty distinct ones. */
const NAMES = Array.from({ length: 20 }, (_, i) => `Chaos ${String(i + 1).padStart(2, '0')}`);

let dataDir: string;
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function simJson(...argv: string[]): any {
  const io = captureIo(dataDir);
  expect(sim([...argv, '--json'], io)).toBe(0);
  return JSON.parse(io.out);
}

it('under throttle=0.3,crash-after-create=0.2, 20 requests sent 3 times each end as 20 READY environments with 20 accounts', async () => {
  dataDir = tempDataDir('switchyard-chaos-');
  const answers: Record<string, number> = {};
  const counting: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (init?.method === 'POST') answers[res.status] = (answers[res.status] ?? 0) + 1;
    return res;
  };
  const report = await chaos({ createSeconds: 2, dataDir, fetch: counting });

  // Every request was answered; the first of each accepted (202), its copies given the same environment (200).
  expect(answers).toEqual({ '202': 20, '200': 40 });

  // The organization: exactly one account per name, in the OU asked for.
  const accounts = (simJson('accounts') as Array<{ id: string; name: string; status: string; ou: string }>).filter((a) => NAMES.includes(a.name));
  expect(accounts.map((a) => a.name).sort()).toEqual(NAMES);
  for (const account of accounts) expect(account).toMatchObject({ status: 'ACTIVE', ou: 'Sandbox/Playground' });
  const stats = simJson('stats');
  expect(stats.maxConcurrentCreates).toBeLessThanOrEqual(5);
  // The faults really happened.
  expect(stats.faultsInjected.throttle).toBeGreaterThan(0);

  // The API, after a restart on the same folder: one READY environment per name, on that account.
  const runtime = await startRuntime({ dataDir, port: 0, resume: false });
  let environments: Array<{ id: string; name: string; status: string; accountId?: string }>;
  try {
    environments = (await call(runtime.url, 'GET', '/environments?limit=100')).body.items;
  } finally {
    await runtime.close();
  }
  const chaosEnvironments = environments.filter((e) => NAMES.includes(e.name));
  expect(chaosEnvironments.map((e) => e.name).sort()).toEqual(NAMES);
  for (const env of chaosEnvironments) {
    expect({ name: env.name, status: env.status, accountId: env.accountId }).toEqual({ name: env.name, status: 'READY', accountId: accounts.find((a) => a.name === env.name)!.id });
  }

  // The outbox: one ready email per environment, no more.
  const readyEmails = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.ready.email.json'));
  expect(readyEmails.map((f) => JSON.parse(readFileSync(join(dataDir, 'outbox', f), 'utf8')).name).sort()).toEqual(NAMES);

  // What the run reported matches what was counted here.
  expect(report).toMatchObject({
    requests: 60,
    distinct: 20,
    ready: 20,
    failed: 0,
    accountsCreated: 20,
    duplicates: 0,
    lost: 0,
    serverErrors: 0,
    answers: { '202': 20, '200': 40 },
    maxConcurrentCreates: stats.maxConcurrentCreates,
  });
}, 180_000);
