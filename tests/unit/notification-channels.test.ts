import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizationErrorException,
  InvalidParameterException,
  KMSThrottlingException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Webhook } from 'standardwebhooks';
import { SnsNotifier, createSnsClient, snsMessage, snsSubject } from '../../shared/adapters/aws/sns-notifier';
import { SsmSecrets } from '../../shared/adapters/aws/ssm-secrets';
import { SLACK_WEBHOOK_PREFIX, SlackWebhookNotifier, slackWebhookMessage } from '../../shared/adapters/http/slack-webhook';
import { WebhookNotifier, notificationEvent, webhookMessageId, type WebhookNotifierOptions } from '../../shared/adapters/http/webhook-notifier';
import { EnvSecrets } from '../../shared/adapters/local/env-secrets';
import { OutboxNotifier } from '../../shared/adapters/local/outbox-notifier';
import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { AwsRequestRejectedError, NotConfiguredError, RetryableAwsError } from '../../shared/domain/errors';
import { renderNotification } from '../../shared/domain/messages';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { buildSwitchRoleDetails, type SwitchRoleDetails } from '../../shared/domain/switch-role';
import { awsChannels } from '../../shared/lambda/aws/notifier';
import { loadConfig } from '../../shared/lambda/config';
import type { Notification } from '../../shared/ports';

const SECRET = `whsec_${Buffer.from('notify-webhook-test-secret-32-by').toString('base64')}`;
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';
const HOOK_URL = 'https://receiver.example.com/switchyard/events?token=abc';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:switchyard-notifications';
const now = new Date('2026-11-28T09:00:00Z');

function environment(name = 'Staging', email?: string): Environment {
  const request = parseEnvironmentRequest({ name, ou: 'Workloads/Staging', color: 'yellow', requestedBy: 'ana', ...(email ? { email } : {}) }, { emailTemplate: 'admin+{slug}@example.com' });
  const env = newEnvironment(request, { now, source: 'test' });
  return advance({ ...env, accountId: '123456789012', ouPath: 'Workloads/Staging', ouId: 'ou-ab12-stag0001' }, 'NOTIFYING', new Date('2026-11-28T09:04:00Z'), 'sending');
}

const readyEnv = environment();
const details: SwitchRoleDetails = buildSwitchRoleDetails({
  accountId: '123456789012',
  displayName: 'Staging',
  color: readyEnv.color,
  profileName: 'staging',
  sourceProfile: 'management',
});
const ready: Notification = { kind: 'ready', environment: readyEnv, switchRole: details };

/** What the admin needs for Staging, written out. */
const CONSOLE_URL = 'https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95';
const AWS_CONFIG_PROFILE = '[profile staging]\nrole_arn = arn:aws:iam::123456789012:role/OrganizationAccountAccessRole\nsource_profile = management\n';
const EXTENSION_ENTRY = '[profile staging]\naws_account_id = 123456789012\nrole_name = OrganizationAccountAccessRole\ncolor = EFDA95\n';
const CHECK_COMMAND = 'aws sts get-caller-identity --profile staging';
const failedEnv = advance(environment(), 'FAILED', new Date('2026-11-28T09:05:00Z'), undefined, {
  failure: { code: 'EMAIL_ALREADY_EXISTS', message: 'Another AWS account already uses admin+staging@example.com.', fix: 'Use a plus-address such as admin+staging2@example.com.', state: 'CheckAccountStatus' },
});
const failed: Notification = { kind: 'failed', environment: failedEnv };

/** Every string in a payload, so a check finds a value wherever the format put it. */
function strings(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(strings).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(strings).join('\n');
  return '';
}

/** What every success message must carry so the admin can switch in without asking. */
const READY_ITEMS: Array<[string, string]> = [
  ['name', 'Staging'],
  ['account id', '123456789012'],
  ['OU', 'Workloads/Staging'],
  ['console link', CONSOLE_URL],
  ['console display name', 'displayName=Staging'],
  ['console colour', 'color=EFDA95'],
  ['colour name', 'yellow'],
  ['~/.aws/config profile', AWS_CONFIG_PROFILE.trimEnd()],
  ['aws-extend-switch-roles entry', EXTENSION_ENTRY.trimEnd()],
  ['check command', CHECK_COMMAND],
];
const FAILED_ITEMS: Array<[string, string]> = [
  ['name', 'Staging'],
  ['reason', 'EMAIL_ALREADY_EXISTS'],
  ['message', 'Another AWS account already uses'],
  ['fix', 'Use a plus-address'],
];

