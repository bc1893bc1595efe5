import {
  AccessDeniedException,
  AccountNotFoundException,
  AWSOrganizationsNotInUseException,
  ConcurrentModificationException,
  ConstraintViolationException,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DescribeCreateAccountStatusCommand,
  DescribeOrganizationalUnitCommand,
  DestinationParentNotFoundException,
  DuplicateAccountException,
  DuplicateOrganizationalUnitException,
  FinalizingOrganizationException,
  InvalidInputException,
  ListAccountsForParentCommand,
  DescribeAccountCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  OrganizationalUnitNotFoundException,
  OrganizationsClient,
  ParentNotFoundException,
  ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsOrganization, createOrganizationsClient, mapOrganizationsError } from '../../shared/adapters/aws/organizations';
import { AccountQuotaExceededError, AwsRequestRejectedError, OuNotFoundError, RetryableAwsError } from '../../shared/domain/errors';

const meta = { $metadata: {} };
const mock = mockClient(OrganizationsClient);
const org = new AwsOrganization(new OrganizationsClient({ region: 'us-east-1' }));

beforeEach(() => mock.reset());

const account = (n: number) => ({
  Id: String(100000000000 + n),
  Name: `acct-${n}`,
  Email: `admin+${n}@example.com`,
  State: 'ACTIVE' as const,
  JoinedTimestamp: new Date(Date.UTC(2026, 0, n)),
});

describe('createOrganizationsClient', () => {
  it('talks to us-east-1 with adaptive retries unless told otherwise', async () => {
    const client = createOrganizationsClient();
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await client.config.maxAttempts()).toBe(5);
    expect(await createOrganizationsClient({ region: 'us-gov-west-1' }).config.region()).toBe('us-gov-west-1');
  });
});

