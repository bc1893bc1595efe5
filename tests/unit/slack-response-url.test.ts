import { SlackResponseUrlChannel, assertAllowedResponseUrl, postToResponseUrl, type ResponseUrlOptions } from '../../shared/adapters/http/slack-response-url';
import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { AwsRequestRejectedError, InvalidInputError, RetryableAwsError } from '../../shared/domain/errors';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { buildSwitchRoleDetails } from '../../shared/domain/switch-role';

const RESPONSE_URL = 'https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN';
const PREFIXES = ['https://hooks.slack.com/'];
const now = new Date('2026-11-28T09:00:00Z');

type FetchCall = { url: string; init: RequestInit };

/** A fetch that answers from a script, one entry per call, and records what it was sent. */
function scriptedFetch(...answers: Array<number | Error | 'hang'>) {
  const calls: FetchCall[] = [];
  const fetch = jest.fn(async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(input), init: init ?? {} });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    if (answer === 'hang') {
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('This operation was aborted', 'AbortError')));
      });
    }
    return new Response(answer >= 400 ? (answer === 404 ? 'expired_url' : 'server_error') : 'ok', { status: answer });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls, mock: fetch };
}

const noWait = jest.fn(async (_ms: number) => undefined);
const options = (fetch: typeof globalThis.fetch, extra: Partial<ResponseUrlOptions> = {}): ResponseUrlOptions => ({ allowedPrefixes: PREFIXES, fetch, sleep: noWait, ...extra });

beforeEach(() => noWait.mockClear());

describe('postToResponseUrl', () => {
  it('POSTs the payload as JSON', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await postToResponseUrl(RESPONSE_URL, { text: 'hello', response_type: 'ephemeral' }, options(fetch));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(RESPONSE_URL);
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ text: 'hello', response_type: 'ephemeral' });
    expect(calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0]!.init.redirect).toBe('manual');
  });

  it.each([
    ['the instance metadata endpoint', 'http://169.254.169.254/latest/meta-data/'],
    ['plain http to Slack', 'http://hooks.slack.com/commands/x'],
    ['a look-alike host', 'https://hooks.slack.com.evil.example/commands/x'],
    ['credentials before the host', 'https://hooks.slack.com@evil.example/commands/x'],
    ['another Slack host', 'https://slack.com/api/chat.postMessage'],
    ['not a URL', 'hooks.slack.com/commands/x'],
    ['a file URL', 'file:///etc/passwd'],
    ['an empty string', ''],
  ])('refuses %s without fetching', async (_label, url) => {
    const { fetch, mock } = scriptedFetch(200);
    const error = await postToResponseUrl(url, {}, options(fetch)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).fields).toEqual([expect.objectContaining({ field: 'response_url' })]);
    expect(mock).not.toHaveBeenCalled();
  });

  it('does not let a prefix without a trailing slash admit another host', () => {
    expect(() => assertAllowedResponseUrl('https://hooks.slack.com.evil.example/x', ['https://hooks.slack.com'])).toThrow(InvalidInputError);
    expect(assertAllowedResponseUrl('https://hooks.slack.com/commands/x', ['https://hooks.slack.com']).href).toBe('https://hooks.slack.com/commands/x');
  });

  it('checks the prefix after resolving dot segments', () => {
    expect(() => assertAllowedResponseUrl('https://hooks.slack.com/commands/../../admin', ['https://hooks.slack.com/commands/'])).toThrow(InvalidInputError);
  });

  it('retries a 500 and succeeds', async () => {
    const { fetch, mock } = scriptedFetch(500, 200);
    await expect(postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch))).resolves.toBeUndefined();
    expect(mock).toHaveBeenCalledTimes(2);
    expect(noWait).toHaveBeenCalledTimes(1);
  });

  it('retries a network error and succeeds', async () => {
    const { fetch, mock } = scriptedFetch(new TypeError('fetch failed'), 200);
    await postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch));
    expect(mock).toHaveBeenCalledTimes(2);
  });

  it('retries a 429', async () => {
    const { fetch, mock } = scriptedFetch(429, 200);
    await postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch));
    expect(mock).toHaveBeenCalledTimes(2);
  });

  it('gives up on a 404 without retrying', async () => {
    const { fetch, mock } = scriptedFetch(404, 200);
    const error = await postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsRequestRejectedError);
    expect(error).toMatchObject({ name: 'AwsRequestRejectedError', awsError: 'SlackResponseUrl', message: expect.stringContaining('HTTP 404 expired_url') });
    expect(mock).toHaveBeenCalledTimes(1);
  });

  it('does not follow a redirect', async () => {
    const { fetch, mock } = scriptedFetch(302);
    await expect(postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch))).rejects.toBeInstanceOf(AwsRequestRejectedError);
    expect(mock).toHaveBeenCalledTimes(1);
  });

  it('throws RetryableAwsError after the retries are used up', async () => {
    const { fetch, mock } = scriptedFetch(503);
    const error = await postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch, { retries: 3 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableAwsError);
    expect(error).toMatchObject({ name: 'RetryableAwsError', message: expect.stringContaining('4 attempts') });
    expect(mock).toHaveBeenCalledTimes(4);
  });

  it('retries twice by default', async () => {
    const { fetch, mock } = scriptedFetch(500);
    await expect(postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch))).rejects.toBeInstanceOf(RetryableAwsError);
    expect(mock).toHaveBeenCalledTimes(3);
  });

  it('aborts an attempt that does not answer in time, and retries it', async () => {
    const { fetch, calls } = scriptedFetch('hang', 'hang');
    const error = await postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch, { timeoutMs: 10, retries: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableAwsError);
    expect((error as Error).message).toContain('no answer within 10 ms');
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.init.signal?.aborted)).toBe(true);
  });

  it('recovers when a timed-out attempt is followed by an answer', async () => {
    const { fetch, mock } = scriptedFetch('hang', 200);
    await postToResponseUrl(RESPONSE_URL, { text: 'x' }, options(fetch, { timeoutMs: 10 }));
    expect(mock).toHaveBeenCalledTimes(2);
  });

  it('never puts the URL in an error', async () => {
    for (const answer of [404, 500, new TypeError(`fetch failed ${RESPONSE_URL}`)] as const) {
      const { fetch } = scriptedFetch(answer);
      const error = (await postToResponseUrl(RESPONSE_URL, {}, options(fetch)).catch((e: unknown) => e)) as Error;
      expect(error.message).not.toContain('96rGlfmibIGlgcZRskXaIFfN');
      expect(JSON.stringify(error)).not.toContain('96rGlfmibIGlgcZRskXaIFfN');
    }
    const refused = (await postToResponseUrl('http://169.254.169.254/secret-path', {}, options(scriptedFetch(200).fetch)).catch((e: unknown) => e)) as Error;
    expect(JSON.stringify({ ...refused, message: refused.message })).not.toContain('secret-path');
  });
});

