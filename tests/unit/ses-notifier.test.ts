import {
  AccountSuspendedException,
  BadRequestException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SesNotifier, createSesClient } from '../../shared/adapters/aws/ses-notifier';
import { advance, newEnvironment } from '../../shared/domain/environment';
import { AwsRequestRejectedError, RetryableAwsError } from '../../shared/domain/errors';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { buildSwitchRoleDetails } from '../../shared/domain/switch-role';

const meta = { $metadata: {} };
const ses = mockClient(SESv2Client);
const notifier = new SesNotifier(new SESv2Client({ region: 'eu-west-1' }), { from: 'switchyard@example.com', to: 'cloud-admins@example.com' });
const now = new Date('2026-11-28T09:00:00Z');
const env = {
  ...newEnvironment(parseEnvironmentRequest({ name: 'Staging', ou: 'Workloads/Staging' }, { emailTemplate: 'admin+{slug}@example.com' }), { now, source: 'test' }),
  accountId: '123456789012',
  ouPath: 'Workloads/Staging',
};
const switchRole = buildSwitchRoleDetails({ accountId: '123456789012', displayName: 'Staging', color: env.color, profileName: 'staging', sourceProfile: 'management' });

beforeEach(() => ses.reset());

it('builds a client with adaptive, bounded retries', async () => {
  const client = createSesClient({ region: 'eu-west-1' });
  expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
  expect(await client.config.maxAttempts()).toBe(5);
});

it('emails the ready message as text and HTML from the sender to the admin', async () => {
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  await notifier.send({ kind: 'ready', environment: env, switchRole });
  const link = 'https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95';
  expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
    FromEmailAddress: 'switchyard@example.com',
    Destination: { ToAddresses: ['cloud-admins@example.com'] },
    Content: {
      Simple: {
        Subject: { Data: '[Switchyard] Staging is ready: account 123456789012', Charset: 'UTF-8' },
        Body: {
          Text: {
            Data: expect.stringContaining(`${link}\n\n2. AWS CLI: add this profile to ~/.aws/config`),
            Charset: 'UTF-8',
          },
          Html: { Data: expect.stringMatching(/^<!doctype html>\n[\s\S]*<a href="https:\/\/signin\.aws\.amazon\.com\/switchrole\?account=123456789012&amp;roleName=/), Charset: 'UTF-8' },
        },
      },
    },
  });
  const text = ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Content!.Simple!.Body!.Text!.Data!;
  expect(text).toContain('[profile staging]\nrole_arn = arn:aws:iam::123456789012:role/OrganizationAccountAccessRole\nsource_profile = management\n');
});

it('emails the failure message', async () => {
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
  const failed = advance(env, 'FAILED', now, undefined, { failure: { code: 'EMAIL_ALREADY_EXISTS', message: 'taken', fix: 'use another address' } });
  await notifier.send({ kind: 'failed', environment: failed });
  const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
  expect(input.Content?.Simple?.Subject?.Data).toBe('[Switchyard] Staging could not be provisioned (EMAIL_ALREADY_EXISTS)');
  expect(input.Content?.Simple?.Body?.Text?.Data).toContain('use another address');
});

it.each([
  new TooManyRequestsException({ ...meta, message: 'Maximum sending rate exceeded.' }),
  new LimitExceededException({ ...meta, message: 'limit' }),
].map((e) => [e.name, e]))('%s is retryable', async (name, error) => {
  ses.on(SendEmailCommand).rejects(error);
  const thrown = await notifier.send({ kind: 'ready', environment: env, switchRole }).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(RetryableAwsError);
  expect((thrown as RetryableAwsError).awsError).toBe(name);
});

it.each([
  new MessageRejected({ ...meta, message: 'rejected' }),
  new MailFromDomainNotVerifiedException({ ...meta, message: 'not verified' }),
  new NotFoundException({ ...meta, message: 'no such configuration set' }),
  new AccountSuspendedException({ ...meta, message: 'suspended' }),
  new SendingPausedException({ ...meta, message: 'paused' }),
  new BadRequestException({ ...meta, message: 'bad' }),
].map((e) => [e.name, e]))('%s is rejected', async (name, error) => {
  ses.on(SendEmailCommand).rejects(error);
  const thrown = await notifier.send({ kind: 'ready', environment: env, switchRole }).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(AwsRequestRejectedError);
  expect((thrown as AwsRequestRejectedError).awsError).toBe(name);
  expect((thrown as Error).message).toContain('SendEmail');
});

it('masks the addresses SES quotes in its error messages', async () => {
  ses.on(SendEmailCommand).rejects(
    new MessageRejected({ ...meta, message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: cloud-admins@example.com' }),
  );
  const thrown = (await notifier.send({ kind: 'ready', environment: env, switchRole }).catch((e: unknown) => e)) as Error;
  expect(thrown.message).not.toContain('cloud-admins@example.com');
  expect(thrown.message).toContain('cl***@ex***.com');
});