describe('createAccount', () => {
  it('sends the email, name, role, billing access and tags, and returns the request id', async () => {
    mock.on(CreateAccountCommand).resolves({
      CreateAccountStatus: { Id: 'car-abc12345', State: 'IN_PROGRESS', AccountName: 'Staging', RequestedTimestamp: new Date('2026-11-28T09:00:00Z') },
    });
    const status = await org.createAccount({ name: 'Staging', email: 'admin+staging@example.com', roleName: 'OrganizationAccountAccessRole', tags: { team: 'core', 'switchyard:id': 'x' } });
    expect(status).toEqual({ id: 'car-abc12345', state: 'IN_PROGRESS', accountName: 'Staging', requestedAt: '2026-11-28T09:00:00.000Z' });
    expect(mock).toHaveReceivedCommandWith(CreateAccountCommand, {
      Email: 'admin+staging@example.com',
      AccountName: 'Staging',
      RoleName: 'OrganizationAccountAccessRole',
      IamUserAccessToBilling: 'ALLOW',
      Tags: [
        { Key: 'team', Value: 'core' },
        { Key: 'switchyard:id', Value: 'x' },
      ],
    });
  });

  it.each([
    ['ACCOUNT_NUMBER_LIMIT_EXCEEDED', /maximum number of accounts/],
    ['ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED', /daily account-creation rate limit/],
  ] as const)('turns ConstraintViolationException %s into AccountQuotaExceededError', async (Reason, message) => {
    const refusal = new ConstraintViolationException({ ...meta, message: 'limit', Reason });
    mock.on(CreateAccountCommand).rejects(refusal);
    const error = await org.createAccount({ name: 'a', email: 'a@example.com', roleName: 'R', tags: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountQuotaExceededError);
    expect((error as Error).message).toMatch(message);
    // What AWS threw stays attached for the logs.
    expect((error as Error).cause).toBe(refusal);
  });

  it('rejects other constraint violations, naming the reason', async () => {
    mock.on(CreateAccountCommand).rejects(new ConstraintViolationException({ ...meta, message: 'no', Reason: 'TAG_POLICY_VIOLATION' }));
    const error = await org.createAccount({ name: 'a', email: 'a@example.com', roleName: 'R', tags: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsRequestRejectedError);
    expect((error as AwsRequestRejectedError).awsError).toBe('ConstraintViolationException');
    expect(error).toMatchObject({ operation: 'CreateAccount', service: 'Organizations', awsCode: 'ConstraintViolationException' });
    expect((error as Error).message).toMatch(/^Organizations ConstraintViolationException — no \(reason TAG_POLICY_VIOLATION\)\. Fix: /);
  });

  it('leaves Tags out when there are none', async () => {
    mock.on(CreateAccountCommand).resolves({ CreateAccountStatus: { Id: 'car-abc12345', State: 'IN_PROGRESS' } });
    await org.createAccount({ name: 'a', email: 'a@example.com', roleName: 'R', tags: {} });
    expect(mock.commandCalls(CreateAccountCommand)[0]!.args[0].input).not.toHaveProperty('Tags');
  });
});

describe('error mapping', () => {
  const retryable = [
    new TooManyRequestsException({ ...meta, message: 'slow down' }),
    new ConcurrentModificationException({ ...meta, message: 'busy' }),
    new ServiceException({ ...meta, message: 'oops' }),
    new FinalizingOrganizationException({ ...meta, message: 'wait' }),
  ];
  it.each(retryable.map((e) => [e.name, e]))('%s is retryable', async (name, error) => {
    mock.on(DescribeCreateAccountStatusCommand).rejects(error);
    const thrown = await org.describeCreateAccountStatus('car-abc12345').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(RetryableAwsError);
    expect((thrown as RetryableAwsError).awsError).toBe(name);
    expect((thrown as Error).message).toBe(`Organizations ${name} — ${error.message}. Fix: nothing to change: Organizations was still busy or changing after Switchyard's retries, so retry the request later`);
  });

  const rejected = [
    new AccessDeniedException({ ...meta, message: 'denied' }),
    new AWSOrganizationsNotInUseException({ ...meta, message: 'no org' }),
    new InvalidInputException({ ...meta, message: 'bad', Reason: 'INVALID_PARTY_TYPE_TARGET' }),
    new AccountNotFoundException({ ...meta, message: 'gone' }),
  ];
  it.each(rejected.map((e) => [e.name, e]))('%s is rejected, naming the operation, and AWS’s code and message with a fix', async (name, error) => {
    mock.on(DescribeCreateAccountStatusCommand).rejects(error);
    const thrown = await org.describeCreateAccountStatus('car-abc12345').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(AwsRequestRejectedError);
    expect(thrown).toMatchObject({ awsError: name, awsCode: name, awsMessage: error.message, operation: 'DescribeCreateAccountStatus', cause: error });
    expect((thrown as Error).message).toMatch(new RegExp(`^Organizations ${name} — ${error.message}\\. Fix: \\S`));
  });

  it('says which permission is missing when access is denied', () => {
    const mapped = mapOrganizationsError('MoveAccount', new AccessDeniedException({ ...meta, message: 'You don’t have permissions to access this resource.' }));
    expect(mapped.message).toBe(
      'Organizations AccessDeniedException — You don’t have permissions to access this resource. Fix: allow organizations:MoveAccount to the role Switchyard runs as (in the management account), then retry',
    );
  });

  it('masks addresses AWS quotes back in its messages', () => {
    const mapped = mapOrganizationsError('CreateAccount', new InvalidInputException({ ...meta, message: 'Invalid email admin+staging@example.com' }));
    expect(mapped.message).not.toContain('admin+staging@example.com');
    expect(mapped.message).toContain('ad***@ex***.com');
  });

  it('passes errors that did not come from AWS through unchanged', () => {
    const bug = new TypeError('x is undefined');
    expect(mapOrganizationsError('ListAccounts', bug)).toBe(bug);
  });

  it('treats a dropped connection as retryable', () => {
    expect(mapOrganizationsError('ListAccounts', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBeInstanceOf(RetryableAwsError);
  });
});

describe('describeCreateAccountStatus', () => {
  it('returns the state, account id, failure reason and ISO dates', async () => {
    mock.on(DescribeCreateAccountStatusCommand, { CreateAccountRequestId: 'car-abc12345' }).resolves({
      CreateAccountStatus: {
        Id: 'car-abc12345',
        State: 'FAILED',
        AccountName: 'Staging',
        FailureReason: 'EMAIL_ALREADY_EXISTS',
        RequestedTimestamp: new Date('2026-11-28T09:00:00Z'),
        CompletedTimestamp: new Date('2026-11-28T09:01:30Z'),
      },
    });
    expect(await org.describeCreateAccountStatus('car-abc12345')).toEqual({
      id: 'car-abc12345',
      state: 'FAILED',
      accountName: 'Staging',
      failureReason: 'EMAIL_ALREADY_EXISTS',
      requestedAt: '2026-11-28T09:00:00.000Z',
      completedAt: '2026-11-28T09:01:30.000Z',
    });
  });
});

describe('paginated lists', () => {
  it('reads every page of ListAccountsForParent, empty pages included', async () => {
    const pages = [{ Accounts: [account(1), account(2)], NextToken: 't1' }, { Accounts: [], NextToken: 't2' }, { Accounts: [account(3)] }];
    // The paginator reuses one input object, so record each request as it is sent.
    const requests: unknown[] = [];
    mock.on(ListAccountsForParentCommand).callsFake((input) => {
      requests.push({ ...input });
      return pages[requests.length - 1];
    });
    const accounts = await org.listAccountsForParent('r-ab12');
    expect(accounts.map((a) => a.id)).toEqual(['100000000001', '100000000002', '100000000003']);
    expect(accounts[0]).toEqual({ id: '100000000001', name: 'acct-1', email: 'admin+1@example.com', status: 'ACTIVE', joinedAt: '2026-01-01T00:00:00.000Z' });
    expect(requests).toEqual([{ ParentId: 'r-ab12', MaxResults: 20 }, { ParentId: 'r-ab12', MaxResults: 20, NextToken: 't1' }, { ParentId: 'r-ab12', MaxResults: 20, NextToken: 't2' }]);
  });

  it('falls back to the older Status field when State is absent', async () => {
    mock.on(ListAccountsForParentCommand).resolves({ Accounts: [{ Id: '1', Name: 'n', Email: 'e@example.com', Status: 'SUSPENDED' }] });
    expect((await org.listAccountsForParent('r-ab12'))[0]!.status).toBe('SUSPENDED');
  });

  it('describes one account, and answers an account not in the organization with undefined', async () => {
    mock.on(DescribeAccountCommand, { AccountId: '100000000001' }).resolves({ Account: account(1) });
    mock.on(DescribeAccountCommand, { AccountId: '100000000009' }).rejects(new AccountNotFoundException({ ...meta, message: 'not found' }));
    expect(await org.describeAccount('100000000001')).toMatchObject({ id: '100000000001', email: 'admin+1@example.com', status: 'ACTIVE' });
    expect(await org.describeAccount('100000000009')).toBeUndefined();
  });

  it('maps throttling in the middle of a walk', async () => {
    mock
      .on(ListAccountsForParentCommand)
      .resolvesOnce({ Accounts: [account(1)], NextToken: 't1' })
      .rejectsOnce(new TooManyRequestsException({ ...meta, message: 'slow down' }));
    await expect(org.listAccountsForParent('r-ab12')).rejects.toBeInstanceOf(RetryableAwsError);
  });

  it('lists create-account requests in the given states across pages', async () => {
    mock
      .on(ListCreateAccountStatusCommand)
      .resolvesOnce({ CreateAccountStatuses: [{ Id: 'car-aaaaaaaa', State: 'IN_PROGRESS', AccountName: 'a' }], NextToken: 'n' })
      .resolvesOnce({ CreateAccountStatuses: [{ Id: 'car-bbbbbbbb', State: 'IN_PROGRESS', AccountName: 'b' }] });
    const statuses = await org.listCreateAccountStatus(['IN_PROGRESS']);
    expect(statuses.map((s) => s.id)).toEqual(['car-aaaaaaaa', 'car-bbbbbbbb']);
    expect(mock).toHaveReceivedCommandWith(ListCreateAccountStatusCommand, { States: ['IN_PROGRESS'] });
  });

  it('collects tags across pages into a record', async () => {
    mock
      .on(ListTagsForResourceCommand)
      .resolvesOnce({ Tags: [{ Key: 'a', Value: '1' }], NextToken: 'n' })
      .resolvesOnce({ Tags: [{ Key: 'b', Value: '2' }] });
    expect(await org.listTags('123456789012')).toEqual({ a: '1', b: '2' });
    expect(mock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { ResourceId: '123456789012' });
  });

  it('finds the root', async () => {
    mock.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-abcd', Name: 'Root' }] });
    expect(await org.getRootId()).toBe('r-abcd');
  });

  it('lists child OUs and parents', async () => {
    mock
      .on(ListOrganizationalUnitsForParentCommand)
      .resolvesOnce({ OrganizationalUnits: [{ Id: 'ou-abcd-11111111', Name: 'Workloads' }], NextToken: 'n' })
      .resolvesOnce({ OrganizationalUnits: [{ Id: 'ou-abcd-22222222', Name: 'Sandbox' }] });
    mock.on(ListParentsCommand).resolves({ Parents: [{ Id: 'r-abcd', Type: 'ROOT' }] });
    expect(await org.listChildOus('r-abcd')).toEqual([
      { id: 'ou-abcd-11111111', name: 'Workloads' },
      { id: 'ou-abcd-22222222', name: 'Sandbox' },
    ]);
    expect(await org.listParents('123456789012')).toEqual([{ id: 'r-abcd', type: 'ROOT' }]);
  });
});

describe('OUs', () => {
  it('creates an OU', async () => {
    mock.on(CreateOrganizationalUnitCommand).resolves({ OrganizationalUnit: { Id: 'ou-abcd-33333333', Name: 'Staging' } });
    expect(await org.createOu('ou-abcd-11111111', 'Staging')).toEqual({ id: 'ou-abcd-33333333', name: 'Staging' });
  });

  it('returns the existing OU when one of that name is already there', async () => {
    mock.on(CreateOrganizationalUnitCommand).rejects(new DuplicateOrganizationalUnitException({ ...meta, message: 'exists' }));
    mock.on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-abcd-11111111' }).resolves({
      OrganizationalUnits: [
        { Id: 'ou-abcd-44444444', Name: 'Production' },
        { Id: 'ou-abcd-33333333', Name: 'Staging' },
      ],
    });
    expect(await org.createOu('ou-abcd-11111111', 'Staging')).toEqual({ id: 'ou-abcd-33333333', name: 'Staging' });
  });

  it('describes an OU, and answers undefined for one that does not exist', async () => {
    mock.on(DescribeOrganizationalUnitCommand, { OrganizationalUnitId: 'ou-abcd-33333333' }).resolves({ OrganizationalUnit: { Id: 'ou-abcd-33333333', Name: 'Staging' } });
    mock.on(DescribeOrganizationalUnitCommand, { OrganizationalUnitId: 'ou-abcd-99999999' }).rejects(new OrganizationalUnitNotFoundException({ ...meta, message: 'none' }));
    mock.on(DescribeOrganizationalUnitCommand, { OrganizationalUnitId: 'ou-abcd-88888888' }).rejects(new ParentNotFoundException({ ...meta, message: 'none' }));
    expect(await org.describeOu('ou-abcd-33333333')).toEqual({ id: 'ou-abcd-33333333', name: 'Staging' });
    expect(await org.describeOu('ou-abcd-99999999')).toBeUndefined();
    expect(await org.describeOu('ou-abcd-88888888')).toBeUndefined();
  });
});

describe('moveAccount', () => {
  it('moves from the source parent to the destination', async () => {
    mock.on(MoveAccountCommand).resolves({});
    await org.moveAccount('123456789012', 'r-abcd', 'ou-abcd-33333333');
    expect(mock).toHaveReceivedCommandWith(MoveAccountCommand, { AccountId: '123456789012', SourceParentId: 'r-abcd', DestinationParentId: 'ou-abcd-33333333' });
  });

  it('counts an account already in the destination as moved', async () => {
    mock.on(MoveAccountCommand).rejects(new DuplicateAccountException({ ...meta, message: 'already there' }));
    await expect(org.moveAccount('123456789012', 'r-abcd', 'ou-abcd-33333333')).resolves.toBeUndefined();
  });

  it('reports a missing destination as OuNotFoundError', async () => {
    const refusal = new DestinationParentNotFoundException({ ...meta, message: 'no such parent' });
    mock.on(MoveAccountCommand).rejects(refusal);
    const error = await org.moveAccount('123456789012', 'r-abcd', 'ou-abcd-99999999').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OuNotFoundError);
    expect((error as Error).cause).toBe(refusal);
  });

  it('retries a concurrent modification', async () => {
    mock.on(MoveAccountCommand).rejects(new ConcurrentModificationException({ ...meta, message: 'busy' }));
    await expect(org.moveAccount('123456789012', 'r-abcd', 'ou-abcd-33333333')).rejects.toBeInstanceOf(RetryableAwsError);
  });
});
