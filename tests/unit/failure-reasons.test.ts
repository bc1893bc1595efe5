import { CreateAccountFailureReason } from '@aws-sdk/client-organizations';
import { describeFailure, explainFailureReason } from '../../shared/domain/failure-reasons';

/** The FailureReason values of DescribeCreateAccountStatus in the Organizations API model (aws-facts.md). */
const FAILURE_REASONS = [
  'ACCOUNT_LIMIT_EXCEEDED',
  'EMAIL_ALREADY_EXISTS',
  'INVALID_ADDRESS',
  'INVALID_EMAIL',
  'CONCURRENT_ACCOUNT_MODIFICATION',
  'INTERNAL_FAILURE',
  'GOVCLOUD_ACCOUNT_ALREADY_EXISTS',
  'MISSING_BUSINESS_VALIDATION',
  'FAILED_BUSINESS_VALIDATION',
  'PENDING_BUSINESS_VALIDATION',
  'INVALID_IDENTITY_FOR_BUSINESS_VALIDATION',
  'UNKNOWN_BUSINESS_VALIDATION',
  'MISSING_PAYMENT_INSTRUMENT',
  'INVALID_PAYMENT_INSTRUMENT',
  'UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED',
] as const;

const generic = explainFailureReason('SOME_FUTURE_REASON');

describe('FailureReason explanations', () => {
  it('lists exactly the reasons of the API model the SDK was generated from', () => {
    expect([...FAILURE_REASONS].sort()).toEqual(Object.values(CreateAccountFailureReason).sort());
  });

  it.each(FAILURE_REASONS)('%s has its own message and a fix', (reason) => {
    const { message, fix } = explainFailureReason(reason);
    expect(typeof message).toBe('string');
    expect(typeof fix).toBe('string');
    expect(message.trim().length).toBeGreaterThan(10);
    expect(fix.trim().length).toBeGreaterThan(10);
    expect(message).not.toBe(generic.message);
    expect(message).not.toContain('\n');
    expect(fix).not.toContain('\n');
  });

  it('explains each reason differently', () => {
    const messages = new Set(FAILURE_REASONS.map((r) => explainFailureReason(r).message));
    expect(messages.size).toBe(FAILURE_REASONS.length);
  });

  it('tells the requester to use a plus-address when the email is taken', () => {
    expect(explainFailureReason('EMAIL_ALREADY_EXISTS').fix).toMatch(/\+/);
  });

  it.each(['SOME_FUTURE_REASON', 'ACCOUNT_LIMIT_EXCEEDED_V2', 'constructor', 'toString', '__proto__'])(
    'gives the unknown reason %j a generic explanation that names it',
    (reason) => {
      const { message, fix } = explainFailureReason(reason);
      expect(message).toContain(reason);
      expect(typeof fix).toBe('string');
      expect(fix.length).toBeGreaterThan(10);
    },
  );

  it('turns a FAILED create status into the failure shown to the requester', () => {
    expect(describeFailure({ reason: 'EMAIL_ALREADY_EXISTS', state: 'CheckAccountStatus' })).toEqual({
      code: 'EMAIL_ALREADY_EXISTS',
      message: 'Another AWS account already uses this email address; every AWS account needs a unique one.',
      fix: 'Use a plus-address such as admin+<environment>@your-domain.com (it still reaches the same inbox) and request again.',
      state: 'CheckAccountStatus',
    });
  });

  it('keeps an unknown reason as the failure code', () => {
    const failure = describeFailure({ reason: 'SOME_FUTURE_REASON' });
    expect(failure.code).toBe('SOME_FUTURE_REASON');
    expect(failure.message).toContain('SOME_FUTURE_REASON');
    expect(failure).not.toHaveProperty('state');
  });
});

