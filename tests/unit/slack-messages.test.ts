import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import {
  ackCreate,
  escapeMrkdwn,
  failedMessage,
  listMessage,
  progressMessage,
  readyMessage,
  rejectedMessage,
  statusMessage,
  truncateText,
  usageMessage,
  type SlackBlock,
  type SlackMessage,
} from '../../shared/domain/slack-messages';
import { buildSwitchRoleDetails } from '../../shared/domain/switch-role';
import { texts } from '../fixtures/slack-text';

const now = new Date('2026-11-28T09:00:00Z');

function environment(name = 'Staging', ou = 'Workloads/Staging'): Environment {
  return newEnvironment(parseEnvironmentRequest({ name, ou, color: 'yellow' }, { emailTemplate: 'admin+{slug}@example.com' }), { now, source: 'slack' });
}

function ready(name = 'Staging') {
  const env = advance(environment(name), 'READY', now, 'done', { accountId: '123456789012', ouPath: 'Workloads/Staging', ouId: 'ou-abcd-11111111' });
  const details = buildSwitchRoleDetails({ accountId: '123456789012', displayName: name, color: env.color, profileName: 'staging', sourceProfile: 'management' });
  return { env, details };
}

function failed(name = 'Staging', failure = { code: 'EMAIL_ALREADY_EXISTS', message: 'Another AWS account already uses this email address.', fix: 'Use a plus-address and request again.', state: 'CheckAccountStatus' }) {
  return advance(advance(environment(name), 'CREATING', now), 'FAILED', now, failure.code, { failure });
}


/**
 * Slack's limits (Block Kit reference: a message holds at most 50 blocks; a header's text at most 150
 * characters; a section's and a context element's text at most 3,000; a message's top-level text
 * should stay under 4,000).
 */
const SLACK = { blocks: 50, headerText: 150, sectionText: 3000, contextElementText: 3000, messageText: 4000 };

function expectWithinLimits(message: SlackMessage) {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK.blocks);
  expect(message.text.length).toBeLessThanOrEqual(SLACK.messageText);
  for (const block of message.blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK.headerText);
    if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(SLACK.sectionText);
    if (block.type === 'context') for (const e of block.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK.contextElementText);
  }
}

const CONSOLE_URL = 'https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95';

const byType = <T extends SlackBlock['type']>(message: SlackMessage, type: T) => message.blocks.filter((b): b is Extract<SlackBlock, { type: T }> => b.type === type);

describe('readyMessage', () => {
  const { env, details } = ready();
  const message = readyMessage(env, details);

  it('is ephemeral and replaces the progress line', () => {
    expect(message).toMatchObject({ response_type: 'ephemeral', replace_original: true });
  });

  it('opens with a header naming the environment', () => {
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '✅ Staging is ready' } });
  });

  it('shows the account id and the OU path', () => {
    const section = byType(message, 'section')[0]!.text.text;
    expect(section).toContain('123456789012');
    expect(section).toContain('Workloads/Staging');
  });

  it('has a primary "Switch role" button linking to the console', () => {
    const [actions] = byType(message, 'actions');
    expect(actions!.elements).toEqual([expect.objectContaining({ type: 'button', url: CONSOLE_URL, style: 'primary', text: { type: 'plain_text', text: 'Switch role' } })]);
  });

  it('carries the ~/.aws/config profile in a code block', () => {
    const profile = byType(message, 'section').find((b) => b.text.text.includes('~/.aws/config'))!.text.text;
    expect(profile).toMatch(/```\[profile staging\]\nrole_arn = arn:aws:iam::123456789012:role\/OrganizationAccountAccessRole\nsource_profile = management```/);
  });

  it('ends with the check command', () => {
    const last = message.blocks.at(-1)!;
    expect(last.type).toBe('context');
    expect(last.type === 'context' && last.elements[0]!.text).toContain('`aws sts get-caller-identity --profile staging`');
  });

  it('falls back to the requested OU when the path was not resolved', () => {
    const { ouPath: _ouPath, ...unresolved } = env;
    expect(readyMessage({ ...unresolved, ou: 'ou-abcd-11111111' }, details).blocks[1]).toMatchObject({ text: { text: expect.stringContaining('ou-abcd-11111111') } });
  });

  it('keeps the plain-text fallback informative', () => {
    expect(message.text).toBe(':white_check_mark: Staging is ready: account 123456789012 in Workloads/Staging.');
  });
});

