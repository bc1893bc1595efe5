/**
 * POST /slack/interactions below HTTP: the payload parser against the hostile corpus, the use case
 * over an in-memory registry (who may decide, one decision, what Slack is told), and the handler's
 * signature check and replies. The route over the local runtime is in tests/e2e/approvals.test.ts.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { build } from '../../functions/slack-interactions/handler';
import { EnvSecrets } from '../../shared/adapters/local/env-secrets';
import { newEnvironment, type Environment } from '../../shared/domain/environment';
import { InvalidInputError, NotFoundError } from '../../shared/domain/errors';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { parseSlackInteraction } from '../../shared/domain/slack-interaction';
import { signSlackRequest } from '../../shared/domain/slack-signature';
import type { SlackMessage } from '../../shared/domain/slack-messages';
import { loadConfig } from '../../shared/lambda/config';
import type { EnvironmentStore, OutgoingEvent } from '../../shared/ports';
import { handleSlackInteraction, type SlackInteractionDeps } from '../../shared/use-cases/slack-interaction';
import { SLACK_INTERACTION_CASES, SLACK_RESPONSE_URL, clickPayload, interactionForm } from '../fixtures/hostile-corpus';

const SECRET = 'slack-interactions-test-signing-secret';
const NOW = new Date('2026-11-28T09:30:00Z');
const RESPONSE_URL = 'https://hooks.slack.com/actions/T1/1/abc';

const context = { functionName: 'slack-interactions-test', awsRequestId: 'req-1' } as Context;

/** Environments by id; every update is counted, so "nothing changed" is observable. */
class MemoryEnvironments {
  readonly items = new Map<string, Environment>();
  writes = 0;
  async get(id: string) {
    const env = this.items.get(id);
    return env && structuredClone(env);
  }
  async update(id: string, change: (current: Environment) => Environment | undefined) {
    const current = this.items.get(id);
    if (!current) throw new NotFoundError(`Environment ${id} does not exist.`);
    const next = change(structuredClone(current));
    if (!next) return structuredClone(current);
    this.writes++;
    const stored = { ...next, version: current.version + 1 };
    this.items.set(id, stored);
    return structuredClone(stored);
  }
}

function world(opts: { respond?: (url: string, message: SlackMessage) => Promise<void> } = {}) {
  const environments = new MemoryEnvironments();
  const started: string[] = [];
  const published: OutgoingEvent[] = [];
  const replies: Array<{ url: string; message: SlackMessage }> = [];
  const config = loadConfig({ APPROVAL_OUS: 'Workloads/Production', APPROVERS: 'U0APPROVER1,U0APPROVER2,local:ana', SLACK_RESPONSE_URL_PREFIXES: 'https://hooks.slack.com/' });
  const deps: SlackInteractionDeps = {
    config,
    clock: { now: () => NOW },
    environments: environments as unknown as EnvironmentStore,
    workflow: {
      start: async (name) => {
        started.push(name);
        return { executionId: `exec-${name}`, alreadyStarted: false };
      },
      sendTaskSuccess: async () => 'gone' as const,
    },
    decommission: {
      start: async (name) => {
        started.push(name);
        return { executionId: `exec-${name}`, alreadyStarted: false };
      },
      sendTaskSuccess: async () => 'gone' as const,
    },
    events: { publish: async (events) => void published.push(...events) },
    respond:
      opts.respond ??
      (async (url, message) => {
        replies.push({ url, message });
      }),
  };
  return { deps, environments, started, published, replies };
}

const approval = {
  ou: 'Workloads/Production',
  requester: 'U0REQUESTER',
  approvers: ['U0APPROVER1', 'U0APPROVER2', 'local:ana'],
  requestedAt: '2026-11-28T09:00:00.000Z',
  expiresAt: '2026-12-01T09:00:00.000Z',
};

function protectedEnv(name = 'Payments'): Environment {
  const request = parseEnvironmentRequest({ name, ou: 'Workloads/Production', requestedBy: 'slack:requester' }, { emailTemplate: 'admin+{slug}@example.com' });
  return newEnvironment(request, { now: new Date('2026-11-28T09:00:00Z'), source: 'slack', approval });
}

function plainEnv(name = 'Staging'): Environment {
  const request = parseEnvironmentRequest({ name, ou: 'Workloads/Staging' }, { emailTemplate: 'admin+{slug}@example.com' });
  return newEnvironment(request, { now: new Date('2026-11-28T09:00:00Z'), source: 'api' });
}

