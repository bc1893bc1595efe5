/**
 * The approval request on every channel (email, SNS, Slack, outgoing webhook, outbox) and the Slack
 * messages a decision turns it into. Hostile text in a name, requester or comment stays text.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snsMessage } from '../../shared/adapters/aws/sns-notifier';
import { SlackResponseUrlChannel } from '../../shared/adapters/http/slack-response-url';
import { slackWebhookMessage } from '../../shared/adapters/http/slack-webhook';
import { notificationEvent, webhookMessageId } from '../../shared/adapters/http/webhook-notifier';
import { OutboxNotifier } from '../../shared/adapters/local/outbox-notifier';
import { advance, newEnvironment, type Environment } from '../../shared/domain/environment';
import { renderNotification } from '../../shared/domain/messages';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import {
  approvalDecidedMessage,
  approvalRefusedMessage,
  approvalRequestMessage,
  progressMessage,
  statusMessage,
  type SlackBlock,
  type SlackMessage,
} from '../../shared/domain/slack-messages';
import type { Notification } from '../../shared/ports';
import { texts } from '../fixtures/slack-text';

const now = new Date('2026-11-28T09:00:00Z');
const APPROVERS = ['U0APPROVER1', 'local:ana', 'arn:aws:iam::123456789012:role/Approvers'];
const approval = {
  ou: 'Workloads/Production',
  requester: 'U0REQUESTER',
  approvers: APPROVERS,
  requestedAt: '2026-11-28T09:00:00.000Z',
  expiresAt: '2026-12-01T09:00:00.000Z',
};
/** 2026-12-01T09:00:00Z in seconds: what Slack's date formatting is given. */
const EXPIRES_EPOCH = 1796115600;
const EXPIRES_SLACK = `<!date^${EXPIRES_EPOCH}^{date_short_pretty} at {time}|2026-12-01T09:00:00.000Z>`;

function pending(name = 'Payments', ou = 'Workloads/Production/Payments'): Environment {
  const request = parseEnvironmentRequest({ name, ou, color: 'red', requestedBy: 'slack:roadrunner' }, { emailTemplate: 'admin+{slug}@example.com' });
  return newEnvironment(request, { now, source: 'slack', approval });
}

/** The same environment with text no request would pass, as a record from elsewhere could hold it. */
function hostile(name: string, requestedBy = name): Environment {
  return { ...pending(), name, requestedBy };
}

function decided(env: Environment, decision: 'APPROVED' | 'REJECTED', extra: Partial<NonNullable<Environment['approval']>> = {}): Environment {
  const record = { ...env.approval!, decision, decidedBy: 'U0APPROVER1', decidedAt: '2026-11-28T09:30:00.000Z', via: 'slack', ...extra };
  return advance(env, decision === 'APPROVED' ? 'REQUESTED' : 'REJECTED', new Date('2026-11-28T09:30:00Z'), 'decided', { approval: record });
}

const visible = (message: Pick<SlackMessage, 'text' | 'blocks'>) => texts(message).join('\n');
const byType = <T extends SlackBlock['type']>(message: Pick<SlackMessage, 'blocks'>, type: T) => message.blocks.filter((b): b is Extract<SlackBlock, { type: T }> => b.type === type);

/** Slack's documented limits (Block Kit reference). */
const SLACK = { blocks: 50, headerText: 150, sectionText: 3000, contextElementText: 3000, messageText: 4000, buttonText: 75 };

function expectWithinLimits(message: Pick<SlackMessage, 'text' | 'blocks'>) {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK.blocks);
  expect(message.text.length).toBeLessThanOrEqual(SLACK.messageText);
  for (const block of message.blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK.headerText);
    if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(SLACK.sectionText);
    if (block.type === 'context') for (const e of block.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK.contextElementText);
    if (block.type === 'actions') for (const e of block.elements) expect(e.text.text.length).toBeLessThanOrEqual(SLACK.buttonText);
  }
}

