/**
 * One signed `/env create`, one effect: copies of the same signed request (Slack's retries, the same
 * request arriving several times at once) hand the request over once. The registry is the real one
 * on dynalite, so the claim is a real conditional write racing against itself.
 */
import { EnvSecrets } from '../../shared/adapters/local/env-secrets';
import { signSlackRequest } from '../../shared/domain/slack-signature';
import type { OutgoingEvent } from '../../shared/ports';
import { handleSlackCommand } from '../../shared/use-cases/slack-command';
import { harness, type Harness } from '../workflow/harness';

const SECRET = 'slack-command-once-signing-secret';
const REQUESTED = 'Environment Requested';

let h: Harness;

beforeAll(async () => {
  h = await harness();
  h.deps.secrets = new EnvSecrets({ SLACK_SIGNING_SECRET: SECRET });
});

afterAll(() => h.close());

beforeEach(() => {
  h.events.published.length = 0;
});

function form(text: string, trigger: string): string {
  return new URLSearchParams({
    team_id: 'T1',
    channel_id: 'C1',
    user_id: 'U2CERLKJA',
    user_name: 'roadrunner',
    command: '/env',
    text,
    response_url: `https://hooks.slack.com/commands/T1/${trigger}/reply`,
    trigger_id: trigger,
  }).toString();
}

/** A request as Slack signs it, at the harness's clock; `retry` adds the headers Slack's retries carry. */
function signed(rawBody: string, opts: { at?: number; retry?: number } = {}) {
  const timestamp = String(opts.at ?? Math.floor(h.clock.now().getTime() / 1000));
  return {
    rawBody,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(SECRET, timestamp, rawBody),
      ...(opts.retry ? { 'x-slack-retry-num': String(opts.retry), 'x-slack-retry-reason': 'http_timeout' } : {}),
    },
  };
}

const requested = (name: string) => h.events.published.filter((e) => e.detailType === REQUESTED && (e.detail as { name?: string }).name === name);

it('hands five copies of one signed create arriving at once over once, and answers each the same', async () => {
  const request = signed(form('create Copies ou=Workloads/Staging', '1.copies'));
  const replies = await Promise.all(Array.from({ length: 5 }, () => handleSlackCommand(h.deps, request)));

  expect(requested('Copies')).toHaveLength(1);
  expect(requested('Copies')[0]!.detail).toMatchObject({ replyTo: { slackResponseUrl: 'https://hooks.slack.com/commands/T1/1.copies/reply' } });
  expect(replies[0]).toEqual(expect.objectContaining({ response_type: 'ephemeral' }));
  for (const reply of replies) expect(reply).toEqual(replies[0]);
});

it('hands nothing over again when Slack retries the same signed request', async () => {
  const body = form('create Retried ou=Workloads/Staging', '2.retried');
  const at = Math.floor(h.clock.now().getTime() / 1000);
  const first = await handleSlackCommand(h.deps, signed(body, { at }));
  const retries = [await handleSlackCommand(h.deps, signed(body, { at, retry: 1 })), await handleSlackCommand(h.deps, signed(body, { at, retry: 2 }))];

  expect(requested('Retried')).toHaveLength(1);
  for (const reply of retries) expect(reply).toEqual(first);
});

it('treats the same command sent again (a new signed request) as a new request', async () => {
  const at = Math.floor(h.clock.now().getTime() / 1000);
  await handleSlackCommand(h.deps, signed(form('create Twice ou=Workloads/Staging', '3.twice'), { at }));
  await handleSlackCommand(h.deps, signed(form('create Twice ou=Workloads/Staging', '4.twice'), { at: at + 1 }));

  // The request function sorts these out by name; what matters here is that neither was swallowed.
  expect(requested('Twice')).toHaveLength(2);
});

it('gives the claim back when publishing fails, so a retry of the same request hands it over', async () => {
  const events = h.deps.events;
  let failures = 1;
  h.deps.events = {
    publish: async (batch: OutgoingEvent[]) => {
      if (failures-- > 0) throw Object.assign(new Error('PutEvents throttled'), { name: 'RetryableAwsError' });
      return events.publish(batch);
    },
  };
  try {
    const request = signed(form('create Unlucky ou=Workloads/Staging', '5.unlucky'));
    await expect(handleSlackCommand(h.deps, request)).rejects.toThrow('PutEvents throttled');
    expect(requested('Unlucky')).toHaveLength(0);

    await handleSlackCommand(h.deps, { ...request, headers: { ...request.headers, 'x-slack-retry-num': '1' } });
    await handleSlackCommand(h.deps, { ...request, headers: { ...request.headers, 'x-slack-retry-num': '2' } });
    expect(requested('Unlucky')).toHaveLength(1);
  } finally {
    h.deps.events = events;
  }
});
