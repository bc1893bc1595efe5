import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateAccountAliasCommand, IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { StsAccountSetup } from '../../shared/adapters/aws/account-setup';
import { verifySigV4, type SignedRequest } from '../fixtures/sigv4-verifier';

const meta = { $metadata: { httpStatusCode: 403 } };
const ROLE = 'OrganizationAccountAccessRole';
const ACCOUNT = '123456789012';
/** What AssumeRole hands out for the new account's role. */
const ASSUMED = { AccessKeyId: 'ASIAASSUMEDROLE', SecretAccessKey: 'assumed/role/secret', SessionToken: 'assumed-session-token', Expiration: new Date(Date.now() + 900_000) };

describe('StsAccountSetup', () => {
  const sts = mockClient(STSClient);
  const iam = mockClient(IAMClient);
  afterEach(() => {
    sts.reset();
    iam.reset();
  });

  it('says the new role is not ready yet while STS denies it, keeping what STS threw as the cause', async () => {
    const denied = new STSServiceException({ ...meta, name: 'AccessDenied', $fault: 'client', message: 'User is not authorized to perform: sts:AssumeRole' });
    sts.on(AssumeRoleCommand).rejects(denied);
    const error = await new StsAccountSetup(new STSClient({ region: 'us-east-1' })).setAlias(ACCOUNT, ROLE, 'staging').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RoleNotReadyError' });
    expect((error as Error).message).toContain('not authorized to perform: sts:AssumeRole');
    expect((error as Error).cause).toBe(denied);
  });

  it('says the same for the colour while STS denies the role, so the step waits as for the alias', async () => {
    sts.on(AssumeRoleCommand).rejects(new STSServiceException({ ...meta, name: 'AccessDenied', $fault: 'client', message: 'not yet' }));
    await expect(new StsAccountSetup(new STSClient({ region: 'us-east-1' })).setAccountColor(ACCOUNT, ROLE, 'red')).rejects.toMatchObject({ name: 'RoleNotReadyError' });
  });

  it("assumes the role with a session policy that allows exactly ConfigureAccount's alias and colour actions", async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: ASSUMED });
    iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: [] });
    iam.on(CreateAccountAliasCommand).resolves({});
    await new StsAccountSetup(new STSClient({ region: 'us-east-1' })).setAlias(ACCOUNT, ROLE, 'staging');
    const input = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, DurationSeconds: 900 });
    const policy = JSON.parse(input.Policy!) as { Statement: Array<{ Effect: string; Action: string[]; Resource: string }> };
    expect(policy.Statement.every((s) => s.Effect === 'Allow' && s.Resource === '*')).toBe(true);
    expect(policy.Statement.flatMap((s) => s.Action).sort()).toEqual(
      ['iam:CreateAccountAlias', 'iam:ListAccountAliases', 'uxc:DeleteAccountColor', 'uxc:PutAccountColor', 'uxc:UpdateAccountCustomizations'].sort(),
    );
  });

  describe('against a loopback UXC (AWS_ENDPOINT_URL_UXC)', () => {
    let server: Server;
    let received: SignedRequest[];
    let answer: { status: number; body: string; type?: string };
    const saved = process.env.AWS_ENDPOINT_URL_UXC;

    beforeEach(async () => {
      received = [];
      answer = { status: 200, body: '{"accountColor":"lightBlue"}' };
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(answer.status, answer.type ? { 'x-amzn-errortype': answer.type } : {});
          res.end(answer.body);
        });
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      process.env.AWS_ENDPOINT_URL_UXC = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_UXC;
      else process.env.AWS_ENDPOINT_URL_UXC = saved;
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    });

    it('sets the colour signed with the credentials of the assumed role, one session for the alias and the colour', async () => {
      sts.on(AssumeRoleCommand).resolves({ Credentials: ASSUMED });
      iam.on(ListAccountAliasesCommand).resolves({ AccountAliases: ['staging'] });
      const setup = new StsAccountSetup(new STSClient({ region: 'us-east-1' }));
      expect(await setup.setAlias(ACCOUNT, ROLE, 'staging')).toBe('already');
      await setup.setAccountColor(ACCOUNT, ROLE, 'lightBlue');
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0]!.body.toString())).toEqual({ accountColor: 'lightBlue' });
      expect(received[0]!.headers['x-amz-security-token']).toBe(ASSUMED.SessionToken);
      expect(verifySigV4(received[0]!, [{ accessKeyId: ASSUMED.AccessKeyId, secretAccessKey: ASSUMED.SecretAccessKey, sessionToken: ASSUMED.SessionToken }], { region: 'us-east-1', service: 'uxc' })).toMatchObject({ ok: true, accessKeyId: ASSUMED.AccessKeyId });
    });

    it('assumes the role again once the session it kept is near its end', async () => {
      sts.on(AssumeRoleCommand).resolves({ Credentials: ASSUMED });
      let now = Date.now();
      const setup = new StsAccountSetup(new STSClient({ region: 'us-east-1' }), 'aws', {}, () => now);
      await setup.setAccountColor(ACCOUNT, ROLE, 'lightBlue');
      now += 11 * 60_000;
      await setup.setAccountColor(ACCOUNT, ROLE, 'lightBlue');
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    });

    it('throws what UXC refused as AwsRequestRejectedError, with its message and a fix', async () => {
      sts.on(AssumeRoleCommand).resolves({ Credentials: ASSUMED });
      answer = { status: 403, type: 'AccessDeniedException', body: '{"message":"explicit deny in a service control policy"}' };
      const error = await new StsAccountSetup(new STSClient({ region: 'us-east-1' })).setAccountColor(ACCOUNT, ROLE, 'green').catch((e: unknown) => e as Error);
      expect(error).toMatchObject({ name: 'AwsRequestRejectedError', awsError: 'AccessDeniedException' });
      expect((error as Error).message).toMatch(/^UXC AccessDeniedException — explicit deny in a service control policy\. Fix: /);
    });
  });
});