describe('escaping user-provided text', () => {
  const name = '<script>alert(1)</script> & <!channel>';
  const hostile = { code: 'X<y>', message: 'see <https://evil.example|here> & more', fix: 'ping <!here>', state: 'Create<Account>' };
  const { env, details } = ready(name);
  const messages: Array<[string, SlackMessage]> = [
    ['ack', ackCreate({ id: env.id, name, ou: 'Sandbox/<b>' }, false)],
    ['ack existing', ackCreate({ id: env.id, name, ou: 'Sandbox/<b>' }, true)],
    ['progress', progressMessage(advance(environment(name), 'CREATING', now))],
    ['ready', readyMessage(env, details)],
    ['failed', failedMessage(failed(name, hostile))],
    ['status ready', statusMessage(env, details)],
    ['status failed', statusMessage(failed(name, hostile))],
    ['list', listMessage([env, failed(name, hostile)])],
    ['rejected', rejectedMessage({ code: 'NAME_TAKEN', message: `The name ${name} is taken`, fields: [{ field: 'name<x>', message: 'is <taken>' }] })],
    ['usage', usageMessage(`Unknown command "${name}"`)],
  ];

  it.each(messages)('%s: no raw < > or unescaped & anywhere', (_label, message) => {
    for (const text of texts(message)) {
      expect(text).not.toMatch(/[<>]/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });

  it('shows the name escaped, not dropped', () => {
    expect(readyMessage(env, details).blocks[0]).toMatchObject({ text: { text: expect.stringContaining('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;') } });
  });

  it('escapes &, < and > and nothing else', () => {
    expect(escapeMrkdwn('a & b < c > d "e" *f*')).toBe('a &amp; b &lt; c &gt; d "e" *f*');
  });
});

describe('limits', () => {
  it('truncates without cutting an entity or a surrogate pair', () => {
    expect(truncateText('ab&amp;cd', 5)).toBe('ab…');
    expect(truncateText('ab&lt;', 5)).toBe('ab…');
    expect(truncateText('abc😀def', 5)).toBe('abc…');
    expect(truncateText('short', 5)).toBe('short');
  });

  it('keeps every block within Slack limits for long, escape-heavy text', () => {
    const long = '<&>'.repeat(2000);
    const env = failed(long.slice(0, 50), { code: 'X', message: long, fix: long, state: 'S' });
    const { env: readyEnv, details } = ready('Staging');
    const bigDetails = { ...details, awsConfigProfile: `[profile x]\n${'role_arn = <x>\n'.repeat(400)}` };
    for (const message of [
      failedMessage({ ...env, name: long }),
      readyMessage({ ...readyEnv, name: long }, bigDetails),
      statusMessage({ ...env, name: long, timeline: Array.from({ length: 200 }, () => ({ at: now.toISOString(), status: 'CREATING' as const, note: long })) }),
      rejectedMessage({ code: 'INVALID_INPUT', message: long, fields: Array.from({ length: 500 }, (_, i) => ({ field: `tags.${i}`, message: long })) }),
      usageMessage(long),
      ackCreate({ id: 'x', name: long, ou: long }, false),
    ]) {
      expectWithinLimits(message);
    }
  });

  it('still closes the code fence when the profile is cut', () => {
    const { env, details } = ready();
    const message = readyMessage(env, { ...details, awsConfigProfile: 'x'.repeat(10_000) });
    const profile = byType(message, 'section').find((b) => b.text.text.includes('~/.aws/config'))!.text.text;
    expect(profile.length).toBeLessThanOrEqual(SLACK.sectionText);
    expect(profile).toMatch(/…```$/);
  });

  it('lists at most 10 environments and says how many more there are', () => {
    const envs = Array.from({ length: 25 }, (_, i) => environment(`Env ${i}`));
    const message = listMessage(envs);
    const lines = byType(message, 'section')[0]!.text.text.split('\n');
    expect(lines).toHaveLength(10);
    expect(texts(message).join('\n')).toContain('15 more');
    expectWithinLimits(message);
  });
});

describe('other messages', () => {
  it('ackCreate says what was requested, the id and that progress follows', () => {
    const message = ackCreate({ id: 'staging-1a2b3c4d', name: 'Staging', ou: 'Workloads/Staging' }, false);
    expect(message.response_type).toBe('ephemeral');
    expect(message.text).toContain('*Staging*');
    expect(message.text).toContain('Workloads/Staging');
    expect(message.text).toContain('staging-1a2b3c4d');
    expect(message.text).toMatch(/Progress will follow here/);
    expect(message.text).not.toMatch(/already/);
  });

  it('ackCreate says when the environment was already requested', () => {
    expect(ackCreate({ id: 'staging-1a2b3c4d', name: 'Staging', ou: 'Workloads/Staging' }, true).text).toMatch(/already requested/);
  });

  it.each([
    ['CREATING', /Creating the account for \*Staging\* in Workloads\/Staging…/],
    ['PLACING', /moving it into Workloads\/Staging/],
    ['NOTIFYING', /switch-role details/],
  ] as const)('progressMessage for %s is one line that replaces the last', (status, line) => {
    const env = advance(environment(), status, now, undefined, status === 'CREATING' ? {} : { accountId: '123456789012' });
    const message = progressMessage(env);
    expect(message).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(message.blocks).toHaveLength(1);
    expect(message.text).toMatch(line);
    expect(message.text).not.toContain('\n');
  });

  it('failedMessage gives the reason code, what happened and the fix', () => {
    const message = failedMessage(failed());
    const all = texts(message).join('\n');
    expect(message).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(all).toContain('EMAIL_ALREADY_EXISTS');
    expect(all).toContain('Another AWS account already uses this email address.');
    expect(all).toContain('Use a plus-address and request again.');
    expect(all).toContain('CheckAccountStatus');
  });

  it('failedMessage copes with a failure that was never recorded', () => {
    const { failure: _failure, ...env } = failed();
    expect(texts(failedMessage(env)).join('\n')).toContain('UNKNOWN');
  });

  it('statusMessage of a ready environment includes the switch-role button', () => {
    const { env, details } = ready();
    const message = statusMessage(env, details);
    expect(byType(message, 'actions')[0]!.elements[0]!.url).toBe(CONSOLE_URL);
    expect(message.text).toContain('READY');
  });

  it('statusMessage of one in progress shows where it stands and the timeline', () => {
    const message = statusMessage(advance(environment(), 'CREATING', now, 'CreateAccount car-abc'));
    const all = texts(message).join('\n');
    expect(all).toContain('CREATING');
    expect(all).toContain('Creating the account');
    expect(all).toContain('CreateAccount car-abc');
    expect(byType(message, 'actions')).toHaveLength(0);
  });

  it('statusMessage of a failed environment includes the fix', () => {
    expect(texts(statusMessage(failed())).join('\n')).toContain('Use a plus-address and request again.');
  });

  it('listMessage shows name, id, status and account id', () => {
    const { env } = ready();
    const line = byType(listMessage([env]), 'section')[0]!.text.text;
    expect(line).toContain('*Staging*');
    expect(line).toContain(env.id);
    expect(line).toContain('READY');
    expect(line).toContain('123456789012');
  });

  it('listMessage says so when there is nothing yet', () => {
    expect(listMessage([]).text).toMatch(/No environments yet/);
  });

  it('rejectedMessage names every bad field and the code', () => {
    const message = rejectedMessage({ code: 'INVALID_INPUT', message: 'Invalid request', fields: [{ field: 'ou', message: 'must be a path' }, { field: 'color', message: 'must be a console colour' }] });
    const all = texts(message).join('\n');
    expect(all).toContain('`ou` must be a path');
    expect(all).toContain('`color` must be a console colour');
    expect(all).toContain('INVALID_INPUT');
    expect(message.response_type).toBe('ephemeral');
  });

  it('usageMessage shows the problem before the help', () => {
    const message = usageMessage('Unknown option "region=": use ou=, email= or color=.');
    expect(byType(message, 'section')[0]!.text.text).toContain('Unknown option');
    expect(byType(message, 'section')[1]!.text.text).toContain('/env create');
    expect(usageMessage().blocks).toHaveLength(1);
    expect(usageMessage().text).toContain('/env create');
    expect(message.text).toMatch(/^:warning: Unknown option[^]*\/env create/);
  });
});
