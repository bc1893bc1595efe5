import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Webhook } from 'standardwebhooks';
import { signSlackRequest } from '../shared/domain/slack-signature';
import type { Runtime } from '../local/runtime';
import {
  AWS_LIKE_ORGANIZATIONS,
  AWS_LIKE_ORGANIZATIONS_ENV,
  DEPLOYED_POLLING,
  organizationsCallsByOperation,
  percentile,
  post,
  round,
  settled,
  untilFinal,
  withRuntime,
} from './runtime-groups';

/**
 * The request path at a given organization size, with Organizations answering as AWS does (latency
 * on every call, a shared request rate): how many Organizations calls one request makes through
 * each trigger, how long `POST /environments` and the Slack acknowledgement take, and how many calls
 * one whole provisioning makes.
 */

export interface RequestPathResult {
  accounts: number;
  simLatencyMs: number;
  /** The most any one trigger made: HTTP POST, Slack /env create (acknowledgement and hand-over), signed webhook, EventBridge event. */
  organizationsCallsPerRequest: number;
  postP95Ms: number;
  slackAckP95Ms: number;
  /** Per trigger, the calls of one request. */
  callsByTrigger: Record<Trigger, number>;
  /** Per trigger, those calls by operation. */
  operationsByTrigger: Record<Trigger, Record<string, number>>;
  /** One environment from request to READY (request path and workflow), every Organizations call. */
  organizationsCallsPerProvisioning: number;
  provisioningOperations: Record<string, number>;
  simRatePerSecond: number;
  ous: number;
  postSamples: number;
  slackSamples: number;
}

type Trigger = 'http' | 'slack' | 'webhook' | 'event';

const OU = 'Sandbox/Playground';
const SLACK_SECRET = 'bench-signing-secret';
const WEBHOOK_SECRET = `whsec_${Buffer.from('bench-webhook-secret-of-32-bytes').toString('base64')}`;
/** OUs the seeded accounts are dealt over, at every size, so that only the number of accounts changes. */
export const REQUEST_PATH_OUS = 200;
/** Timed requests of each kind: this many, or fewer when SAMPLE_BUDGET_MS runs out first (never fewer than MIN_SAMPLES). */
const MAX_SAMPLES = 20;
const MIN_SAMPLES = 3;
const SAMPLE_BUDGET_MS = 60_000;

/** A request path that walks the organization takes minutes per request at 10,000 accounts: the sample then stops at the budget. */
async function timed(label: string, log: (line: string) => void, once: (i: number) => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  const started = Date.now();
  while (times.length < MAX_SAMPLES && (times.length < MIN_SAMPLES || Date.now() - started < SAMPLE_BUDGET_MS)) times.push(await once(times.length));
  if (times.length < MAX_SAMPLES) log(`    ${label}: ${times.length} samples within the ${SAMPLE_BUDGET_MS / 1000} s budget`);
  return times;
}

/** The calls made between two readings of the counts, by operation (operations with none left out). */
function since(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([op, n]) => [op, n - (before[op] ?? 0)] as const).filter(([, n]) => n > 0));
}

const pad = (i: number) => String(i + 1).padStart(3, '0');