const renderings: Array<[string, (n: Notification) => string]> = [
  ['email text', (n) => renderNotification(n).text],
  ['email html', (n) => renderNotification(n).html.replaceAll('&amp;', '&')],
  ['slack blocks', (n) => strings(slackWebhookMessage(n).blocks)],
  ['webhook payload', (n) => strings(notificationEvent(n))],
  ['sns message', (n) => snsMessage(n).message],
];

describe.each(renderings)('%s', (_label, render) => {
  it.each(READY_ITEMS)('on success carries the %s', (_item, expected) => {
    expect(render(ready)).toContain(expected);
  });
  it.each(FAILED_ITEMS)('on failure carries the %s', (_item, expected) => {
    expect(render(failed)).toContain(expected);
  });
});

type Answer = number | Error;

/** A fetch answering from a script (the last answer repeats) that records each request. */
function scriptedFetch(...answers: Answer[]) {
  const calls: Array<{ url: string; headers: Record<string, string>; body: string; redirect?: RequestInit['redirect'] }> = [];
  const fetch = jest.fn(async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) }, body: String(init?.body), redirect: init?.redirect });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return new Response(answer >= 400 ? 'no_service' : 'ok', { status: answer });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const noWait = async () => undefined;

describe('Slack incoming webhook channel', () => {
  const slack = (fetch: typeof globalThis.fetch, url: string | null = SLACK_URL, allowedPrefixes = [SLACK_WEBHOOK_PREFIX]) =>
    new SlackWebhookNotifier({ allowedPrefixes, webhookUrl: async () => url ?? undefined, fetch, sleep: noWait });

  it('posts the Block Kit message without the response_url-only fields', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await slack(fetch).send(ready);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(SLACK_URL);
    const body = JSON.parse(calls[0]!.body);
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
    expect(body.blocks).toContainEqual(expect.objectContaining({ type: 'actions', elements: [expect.objectContaining({ url: CONSOLE_URL })] }));
    expect(body.text).toContain('Staging is ready');
  });

  it('posts the failure with its reason and fix', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await slack(fetch).send(failed);
    const text = strings(JSON.parse(calls[0]!.body));
    expect(text).toContain('EMAIL_ALREADY_EXISTS');
    expect(text).toContain('*How to fix it:* Use a plus-address');
  });

  it('retries a 500 and succeeds', async () => {
    const { fetch, calls } = scriptedFetch(500, 200);
    await slack(fetch).send(ready);
    expect(calls).toHaveLength(2);
  });

  it('gives up with RetryableAwsError when Slack keeps failing', async () => {
    const { fetch, calls } = scriptedFetch(500);
    await expect(slack(fetch).send(ready)).rejects.toMatchObject({ name: 'RetryableAwsError', awsError: 'SlackWebhook' });
    expect(calls).toHaveLength(3);
  });

  it('stops at a 404 with AwsRequestRejectedError', async () => {
    const { fetch, calls } = scriptedFetch(404);
    await expect(slack(fetch).send(ready)).rejects.toBeInstanceOf(AwsRequestRejectedError);
    expect(calls).toHaveLength(1);
  });

  it('refuses a configured URL outside the allowed prefixes without fetching, and never names the URL', async () => {
    const { fetch, calls } = scriptedFetch(200);
    const error = await slack(fetch, 'http://169.254.169.254/latest/meta-data/').send(ready).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotConfiguredError);
    expect((error as Error).message).not.toContain('169.254');
    expect(calls).toHaveLength(0);
  });

  it('says so when no webhook URL is configured', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await expect(slack(fetch, null).send(ready)).rejects.toMatchObject({ name: 'NotConfiguredError', message: expect.stringContaining('SLACK_WEBHOOK_URL') });
    expect(calls).toHaveLength(0);
  });

  it('keeps the webhook URL out of the error when Slack fails', async () => {
    const { fetch } = scriptedFetch(500);
    const error = (await slack(fetch).send(ready).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain('hooks.slack.com');
  });
});