/** Slack's control sequences that a user's text must never produce: mentions, links, broadcasts. */
function expectNoControlSequences(text: string, hostileText: string) {
  expect(text).not.toContain(hostileText);
  expect(text).not.toMatch(/<!channel>|<!here>|<!everyone>|<img/);
}

describe('the approval request in Slack (incoming webhook)', () => {
  const env = pending();
  const message = approvalRequestMessage(env);
  const payload = slackWebhookMessage({ kind: 'approval', environment: env });

  it('is what the Slack channel posts, without the response_url-only fields', () => {
    expect(payload).toEqual({ text: message.text, blocks: message.blocks });
    expect(Object.keys(payload).sort()).toEqual(['blocks', 'text']);
  });

  it('names the requester, the environment, the OU, the colour, the expiry and the approvers', () => {
    const shown = visible(payload);
    expect(shown).toContain('slack:roadrunner');
    expect(shown).toContain('<@U0REQUESTER>');
    expect(shown).toContain('*Payments*');
    expect(shown).toContain(env.id);
    expect(shown).toContain('Workloads/Production/Payments');
    expect(shown).toContain('below the protected Workloads/Production');
    expect(shown).toContain('red');
    expect(shown).toContain(EXPIRES_SLACK);
    expect(shown).toContain('<@U0APPROVER1>, `local:ana`, `arn:aws:iam::123456789012:role/Approvers`');
  });

  it('carries an Approve (primary) and a Reject (danger) button whose value is the environment id', () => {
    const [actions] = byType(payload, 'actions');
    expect(actions!.elements).toEqual([
      { type: 'button', text: { type: 'plain_text', text: 'Approve' }, action_id: 'approve', value: env.id, style: 'primary' },
      { type: 'button', text: { type: 'plain_text', text: 'Reject' }, action_id: 'reject', value: env.id, style: 'danger' },
    ]);
  });

  it.each([
    ['an HTML tag', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['mrkdwn and a broadcast', '*bold* <!channel>', '*bold* &lt;!channel&gt;'],
    ['a link', '<https://evil.example|click me>', '&lt;https://evil.example|click me&gt;'],
    ['an ampersand entity', 'a &amp; b', 'a &amp;amp; b'],
  ])('keeps %s in the name and requester as text', (_label, text, escaped) => {
    const m = slackWebhookMessage({ kind: 'approval', environment: hostile(text) });
    const shown = visible(m);
    expect(shown).toContain(escaped);
    expectNoControlSequences(shown, text);
    // Button values are read back by POST /slack/interactions: the id, never the name.
    for (const button of byType(m, 'actions')[0]!.elements) expect(button.value).toBe(pending().id);
  });

  it('stays within Slack limits with a long name and 500 approvers, without cutting a mention in half', () => {
    const many = Array.from({ length: 500 }, (_, i) => `U${String(i).padStart(10, '0')}`);
    const env2 = { ...hostile('&'.repeat(400)), approval: { ...approval, approvers: many } };
    const m = approvalRequestMessage(env2);
    expectWithinLimits(m);
    const approversLine = texts(m).find((t) => t.startsWith('*Approvers*'))!;
    expect(approversLine).toMatch(/ and \d+ more/);
    // Every mention opened is closed.
    expect(approversLine.split('<@').length).toBe(approversLine.split('>').length - (approversLine.match(/<!date/g)?.length ?? 0));
    expect(approversLine).not.toMatch(/&[a-z]*…/);
  });
});

describe('the approval request by email and SNS', () => {
  const env = pending();
  const rendered = renderNotification({ kind: 'approval', environment: env });

  it('says what waits, for whom, and how to decide', () => {
    expect(rendered.subject).toBe('[Switchyard] Approval needed: Payments in Workloads/Production/Payments');
    for (const part of [rendered.text, rendered.html]) {
      expect(part).toContain('Payments');
      expect(part).toContain(env.id);
      expect(part).toContain('Workloads/Production/Payments');
      expect(part).toContain('red');
      expect(part).toContain('slack:roadrunner');
      expect(part).toContain('2026-12-01T09:00:00.000Z');
      expect(part).toContain('U0APPROVER1, local:ana, arn:aws:iam::123456789012:role/Approvers');
      expect(part).toContain(`POST /environments/${env.id}/approve`);
      expect(part).toContain(`POST /environments/${env.id}/reject`);
      expect(part).toContain('APPROVAL_EXPIRED');
    }
  });

  it('escapes a hostile name in the HTML and keeps the subject on one line', () => {
    const m = renderNotification({ kind: 'approval', environment: hostile('<img src=x onerror=alert(1)>\r\nBcc: x@evil.example') });
    expect(m.html).not.toContain('<img');
    expect(m.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(m.subject).not.toMatch(/[\r\n]/);
  });

  it('goes to SNS with the same text, filterable by kind', () => {
    const sns = snsMessage({ kind: 'approval', environment: env });
    expect(sns.subject).toBe(rendered.subject);
    expect(sns.message).toBe(rendered.text);
    expect(sns.attributes).toEqual({ kind: 'approval', environmentId: env.id });
    expect(sns.groupId).toBe(env.id);
  });
});

describe('the approval request on the outgoing webhook', () => {
  const env = pending();
  const notification: Notification = { kind: 'approval', environment: env };

  it('is environment.approval_requested with who may decide until when, and never the email', () => {
    expect(webhookMessageId(notification)).toBe(`${env.id}.approval`);
    const event = notificationEvent(notification);
    expect(event).toEqual({
      type: 'environment.approval_requested',
      timestamp: '2026-11-28T09:00:00.000Z',
      data: {
        id: env.id,
        name: 'Payments',
        ou: 'Workloads/Production/Payments',
        protectedOu: 'Workloads/Production',
        action: 'create',
        color: 'F2B0A9',
        colorName: 'red',
        requestedBy: 'slack:roadrunner',
        requester: 'U0REQUESTER',
        approvers: APPROVERS,
        requestedAt: '2026-11-28T09:00:00.000Z',
        expiresAt: '2026-12-01T09:00:00.000Z',
      },
    });
    expect(JSON.stringify(event)).not.toContain('admin+payments@example.com');
  });
});

describe('the approval request elsewhere', () => {
  it('is written to the outbox with the approval record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'approval-outbox-'));
    try {
      const env = pending();
      const box = new OutboxNotifier(dir, { channel: 'email' });
      await box.send({ kind: 'approval', environment: env });
      const record = JSON.parse(readFileSync(join(dir, `${env.id}.approval.email.json`), 'utf8'));
      expect(record).toMatchObject({ kind: 'approval', environmentId: env.id, status: 'PENDING_APPROVAL', approval: { approvers: APPROVERS, expiresAt: '2026-12-01T09:00:00.000Z' } });
      expect(record.subject).toBe('[Switchyard] Approval needed: Payments in Workloads/Production/Payments');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is not posted to the requester's response_url: the buttons are for the approvers", async () => {
    const fetch = jest.fn();
    const channel = new SlackResponseUrlChannel({ allowedPrefixes: ['https://hooks.slack.com/'], fetch: fetch as unknown as typeof globalThis.fetch });
    const env = { ...pending(), replyTo: { slackResponseUrl: 'https://hooks.slack.com/commands/T1/1/abc' } };
    await channel.send({ kind: 'approval', environment: env });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('the approval message once decided', () => {
  it('approved: who, when, through Slack, and that provisioning started; no buttons left', () => {
    const m = approvalDecidedMessage(decided(pending(), 'APPROVED'));
    expect(m).toMatchObject({ replace_original: true, response_type: 'in_channel' });
    expect(byType(m, 'header')[0]!.text.text).toBe('✅ Approved: Payments');
    const shown = visible(m);
    expect(shown).toContain('approved by <@U0APPROVER1> on <!date^1795858200^{date_short_pretty} at {time}|2026-11-28T09:30:00.000Z> in Slack');
    expect(shown).toContain('Provisioning started');
    expect(byType(m, 'actions')).toEqual([]);
  });

  it('rejected: who and the comment, escaped; no account', () => {
    const m = approvalDecidedMessage(decided(pending(), 'REJECTED', { reason: 'REJECTED', comment: '*no* <!channel>\nnot this quarter', via: 'api', decidedBy: 'arn:aws:iam::123456789012:user/bo' }));
    expect(byType(m, 'header')[0]!.text.text).toBe('🚫 Rejected: Payments');
    const shown = visible(m);
    expect(shown).toContain('rejected by `arn:aws:iam::123456789012:user/bo`');
    expect(shown).toContain('through the API');
    expect(shown).toContain('No account was created');
    expect(shown).toContain('*Comment*\n>*no* &lt;!channel&gt; not this quarter');
    expectNoControlSequences(shown, '<!channel>');
  });

  it('expired: nobody decided by the deadline (APPROVAL_EXPIRED)', () => {
    const m = approvalDecidedMessage(decided(pending(), 'REJECTED', { reason: 'APPROVAL_EXPIRED', via: 'timeout', decidedBy: undefined }));
    expect(byType(m, 'header')[0]!.text.text).toBe('⌛ Approval expired: Payments');
    const shown = visible(m);
    expect(shown).toContain(`Nobody decided on *Payments* by ${EXPIRES_SLACK}`);
    expect(shown).toContain('APPROVAL_EXPIRED');
    expect(shown).not.toContain('Provisioning started');
  });

  it('shows a decision it is given (the first one) rather than the record', () => {
    const m = approvalDecidedMessage(pending(), { decision: 'APPROVED', decidedBy: 'U0FIRST', decidedAt: '2026-11-28T09:30:00.000Z', via: 'slack' });
    expect(visible(m)).toContain('approved by <@U0FIRST>');
  });

  it('stays within limits with a 10,000-character comment', () => {
    const m = approvalDecidedMessage(decided(hostile('x'.repeat(3000)), 'REJECTED', { comment: '<'.repeat(10_000) }));
    expectWithinLimits(m);
  });
});

describe('a click that changes nothing', () => {
  it.each([
    ['NOT_AN_APPROVER', 'You are not one of the approvers of *Payments*'],
    ['SELF_APPROVAL', 'You requested *Payments* yourself'],
    ['NOT_AWAITING_APPROVAL', '*Payments* does not wait for approval (it is PENDING_APPROVAL)'],
  ] as const)('%s is told only to the clicker, leaving the message as it is', (code, expected) => {
    const m = approvalRefusedMessage(code, pending(), pending().id);
    expect(m).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(m.text).toContain(expected);
    expect(m.text).toContain('nothing');
  });

  it('names the approvers to ask when the clicker is not one', () => {
    expect(approvalRefusedMessage('NOT_AN_APPROVER', pending(), pending().id).text).toContain('Ask <@U0APPROVER1>');
  });

  it('says so for an environment that is gone', () => {
    expect(approvalRefusedMessage('NOT_FOUND', undefined, 'payments-1a2b3c4d').text).toContain('no environment `payments-1a2b3c4d`');
  });
});

describe('/env create and /env status of a protected environment', () => {
  it('answers that it waits for approval and names the approvers', () => {
    const m = progressMessage(pending());
    expect(m.text).toContain('*Payments* in Workloads/Production/Payments waits for approval by <@U0APPROVER1>, `local:ana`, `arn:aws:iam::123456789012:role/Approvers`');
    expect(m.text).toContain(EXPIRES_SLACK);
    expect(m.replace_original).toBe(true);
  });

  it('shows PENDING_APPROVAL with the approvers', () => {
    const shown = visible(statusMessage(pending()));
    expect(shown).toContain('is PENDING_APPROVAL');
    expect(shown).toContain('waits for approval by <@U0APPROVER1>');
  });

  it('shows REJECTED with who rejected and the comment', () => {
    const shown = visible(statusMessage(decided(pending(), 'REJECTED', { reason: 'REJECTED', comment: 'not now' })));
    expect(shown).toContain('is REJECTED');
    expect(shown).toContain('was rejected by <@U0APPROVER1>; no account was created');
    expect(shown).toContain('>not now');
  });

  it('shows an expired request as such', () => {
    const shown = visible(statusMessage(decided(pending(), 'REJECTED', { reason: 'APPROVAL_EXPIRED', via: 'timeout', decidedBy: undefined })));
    expect(shown).toContain('was not approved in time (APPROVAL_EXPIRED)');
  });
});

describe('asking to close an environment in a protected OU', () => {
  const closeApproval = { ...approval, action: 'close' as const, closeReason: 'api' as const, requester: 'U0CLOSER01', requestedAt: '2026-11-30T10:00:00.000Z' };
  function closeAsked(): Environment {
    const ready = advance({ ...pending(), accountId: '210987654321' }, 'READY', now, 'ready');
    return { ...ready, approval: closeApproval };
  }

  it('every channel says it is about closing an existing account, and names it and who asked', () => {
    const env = closeAsked();
    const slack = approvalRequestMessage(env);
    expect(visible(slack)).toContain('Approval needed to close: Payments');
    expect(visible(slack)).toContain('210987654321');
    expect(visible(slack)).toContain('<@U0CLOSER01>');
    expect(visible(slack)).toContain('the account stays open');
    expect(visible(slack)).not.toContain('No account exists');
    const email = renderNotification({ kind: 'approval', environment: env });
    expect(email.subject).toBe('[Switchyard] Approval needed: close Payments in Workloads/Production/Payments');
    expect(email.text).toContain('Closing the AWS account of the environment "Payments" waits for approval');
    expect(email.text).toMatch(/Closing asked by: +U0CLOSER01/);
    const event = notificationEvent({ kind: 'approval', environment: env });
    expect(event).toMatchObject({ type: 'environment.approval_requested', data: { action: 'close', accountId: '210987654321', closeReason: 'api', requester: 'U0CLOSER01' } });
  });

  it('is a question of its own: another webhook id and outbox file than the request had', () => {
    const request = pending();
    const closing = closeAsked();
    expect(webhookMessageId({ kind: 'approval', environment: request })).toBe(`${request.id}.approval`);
    expect(webhookMessageId({ kind: 'approval', environment: closing })).toBe(`${closing.id}.close-approval-${Date.parse('2026-11-30T10:00:00.000Z')}`);
    const outbox = new OutboxNotifier(mkdtempSync(join(tmpdir(), 'outbox-')), { channel: 'email' });
    expect(outbox.fileFor({ kind: 'approval', environment: closing })).not.toBe(outbox.fileFor({ kind: 'approval', environment: request }));
  });

  it('a decision on it says the account closes, or stays open', () => {
    const env = closeAsked();
    const yes = { ...env, approval: { ...env.approval!, decision: 'APPROVED' as const, decidedBy: 'U0APPROVER1', decidedAt: '2026-11-30T11:00:00.000Z', via: 'slack' } };
    expect(visible(approvalDecidedMessage(yes))).toContain('Closing *Payments* was approved by <@U0APPROVER1>');
    const no = { ...env, approval: { ...env.approval!, decision: 'REJECTED' as const, decidedBy: 'U0APPROVER1', decidedAt: '2026-11-30T11:00:00.000Z', via: 'slack', reason: 'REJECTED' } };
    expect(visible(approvalDecidedMessage(no))).toContain('The account stays open.');
    const late = { ...env, approval: { ...env.approval!, decision: 'REJECTED' as const, decidedAt: '2026-12-01T09:00:00.000Z', via: 'timeout', reason: 'APPROVAL_EXPIRED' } };
    expect(visible(approvalDecidedMessage(late))).toContain('Nobody decided on closing *Payments*');
    // /env status while it waits.
    expect(visible(statusMessage(env))).toContain('Closing waits for an approver');
  });
});