export async function requestPath(accounts: number, opts: { log?: (line: string) => void } = {}): Promise<RequestPathResult> {
  const log = opts.log ?? (() => undefined);
  // Where Slack would receive the progress messages: a loopback receiver that answers 200.
  const receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('ok')));
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  const responseUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/slack/`;
  const quota = String(accounts + 1_000);
  const env = {
    ...DEPLOYED_POLLING,
    ...AWS_LIKE_ORGANIZATIONS_ENV,
    // Creations are short and exactly alike here: this group counts calls, and polls must not differ between sizes.
    SWITCHYARD_SIM_CREATE_SECONDS: '5',
    SWITCHYARD_SIM_CREATE_SPREAD: '0',
    SWITCHYARD_SIM_ACCOUNT_QUOTA: quota,
    ACCOUNT_QUOTA: quota,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_RESPONSE_URL_PREFIXES: responseUrl,
    WEBHOOK_SECRET,
    DEFAULT_OU: OU,
  };
  try {
    return await withRuntime(env, async (rt) => {
      rt.sim!.seed({ accounts, ous: REQUEST_PATH_OUS });
      // Before requests come in, Switchyard has seen the organization as a deployment has: the
      // organization's change events delivered (the seeded organization is made good with a walk).
      const walk = Date.now();
      await settled(rt);
      log(`  requestPath ${accounts}: seeded; Switchyard caught up with the organization in ${round((Date.now() - walk) / 1000, 1)} s`);

      // The request path alone: executions are recorded, not run, so no workflow shares the
      // organization's request rate or this machine's CPU with the requests being measured.
      const workflow = rt.workflow;
      const start = workflow.start;
      const started: string[] = [];
      workflow.start = async (executionName) => {
        started.push(executionName);
        return { executionId: `local:${executionName}`, alreadyStarted: false };
      };
      try {
        const callsByTrigger = {} as Record<Trigger, number>;
        const operationsByTrigger = {} as Record<Trigger, Record<string, number>>;
        for (const trigger of ['http', 'slack', 'webhook', 'event'] as const) {
          const before = organizationsCallsByOperation(rt);
          const startsBefore = started.length;
          await send(rt, trigger, `bench-${trigger}`, responseUrl);
          await settled(rt);
          if (started.length !== startsBefore + 1) throw new Error(`a ${trigger} request started ${started.length - startsBefore} executions instead of one`);
          operationsByTrigger[trigger] = since(before, organizationsCallsByOperation(rt));
          callsByTrigger[trigger] = Object.values(operationsByTrigger[trigger]).reduce((a, b) => a + b, 0);
        }
        log(`  requestPath ${accounts}: calls per request ${JSON.stringify(callsByTrigger)}`);

        const postTimes = await timed('POST /environments', log, async (i) => {
          const t0 = performance.now();
          await post(rt, { name: `bench-post-${pad(i)}`, ou: OU });
          return performance.now() - t0;
        });
        const slackTimes = await timed('Slack acknowledgement', log, async (i) => {
          const t = await slackAcknowledgement(rt, `bench-ack-${pad(i)}`, `${responseUrl}${i}`);
          // The hand-over runs in its own function on AWS: it finishes before the next command, untimed.
          await rt.bus.idle();
          return t;
        });

        workflow.start = start;
        const before = organizationsCallsByOperation(rt);
        const id = await post(rt, { name: 'bench-provision', ou: OU });
        await untilFinal(rt, [id], 600_000);
        await rt.workflow.idle();
        // The organization's change events from this provisioning, and what handling them costs, belong to it.
        await settled(rt);
        const environment = await rt.deps.environments.get(id);
        if (environment?.status !== 'READY') throw new Error(`the provisioning at ${accounts} accounts ended ${environment?.status}: ${environment?.failure?.message}`);
        const provisioningOperations = since(before, organizationsCallsByOperation(rt));

        return {
          accounts,
          simLatencyMs: AWS_LIKE_ORGANIZATIONS.latencyMs,
          organizationsCallsPerRequest: Math.max(...Object.values(callsByTrigger)),
          postP95Ms: round(percentile(postTimes, 95), 1),
          slackAckP95Ms: round(percentile(slackTimes, 95), 1),
          callsByTrigger,
          operationsByTrigger,
          organizationsCallsPerProvisioning: Object.values(provisioningOperations).reduce((a, b) => a + b, 0),
          provisioningOperations,
          simRatePerSecond: AWS_LIKE_ORGANIZATIONS.ratePerSecond,
          ous: REQUEST_PATH_OUS,
          postSamples: postTimes.length,
          slackSamples: slackTimes.length,
        };
      } finally {
        workflow.start = start;
      }
    });
  } finally {
    await new Promise<void>((ok) => receiver.close(() => ok()));
  }
}

async function send(rt: Runtime, trigger: Trigger, name: string, responseUrl: string): Promise<void> {
  if (trigger === 'http') {
    await post(rt, { name, ou: OU });
    return;
  }
  if (trigger === 'slack') {
    await slackAcknowledgement(rt, name, `${responseUrl}${name}`);
    return;
  }
  if (trigger === 'webhook') {
    const body = JSON.stringify({ name, ou: OU });
    const id = `msg_${name}`;
    const at = new Date();
    const res = await fetch(`${rt.url}/webhooks/provision`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(WEBHOOK_SECRET).sign(id, at, body),
      },
      body,
    });
    if (res.status !== 202) throw new Error(`the signed webhook was answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return;
  }
  const client = new EventBridgeClient({ region: 'us-east-1', endpoint: `${rt.url}/_aws/events`, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const out = await client.send(
      new PutEventsCommand({ Entries: [{ Source: 'switchyard.requests', DetailType: 'Environment Requested', Detail: JSON.stringify({ name, ou: OU }) }] }),
    );
    if (out.FailedEntryCount) throw new Error(`PutEvents refused the request: ${JSON.stringify(out.Entries)}`);
  } finally {
    client.destroy();
  }
}

/** One signed `/env create`, timed from sending to the acknowledgement's last byte. */
async function slackAcknowledgement(rt: Runtime, name: string, responseUrl: string): Promise<number> {
  const body = new URLSearchParams({ team_id: 'T1', user_id: 'U1', user_name: 'bench', command: '/env', text: `create ${name} ou=${OU}`, response_url: responseUrl }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const t0 = performance.now();
  const res = await fetch(`${rt.url}/slack/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(SLACK_SECRET, timestamp, body) },
    body,
  });
  const text = await res.text();
  const elapsed = performance.now() - t0;
  // The acknowledgement of a create names the environment; a usage or refusal message would not.
  if (res.status !== 200 || !text.includes(name) || text.includes(':warning:')) throw new Error(`the acknowledgement was ${res.status}: ${text.slice(0, 200)}`);
  return elapsed;
}