describe('errors caught by the state machine', () => {
  /** What an error Switchyard does not recognise gets. */
  const unknownError = {
    message: 'The account could not be provisioned for a reason Switchyard does not recognise.',
    fix: 'Look at the message and the workflow execution history; retry once the cause is fixed.',
  };
  const TIMED_OUT = {
    message: 'AWS did not finish creating the account within the workflow’s waiting cap.',
    fix: 'Check the create request in the Organizations console; if it later succeeds, retry this request to adopt the account, or raise ACCOUNT_CREATION_CAP_SECONDS.',
  };
  const LAMBDA = {
    message: 'The Lambda service kept failing to run a workflow step.',
    fix: 'Retry the request; if it recurs, check the Lambda service health and the step’s logs.',
  };

  it('explains a timed-out creation and appends the message from a Lambda-style cause', () => {
    const cause = JSON.stringify({
      errorType: 'AccountCreationTimedOutError',
      errorMessage: 'Create request car-abc123def456 was still IN_PROGRESS after 1800 seconds.',
      trace: ['AccountCreationTimedOutError: Create request …', '    at checkAccountStatus (/var/task/index.js:1:1)'],
    });
    const failure = describeFailure({ error: 'AccountCreationTimedOutError', cause, state: 'CheckAccountStatus' });
    expect(failure.code).toBe('AccountCreationTimedOutError');
    expect(failure.state).toBe('CheckAccountStatus');
    expect(failure.message).toBe(`${TIMED_OUT.message} Create request car-abc123def456 was still IN_PROGRESS after 1800 seconds.`);
    expect(failure.message).not.toContain('errorType');
    expect(failure.message).not.toContain('/var/task');
    expect(failure.message).not.toBe(unknownError.message);
    expect(failure.fix.length).toBeGreaterThan(10);
    expect(failure.fix).not.toBe(unknownError.fix);
  });

  it('appends a plain-text cause as it is', () => {
    const failure = describeFailure({ error: 'AccountCreationTimedOutError', cause: 'still IN_PROGRESS after 1800 seconds' });
    expect(failure.code).toBe('AccountCreationTimedOutError');
    expect(failure.message).toContain('still IN_PROGRESS after 1800 seconds');
    expect(failure.fix).toBe(TIMED_OUT.fix);
  });

  it('uses the cause as it is when it is JSON without an errorMessage', () => {
    expect(describeFailure({ error: 'OuNotFoundError', cause: '{"detail":"no OU Workloads/Staging"}' }).message).toContain(
      'no OU Workloads/Staging',
    );
  });

  it('explains without a cause', () => {
    expect(describeFailure({ error: 'AccountCreationTimedOutError' })).toEqual({ code: 'AccountCreationTimedOutError', ...TIMED_OUT });
  });

  it('ignores a cause that is not text', () => {
    const failure = describeFailure({ error: 'AccountCreationTimedOutError', cause: { errorMessage: 'x' } });
    expect(failure.message).toBe(TIMED_OUT.message);
  });

  it('keeps a very long cause from swamping the message', () => {
    const failure = describeFailure({ error: 'AccountCreationTimedOutError', cause: 'x'.repeat(20_000) });
    expect(failure.message.length).toBeLessThan(1_000);
  });

  it('explains a Lambda service error as a platform problem', () => {
    const cause = JSON.stringify({ errorType: 'ServiceException', errorMessage: 'Lambda was unable to run the function.' });
    const failure = describeFailure({ error: 'Lambda.ServiceException', cause, state: 'PlaceAccount' });
    expect(failure.code).toBe('Lambda.ServiceException');
    expect(failure.state).toBe('PlaceAccount');
    expect(failure.message).toBe(`${LAMBDA.message} Lambda was unable to run the function.`);
    expect(failure.fix).toBe(LAMBDA.fix);
    expect(describeFailure({ error: 'Lambda.SdkClientException' })).toEqual({ code: 'Lambda.SdkClientException', ...LAMBDA });
  });

  it.each(['OuNotFoundError', 'AccountQuotaExceededError', 'AwsRequestRejectedError', 'RetryableAwsError', 'States.Timeout'])(
    'has a specific explanation for %s',
    (error) => {
      const failure = describeFailure({ error });
      expect(failure.code).toBe(error);
      expect(failure.message).not.toBe(unknownError.message);
      expect(failure.fix.length).toBeGreaterThan(10);
    },
  );

  it.each(['SomethingUnexpectedError', 'constructor', 'toString'])('keeps the unknown error %j as the code with a generic explanation', (error) => {
    expect(describeFailure({ error, cause: 'boom' })).toEqual({ code: error, message: `${unknownError.message} boom`, fix: unknownError.fix });
  });

  it('still says something when neither a reason nor an error is known', () => {
    const failure = describeFailure({});
    expect(failure.code).toBe('UnknownError');
    expect(failure.message.length).toBeGreaterThan(10);
    expect(failure.fix.length).toBeGreaterThan(10);
  });
});