describe('signed webhook channel', () => {
  const hook = (fetch: typeof globalThis.fetch, extra: Partial<WebhookNotifierOptions> = {}) =>
    new WebhookNotifier({ url: HOOK_URL, secret: async () => SECRET, fetch, sleep: noWait, ...extra });

  it('posts environment.ready signed per Standard Webhooks, verifiable with the shared secret', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await hook(fetch).send(ready);
    expect(calls).toHaveLength(1);
    const { url, headers, body, redirect } = calls[0]!;
    expect(url).toBe(HOOK_URL);
    expect(redirect).toBe('manual');
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': `${readyEnv.id}.ready`, 'webhook-timestamp': expect.stringMatching(/^\d+$/) });
    const verified = new Webhook(SECRET).verify(body, headers) as ReturnType<typeof notificationEvent>;
    expect(verified).toEqual({
      type: 'environment.ready',
      timestamp: '2026-11-28T09:04:00.000Z',
      data: {
        id: readyEnv.id,
        name: 'Staging',
        accountId: '123456789012',
        ou: 'Workloads/Staging',
        ouId: 'ou-ab12-stag0001',
        roleArn: 'arn:aws:iam::123456789012:role/OrganizationAccountAccessRole',
        roleName: 'OrganizationAccountAccessRole',
        consoleUrl: CONSOLE_URL,
        displayName: 'Staging',
        color: 'EFDA95',
        colorName: 'yellow',
        awsConfigProfile: AWS_CONFIG_PROFILE,
        extensionEntry: EXTENSION_ENTRY,
        checkCommand: 'aws sts get-caller-identity --profile staging',
        requestedBy: 'ana',
      },
    });
  });

  it('posts environment.failed with the reason, message and fix', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await hook(fetch).send(failed);
    const verified = new Webhook(SECRET).verify(calls[0]!.body, calls[0]!.headers);
    expect(calls[0]!.headers['webhook-id']).toBe(`${failedEnv.id}.failed`);
    expect(verified).toEqual({
      type: 'environment.failed',
      timestamp: '2026-11-28T09:05:00.000Z',
      data: {
        id: failedEnv.id,
        name: 'Staging',
        ou: 'Workloads/Staging',
        accountId: '123456789012',
        reason: 'EMAIL_ALREADY_EXISTS',
        message: 'Another AWS account already uses admin+staging@example.com.',
        fix: 'Use a plus-address such as admin+staging2@example.com.',
        failedAt: 'CheckAccountStatus',
        requestedBy: 'ana',
      },
    });
  });

  it('never sends the root email address', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await hook(fetch).send(ready);
    expect(calls[0]!.body).not.toContain('admin+staging@example.com');
  });

  it('does not verify with another secret, or with a changed body', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await hook(fetch).send(ready);
    const { headers, body } = calls[0]!;
    const other = `whsec_${Buffer.from('some-other-secret-entirely-32-by').toString('base64')}`;
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
    expect(() => new Webhook(SECRET).verify(body.replace('123456789012', '999999999999'), headers)).toThrow();
  });

  it('resends with the same webhook-id and body, so the receiver can drop the duplicate', async () => {
    const { fetch, calls } = scriptedFetch(200);
    const channel = hook(fetch);
    await channel.send(ready);
    await channel.send(ready);
    expect(calls[1]!.headers['webhook-id']).toBe(calls[0]!.headers['webhook-id']);
    expect(calls[1]!.body).toBe(calls[0]!.body);
    expect(webhookMessageId(ready)).toBe(`${readyEnv.id}.ready`);
  });

  it('signs with the time it sends, which the receiver checks against its clock', async () => {
    const { fetch, calls } = scriptedFetch(200);
    const signedAt = new Date('2030-01-01T00:00:00Z');
    await hook(fetch, { now: () => signedAt }).send(ready);
    expect(calls[0]!.headers['webhook-timestamp']).toBe(String(signedAt.getTime() / 1000));
    expect(() => new Webhook(SECRET).verify(calls[0]!.body, calls[0]!.headers)).toThrow(/timestamp/i);
  });

  it('retries a 500 and succeeds', async () => {
    const { fetch, calls } = scriptedFetch(500, 200);
    await hook(fetch).send(ready);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers['webhook-id']).toBe(calls[0]!.headers['webhook-id']);
  });

  it('retries a network error and succeeds', async () => {
    const { fetch, calls } = scriptedFetch(new TypeError('fetch failed'), 200);
    await hook(fetch).send(ready);
    expect(calls).toHaveLength(2);
  });

  it('throws RetryableAwsError once the retries are used up', async () => {
    const { fetch, calls } = scriptedFetch(500);
    const error = await hook(fetch, { retries: 3 }).send(ready).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableAwsError);
    expect(error).toMatchObject({ awsError: 'NotifyWebhook', message: expect.stringContaining('4 attempts') });
    expect((error as Error).message).not.toContain('token=abc');
    expect(calls).toHaveLength(4);
  });

  it('stops at a 404 with AwsRequestRejectedError', async () => {
    const { fetch, calls } = scriptedFetch(404, 200);
    await expect(hook(fetch).send(ready)).rejects.toMatchObject({ name: 'AwsRequestRejectedError', awsError: 'NotifyWebhook', message: expect.stringContaining('HTTP 404') });
    expect(calls).toHaveLength(1);
  });

  it('gives up on an attempt that gets no answer within the timeout', async () => {
    const calls: number[] = [];
    const hanging = (async (_input: unknown, init?: RequestInit) => {
      calls.push(1);
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }) as unknown as typeof globalThis.fetch;
    await expect(hook(hanging, { timeoutMs: 5, retries: 1 }).send(ready)).rejects.toMatchObject({ name: 'RetryableAwsError', message: expect.stringContaining('no answer within 5 ms') });
    expect(calls).toHaveLength(2);
  });

  it('refuses to send unsigned when the secret is missing, and says which setting', async () => {
    const { fetch, calls } = scriptedFetch(200);
    await expect(hook(fetch, { secret: async () => undefined }).send(ready)).rejects.toMatchObject({ name: 'NotConfiguredError', message: expect.stringContaining('NOTIFY_WEBHOOK_SECRET') });
    expect(calls).toHaveLength(0);
  });

  it('refuses a secret that is not base64, without quoting it', async () => {
    const { fetch } = scriptedFetch(200);
    const error = (await hook(fetch, { secret: async () => 'whsec_not*base64!' }).send(ready).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(NotConfiguredError);
    expect(error.message).not.toContain('not*base64');
  });

  it.each(['file:///etc/passwd', 'ftp://receiver.example.com/hook', 'https://user:pass@receiver.example.com/hook', 'receiver.example.com/hook', ''])('refuses %j as a URL', (url) => {
    expect(() => new WebhookNotifier({ url, secret: async () => SECRET })).toThrow(/http\(s\)/);
  });
});