describe('SlackResponseUrlChannel', () => {
  function environment(replyTo?: Environment['replyTo']): Environment {
    const request = parseEnvironmentRequest({ name: 'Staging', ou: 'Workloads/Staging' }, { emailTemplate: 'admin+{slug}@example.com' });
    return newEnvironment(request, { now, source: 'slack', ...(replyTo ? { replyTo } : {}) });
  }

  const details = buildSwitchRoleDetails({ accountId: '123456789012', displayName: 'Staging', color: 'EFDA95', profileName: 'staging', sourceProfile: 'management' });

  it('posts the ready message to the environment response_url', async () => {
    const { fetch, calls } = scriptedFetch(200);
    const env = advance(environment({ slackResponseUrl: RESPONSE_URL, slackUserId: 'U1' }), 'READY', now, undefined, { accountId: '123456789012', ouPath: 'Workloads/Staging' });
    await new SlackResponseUrlChannel(options(fetch)).send({ kind: 'ready', environment: env, switchRole: details });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(RESPONSE_URL);
    const posted = JSON.parse(calls[0]!.init.body as string);
    expect(posted).toMatchObject({ response_type: 'ephemeral', replace_original: true, text: ':white_check_mark: Staging is ready: account 123456789012 in Workloads/Staging.' });
    expect(posted.blocks).toContainEqual(
      expect.objectContaining({
        type: 'actions',
        elements: [expect.objectContaining({ url: 'https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95' })],
      }),
    );
  });

  it('posts the failed message', async () => {
    const { fetch, calls } = scriptedFetch(200);
    const failure = { code: 'INVALID_EMAIL', message: 'AWS rejected the email.', fix: 'Use another.' };
    const env = advance(environment({ slackResponseUrl: RESPONSE_URL }), 'FAILED', now, undefined, { failure });
    await new SlackResponseUrlChannel(options(fetch)).send({ kind: 'failed', environment: env });
    const posted = JSON.parse(calls[0]!.init.body as string);
    expect(posted).toMatchObject({ response_type: 'ephemeral', replace_original: true, text: ':x: Staging could not be provisioned (INVALID_EMAIL): AWS rejected the email.' });
    expect(posted.blocks).toContainEqual({ type: 'section', text: { type: 'mrkdwn', text: '*How to fix it:* Use another.' } });
  });

  it('posts nothing once the response_url has expired (the outcome came over 30 minutes after the command), nor a closing', async () => {
    const { fetch, mock } = scriptedFetch(200);
    const later = new Date(now.getTime() + 31 * 60 * 1000);
    const env = advance(environment({ slackResponseUrl: RESPONSE_URL }), 'READY', later, undefined, { accountId: '123456789012', ouPath: 'Workloads/Staging' });
    const channel = new SlackResponseUrlChannel(options(fetch));
    await channel.send({ kind: 'ready', environment: env, switchRole: details });
    await channel.send({ kind: 'closed', environment: advance(environment({ slackResponseUrl: RESPONSE_URL }), 'READY', now) });
    expect(mock).not.toHaveBeenCalled();
  });

  it('does nothing for an environment that did not come from Slack', async () => {
    const { fetch, mock } = scriptedFetch(200);
    const channel = new SlackResponseUrlChannel(options(fetch));
    await channel.send({ kind: 'failed', environment: environment() });
    await channel.send({ kind: 'failed', environment: environment({ slackUserId: 'U1' }) });
    expect(mock).not.toHaveBeenCalled();
  });

  it('refuses a stored URL outside the allowed prefixes', async () => {
    const { fetch, mock } = scriptedFetch(200);
    const env = environment({ slackResponseUrl: 'http://169.254.169.254/' });
    await expect(new SlackResponseUrlChannel(options(fetch)).send({ kind: 'failed', environment: env })).rejects.toBeInstanceOf(InvalidInputError);
    expect(mock).not.toHaveBeenCalled();
  });

  it('post() sends acknowledgements and progress through the same guard', async () => {
    const { fetch, calls } = scriptedFetch(200);
    const channel = new SlackResponseUrlChannel(options(fetch));
    await channel.post(RESPONSE_URL, { text: 'progress' });
    await expect(channel.post('https://example.com/', { text: 'x' })).rejects.toBeInstanceOf(InvalidInputError);
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['no prefixes', []],
    ['a prefix that is not a URL', ['hooks.slack.com']],
    ['a non-http prefix', ['file:///']],
  ])('refuses to start with %s', (_label, allowedPrefixes) => {
    expect(() => new SlackResponseUrlChannel({ allowedPrefixes })).toThrow(/prefix/);
  });
});
