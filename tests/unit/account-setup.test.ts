import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { StsAccountSetup } from '../../shared/adapters/aws/account-setup';

const meta = { $metadata: { httpStatusCode: 403 } };

describe('StsAccountSetup', () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());

  it('says the new role is not ready yet while STS denies it, keeping what STS threw as the cause', async () => {
    const denied = new STSServiceException({ ...meta, name: 'AccessDenied', $fault: 'client', message: 'User is not authorized to perform: sts:AssumeRole' });
    sts.on(AssumeRoleCommand).rejects(denied);
    const error = await new StsAccountSetup(new STSClient({ region: 'us-east-1' })).setAlias('123456789012', 'OrganizationAccountAccessRole', 'staging').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RoleNotReadyError' });
    expect((error as Error).message).toContain('not authorized to perform: sts:AssumeRole');
    expect((error as Error).cause).toBe(denied);
  });
});