describe('SNS topic channel', () => {
  const sns = mockClient(SNSClient);
  const meta = { $metadata: {} };
  const channel = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), { topicArn: TOPIC_ARN });
  beforeEach(() => sns.reset());

  it('builds a client with adaptive, bounded retries', async () => {
    const client = createSnsClient({ region: 'eu-west-1' });
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await client.config.maxAttempts()).toBe(5);
  });

  it('publishes the text message with a subject and filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await channel.send(ready);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: `[Switchyard] Staging is ready: account 123456789012`,
      Message: expect.stringContaining(`${CONSOLE_URL}\n`),
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'ready' },
        environmentId: { DataType: 'String', StringValue: readyEnv.id },
      },
    });
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.Message).toMatch(/^The AWS environment "Staging" is ready\./);
    expect(input.Message).toContain(AWS_CONFIG_PROFILE);
    expect(input.MessageGroupId).toBeUndefined();
  });

  it('publishes the failure with reason and fix in the message', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    await channel.send(failed);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.Subject).toBe('[Switchyard] Staging could not be provisioned (EMAIL_ALREADY_EXISTS)');
    expect(input.Message).toContain('How to fix it: Use a plus-address');
    expect(input.MessageAttributes?.kind).toEqual({ DataType: 'String', StringValue: 'failed' });
  });

  it('keeps the subject under 100 characters and on one line', () => {
    const long = advance(environment('A very long environment name that goes on and on!', 'long@example.com'), 'FAILED', now, undefined, {
      failure: { code: 'AccountCreationTimedOutError', message: 'slow', fix: 'wait' },
    });
    const subject = snsMessage({ kind: 'failed', environment: long }).subject;
    // SNS allows 100 characters.
    expect(subject.length).toBeLessThan(100);
    expect(subject.endsWith('...')).toBe(true);
    expect(snsSubject('line one\nline\ttwo\u0007')).toBe('line one line two');
  });

  it('sets a group and deduplication id on a FIFO topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    await new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), { topicArn: `${TOPIC_ARN}.fifo` }).send(ready);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { MessageGroupId: readyEnv.id, MessageDeduplicationId: `${readyEnv.id}.ready` });
  });

  it.each([
    ['ThrottledException', () => new ThrottledException({ ...meta, message: 'Rate exceeded' })],
    ['KMSThrottlingException', () => new KMSThrottlingException({ ...meta, message: 'KMS rate exceeded' })],
  ])('maps %s to RetryableAwsError', async (_name, make) => {
    sns.on(PublishCommand).rejects(make());
    await expect(channel.send(ready)).rejects.toBeInstanceOf(RetryableAwsError);
  });

  it.each([
    ['NotFoundException', () => new NotFoundException({ ...meta, message: 'Topic does not exist' })],
    ['AuthorizationErrorException', () => new AuthorizationErrorException({ ...meta, message: 'not authorized to perform SNS:Publish' })],
    ['InvalidParameterException', () => new InvalidParameterException({ ...meta, message: 'Invalid parameter: Subject' })],
  ])('maps %s to AwsRequestRejectedError', async (name, make) => {
    sns.on(PublishCommand).rejects(make());
    await expect(channel.send(ready)).rejects.toMatchObject({ name: 'AwsRequestRejectedError', awsError: name });
  });

  it.each(['NotFound', 'AuthorizationError', 'InvalidParameter'])('maps the Query error code %s to AwsRequestRejectedError', async (name) => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('refused'), { name }));
    await expect(channel.send(ready)).rejects.toBeInstanceOf(AwsRequestRejectedError);
  });
});