const click = (id: string, user: string, action: 'approve' | 'reject' | 'extend' = 'approve') =>
  interactionForm(clickPayload({ user: { id: user, username: 'someone' }, response_url: RESPONSE_URL }, { action_id: action, value: id }));

const visible = (m: SlackMessage) => [m.text, ...m.blocks.map((b) => JSON.stringify(b))].join('\n');

// ---------------------------------------------------------------------------------------------------

describe('parseSlackInteraction', () => {
  it('reads an Approve click: the decision, the environment id, who clicked and where to answer', () => {
    expect(parseSlackInteraction(interactionForm(clickPayload({ user: { id: 'U0APPROVER1' } }, { value: 'payments-0a1b2c3d' })))).toEqual({
      kind: 'decision',
      decision: 'approve',
      environmentId: 'payments-0a1b2c3d',
      userId: 'U0APPROVER1',
      responseUrl: SLACK_RESPONSE_URL,
    });
  });

  it('reads a Reject click from an Enterprise Grid user', () => {
    expect(parseSlackInteraction(interactionForm(clickPayload({ user: { id: 'W0APPROVER1' } }, { action_id: 'reject' })))).toMatchObject({ decision: 'reject', userId: 'W0APPROVER1' });
  });

  it('recognises a click on the switch-role link button, which needs nothing but a 200', () => {
    expect(parseSlackInteraction(interactionForm(clickPayload({}, { action_id: 'switch-role', value: undefined, url: 'https://signin.aws.amazon.com/switchrole' })))).toEqual({ kind: 'link', actionId: 'switch-role' });
  });

  const parserCases = SLACK_INTERACTION_CASES.filter((c) => c.status === 400 && c.field !== 'response_url');
  it.each(parserCases.map((c) => [c.title, c.field, c] as const))('refuses %s, naming %s', (_title, field, c) => {
    let error: unknown;
    try {
      parseSlackInteraction(c.body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).fields[0]!.field).toBe(field);
    // The error stays small whatever was sent.
    expect(JSON.stringify((error as InvalidInputError).fields).length).toBeLessThan(2000);
  });

  it('pollutes no prototype, whatever keys the payload holds', () => {
    parseSlackInteraction(interactionForm(`{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},${JSON.stringify(clickPayload()).slice(1)}`));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------

describe('the Extend button of a lease reminder', () => {
  function leased(expiresAt: string | undefined): Environment {
    const env = protectedEnv('Playground');
    return { ...env, status: 'READY', approval: undefined, accountId: '123456789012', ...(expiresAt ? { lease: { seconds: 86_400, from: 'ttl' as const, expiresAt } } : {}) };
  }

  it('extends the lease by seven days and tells only the clicker the new end', async () => {
    const w = world();
    const env = leased('2026-11-29T09:30:00.000Z');
    w.environments.items.set(env.id, env);
    const outcome = await handleSlackInteraction(w.deps, click(env.id, 'U0SOMEONE1', 'extend'));
    expect(outcome).toEqual({ kind: 'extended', environmentId: env.id, replied: true });
    // The later of now and the end, plus seven days.
    const expected = new Date(Date.parse('2026-11-29T09:30:00.000Z') + 7 * 86_400_000).toISOString();
    expect(w.environments.items.get(env.id)!.lease).toMatchObject({ expiresAt: expected, extended: [expect.objectContaining({ by: 'U0SOMEONE1', expiresAt: expected })] });
    expect(w.replies[0]!.message).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(visible(w.replies[0]!.message)).toContain(expected);
    expect(w.published.map((e) => e.detailType)).toEqual(['Environment Lease Extended']);
  });

  it('changes nothing for an environment without a lease, and says why', async () => {
    const w = world();
    const env = leased(undefined);
    w.environments.items.set(env.id, env);
    expect(await handleSlackInteraction(w.deps, click(env.id, 'U0SOMEONE1', 'extend'))).toMatchObject({ kind: 'not-extended' });
    expect(w.environments.writes).toBe(0);
    expect(visible(w.replies[0]!.message)).toContain('not extended');
  });
});

describe('handleSlackInteraction', () => {
  it('an approver approves: one decision, the workflow starts, the message shows who approved', async () => {
    const w = world();
    const env = protectedEnv();
    w.environments.items.set(env.id, env);
    const outcome = await handleSlackInteraction(w.deps, click(env.id, 'U0APPROVER1'));
    expect(outcome).toEqual({ kind: 'decided', environmentId: env.id, replied: true });
    const stored = w.environments.items.get(env.id)!;
    expect(stored.status).toBe('REQUESTED');
    expect(stored.approval).toMatchObject({ decision: 'APPROVED', decidedBy: 'U0APPROVER1', via: 'slack' });
    expect(w.started).toEqual([env.executionName]);
    expect(w.published.map((e) => e.detailType)).toEqual(['Environment Approved']);
    expect(w.replies).toHaveLength(1);
    expect(w.replies[0]!.url).toBe(RESPONSE_URL);
    expect(w.replies[0]!.message).toMatchObject({ replace_original: true });
    expect(visible(w.replies[0]!.message)).toContain('approved by <@U0APPROVER1>');
    expect(visible(w.replies[0]!.message)).toContain('Provisioning started');
    expect(visible(w.replies[0]!.message)).not.toContain('"action_id":"approve"');
  });

  it('an approver rejects: REJECTED, nothing started, the message says so', async () => {
    const w = world();
    const env = protectedEnv();
    w.environments.items.set(env.id, env);
    await handleSlackInteraction(w.deps, click(env.id, 'U0APPROVER2', 'reject'));
    expect(w.environments.items.get(env.id)!.status).toBe('REJECTED');
    expect(w.started).toEqual([]);
    expect(w.published.map((e) => e.detailType)).toEqual(['Environment Rejected']);
    expect(visible(w.replies[0]!.message)).toContain('rejected by <@U0APPROVER2>');
  });

  it.each([
    ['someone not in APPROVERS', 'U1MALLORY', 'NOT_AN_APPROVER', 'not one of the approvers'],
    ['the requester', 'U0REQUESTER', 'NOT_AN_APPROVER', 'not one of the approvers'],
  ])('%s is told so, only them, and nothing changes', async (_who, user, code, text) => {
    const w = world();
    const env = protectedEnv();
    w.environments.items.set(env.id, env);
    const outcome = await handleSlackInteraction(w.deps, click(env.id, user));
    expect(outcome).toMatchObject({ kind: 'refused', code });
    expect(w.environments.writes).toBe(0);
    expect(w.environments.items.get(env.id)!.status).toBe('PENDING_APPROVAL');
    expect(w.started).toEqual([]);
    expect(w.published).toEqual([]);
    expect(w.replies[0]!.message).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(w.replies[0]!.message.text).toContain(text);
  });

  it('a requester who is also an approver may not approve their own request', async () => {
    const w = world();
    const env = { ...protectedEnv(), approval: { ...approval, requester: 'U0APPROVER1' } };
    w.environments.items.set(env.id, env);
    const outcome = await handleSlackInteraction(w.deps, click(env.id, 'U0APPROVER1'));
    expect(outcome).toMatchObject({ kind: 'refused', code: 'SELF_APPROVAL' });
    expect(w.environments.writes).toBe(0);
    expect(w.replies[0]!.message).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(w.replies[0]!.message.text).toContain('yourself');
  });

  it('a second click decides nothing and shows the first decision', async () => {
    const w = world();
    const env = protectedEnv();
    w.environments.items.set(env.id, env);
    await handleSlackInteraction(w.deps, click(env.id, 'U0APPROVER1'));
    const second = await handleSlackInteraction(w.deps, click(env.id, 'U0APPROVER2', 'reject'));
    expect(second).toMatchObject({ kind: 'already-decided', replied: true });
    expect(w.environments.items.get(env.id)!.approval).toMatchObject({ decision: 'APPROVED', decidedBy: 'U0APPROVER1' });
    expect(w.published.map((e) => e.detailType)).toEqual(['Environment Approved']);
    expect(w.replies[1]!.message).toMatchObject({ replace_original: true });
    expect(visible(w.replies[1]!.message)).toContain('approved by <@U0APPROVER1>');
  });

  it('a click on an environment that is gone, or never needed approval, is told so and changes nothing', async () => {
    const w = world();
    const plain = plainEnv();
    w.environments.items.set(plain.id, plain);
    expect(await handleSlackInteraction(w.deps, click('payments-0a1b2c3d', 'U0APPROVER1'))).toMatchObject({ kind: 'refused', code: 'NOT_FOUND' });
    expect(await handleSlackInteraction(w.deps, click(plain.id, 'U0APPROVER1'))).toMatchObject({ kind: 'refused', code: 'NOT_AWAITING_APPROVAL' });
    expect(w.environments.writes).toBe(0);
    expect(w.started).toEqual([]);
    for (const r of w.replies) expect(r.message).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  });

  it('keeps the decision when Slack cannot be told', async () => {
    const w = world({ respond: async () => Promise.reject(new Error('Slack timed out')) });
    const env = protectedEnv();
    w.environments.items.set(env.id, env);
    const outcome = await handleSlackInteraction(w.deps, click(env.id, 'U0APPROVER1'));
    expect(outcome).toMatchObject({ kind: 'decided', replied: false });
    expect(w.environments.items.get(env.id)!.approval?.decision).toBe('APPROVED');
    expect(w.started).toEqual([env.executionName]);
  });

  it('refuses a response_url outside Slack before deciding', async () => {
    const w = world();
    const env = protectedEnv();
    w.environments.items.set(env.id, env);
    const body = interactionForm(clickPayload({ user: { id: 'U0APPROVER1' }, response_url: 'http://169.254.169.254/latest/meta-data/' }, { value: env.id }));
    await expect(handleSlackInteraction(w.deps, body)).rejects.toBeInstanceOf(InvalidInputError);
    expect(w.environments.writes).toBe(0);
    expect(w.replies).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------

function signedEvent(body: string, opts: { secret?: string; timestamp?: number; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const timestamp = String(opts.timestamp ?? Math.floor(NOW.getTime() / 1000));
  return {
    version: '2.0',
    routeKey: 'POST /slack/interactions',
    rawPath: '/slack/interactions',
    rawQueryString: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(opts.secret ?? SECRET, timestamp, body),
    },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/slack/interactions', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot' } },
  } as unknown as APIGatewayProxyEventV2;
}

function handlerFor(w: ReturnType<typeof world>, secret: string | undefined = SECRET) {
  return build(() => ({ ...w.deps, secrets: new EnvSecrets({ SLACK_SIGNING_SECRET: secret }) }));
}

async function invoke(w: ReturnType<typeof world>, event: APIGatewayProxyEventV2, secret?: string) {
  const result = (await handlerFor(w, secret)(event, context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, raw: result.body ?? '', body: result.body ? JSON.parse(result.body) : undefined };
}

describe('POST /slack/interactions handler', () => {
  const realFetch = globalThis.fetch;
  const posted: Array<{ url: string; body: any }> = [];
  beforeAll(() => {
    // The handler posts with the platform fetch; Slack is stood in for here.
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      posted.push({ url: String(input), body: JSON.parse(String(init?.body)) });
      return new Response('ok', { status: 200 });
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });
  beforeEach(() => {
    posted.length = 0;
  });

  it('answers a signed click with an empty 200 and updates the message on response_url', async () => {
    const w = world();
    const env = protectedEnv();
    w.environments.items.set(env.id, env);
    const reply = await invoke(w, signedEvent(click(env.id, 'U0APPROVER1')));
    expect(reply.status).toBe(200);
    expect(reply.raw).toBe('');
    expect(w.environments.items.get(env.id)!.approval?.decision).toBe('APPROVED');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.url).toBe(RESPONSE_URL);
    expect(posted[0]!.body.replace_original).toBe(true);
  });

  it.each([
    ['a signature made with another secret', { secret: 'not-the-secret' }],
    ['a timestamp 10 minutes old (a replay)', { timestamp: Math.floor(NOW.getTime() / 1000) - 600 }],
  ])('refuses %s with 401 and decides nothing', async (_label, opts) => {
    const w = world();
    const env = protectedEnv();
    w.environments.items.set(env.id, env);
    const reply = await invoke(w, signedEvent(click(env.id, 'U0APPROVER1'), opts));
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('UNAUTHORIZED');
    expect(w.environments.writes).toBe(0);
    expect(posted).toEqual([]);
  });

  it('answers 503 while no signing secret is configured', async () => {
    const w = world();
    const reply = await invoke(w, signedEvent(click('payments-0a1b2c3d', 'U0APPROVER1')), '');
    expect(reply.status).toBe(503);
  });

  it('acknowledges a click on the switch-role link button and does nothing else', async () => {
    const w = world();
    const reply = await invoke(w, signedEvent(interactionForm(clickPayload({}, { action_id: 'switch-role', value: undefined }))));
    expect(reply.status).toBe(200);
    expect(posted).toEqual([]);
  });

  it.each(SLACK_INTERACTION_CASES.map((c) => [c.title, c.status, c] as const))('%s gets %i, JSON naming the field, and no decision', async (_title, status, c) => {
    const w = world();
    const reply = await invoke(w, signedEvent(c.body));
    expect(reply.status).toBe(status);
    expect(reply.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
    if (c.field) expect(reply.body.error.fields[0].field).toBe(c.field);
    expect(w.environments.writes).toBe(0);
    expect(w.started).toEqual([]);
    expect(w.published).toEqual([]);
    expect(posted).toEqual([]);
  });
});