describe('awsChannels', () => {
  const secrets = new EnvSecrets({});
  const names = (env: Record<string, string>) => awsChannels(loadConfig(env), secrets).map((c) => c.name);

  it('has only the slash-command reply channel when nothing is configured', () => {
    expect(names({})).toEqual(['slack-response']);
  });

  it('adds each channel once it is configured', () => {
    expect(names({ SENDER_EMAIL: 'switchyard@example.com', ADMIN_EMAIL: 'cloud-admins@example.com' })).toEqual(['email', 'slack-response']);
    expect(names({ NOTIFY_TOPIC_ARN: TOPIC_ARN })).toEqual(['sns', 'slack-response']);
    expect(names({ SLACK_WEBHOOK_URL_PARAM: '/switchyard/dev/slack-webhook-url' })).toEqual(['slack', 'slack-response']);
    expect(names({ NOTIFY_WEBHOOK_URL: HOOK_URL })).toEqual(['webhook', 'slack-response']);
    expect(
      names({
        SENDER_EMAIL: 'switchyard@example.com',
        ADMIN_EMAIL: 'cloud-admins@example.com',
        NOTIFY_TOPIC_ARN: TOPIC_ARN,
        SLACK_WEBHOOK_URL_PARAM: '/switchyard/dev/slack-webhook-url',
        NOTIFY_WEBHOOK_URL: HOOK_URL,
        NOTIFY_WEBHOOK_SECRET_PARAM: '/switchyard/dev/notify-webhook-secret',
      }),
    ).toEqual(['email', 'sns', 'slack', 'webhook', 'slack-response']);
  });

  it('reads the Slack URL and the webhook secret from the secrets store when sending', async () => {
    const { fetch, calls } = scriptedFetch(200);
    const realFetch = globalThis.fetch;
    globalThis.fetch = fetch;
    try {
      const lookups: string[] = [];
      const store = { get: async (name: string) => (lookups.push(name), name === 'slack-webhook-url' ? SLACK_URL : SECRET) };
      const channels = awsChannels(loadConfig({ SLACK_WEBHOOK_URL_PARAM: '/p/slack', NOTIFY_WEBHOOK_URL: HOOK_URL }), store);
      for (const channel of channels.filter((c) => c.name === 'slack' || c.name === 'webhook')) await channel.send(ready);
      expect(lookups).toEqual(['slack-webhook-url', 'notify-webhook-secret']);
      expect(calls.map((c) => c.url)).toEqual([SLACK_URL, HOOK_URL]);
      expect(() => new Webhook(SECRET).verify(calls[1]!.body, calls[1]!.headers)).not.toThrow();
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

describe('configuration', () => {
  it('defaults every channel setting to empty', () => {
    expect(loadConfig({})).toMatchObject({ SLACK_WEBHOOK_URL_PARAM: '', NOTIFY_WEBHOOK_URL: '', NOTIFY_WEBHOOK_SECRET_PARAM: '', NOTIFY_TOPIC_ARN: '' });
  });

  it.each(['file:///etc/passwd', 'ftp://receiver.example.com/', 'https://user:pass@receiver.example.com/', 'not a url'])('refuses NOTIFY_WEBHOOK_URL=%j', (url) => {
    expect(() => loadConfig({ NOTIFY_WEBHOOK_URL: url })).toThrow(/NOTIFY_WEBHOOK_URL/);
  });

  it('accepts an http or https NOTIFY_WEBHOOK_URL and SNS topic ARNs, standard and FIFO', () => {
    expect(loadConfig({ NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9999/hook' }).NOTIFY_WEBHOOK_URL).toBe('http://127.0.0.1:9999/hook');
    expect(loadConfig({ NOTIFY_TOPIC_ARN: `${TOPIC_ARN}.fifo` }).NOTIFY_TOPIC_ARN).toBe(`${TOPIC_ARN}.fifo`);
    expect(loadConfig({ NOTIFY_TOPIC_ARN: 'arn:aws-us-gov:sns:us-gov-west-1:111111111111:alerts' }).NOTIFY_TOPIC_ARN).toContain('us-gov');
  });

  it('refuses a NOTIFY_TOPIC_ARN that is not an SNS topic', () => {
    expect(() => loadConfig({ NOTIFY_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:111111111111:queue' })).toThrow(/NOTIFY_TOPIC_ARN/);
  });
});

describe('secrets for the channels', () => {
  it('come from SLACK_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET locally', async () => {
    const secrets = new EnvSecrets({ SLACK_WEBHOOK_URL: SLACK_URL, NOTIFY_WEBHOOK_SECRET: SECRET });
    await expect(secrets.get('slack-webhook-url')).resolves.toBe(SLACK_URL);
    await expect(secrets.get('notify-webhook-secret')).resolves.toBe(SECRET);
  });

  it('come from the configured SSM parameters on AWS, decrypted', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand, { Name: '/switchyard/prod/slack-webhook-url' }).resolves({ Parameter: { Value: SLACK_URL } });
    ssm.on(GetParameterCommand, { Name: '/switchyard/prod/notify-webhook-secret' }).resolves({ Parameter: { Value: SECRET } });
    const secrets = new SsmSecrets(new SSMClient({ region: 'eu-west-1' }), {
      'slack-webhook-url': '/switchyard/prod/slack-webhook-url',
      'notify-webhook-secret': '/switchyard/prod/notify-webhook-secret',
    });
    await expect(secrets.get('slack-webhook-url')).resolves.toBe(SLACK_URL);
    await expect(secrets.get('notify-webhook-secret')).resolves.toBe(SECRET);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/switchyard/prod/slack-webhook-url', WithDecryption: true });
    ssm.restore();
  });
});

describe('outbox', () => {
  it('writes one file per environment, outcome and channel, and a resend overwrites its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-outbox-'));
    const lines: string[] = [];
    const email = new OutboxNotifier(dir, { channel: 'email', print: (l) => lines.push(l) });
    const hookBox = new OutboxNotifier(dir, { channel: 'webhook', render: (n) => ({ summary: 'hook', content: { payload: notificationEvent(n) } }) });
    await email.send(ready);
    await email.send(ready);
    await hookBox.send(ready);
    await email.send(failed);
    expect(readdirSync(dir).sort()).toEqual([`${readyEnv.id}.failed.email.json`, `${readyEnv.id}.ready.email.json`, `${readyEnv.id}.ready.webhook.json`].sort());
    const mail = JSON.parse(readFileSync(join(dir, `${readyEnv.id}.ready.email.json`), 'utf8'));
    expect(mail).toMatchObject({ channel: 'email', kind: 'ready', consoleUrl: CONSOLE_URL, subject: expect.stringContaining('Staging is ready'), text: expect.any(String), html: expect.any(String) });
    const posted = JSON.parse(readFileSync(join(dir, `${readyEnv.id}.ready.webhook.json`), 'utf8'));
    expect(posted.payload.data.checkCommand).toBe(CHECK_COMMAND);
    expect(lines[0]).toBe('[outbox:email] [Switchyard] Staging is ready: account 123456789012');
  });

  it('refuses a channel label that could leave the folder', () => {
    expect(() => new OutboxNotifier(tmpdir(), { channel: '../x' })).toThrow(/label/);
  });
});
