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
  it('covers all 15 reasons of the API model', () => {
    expect(FAILURE_REASONS).toHaveLength(15);
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
      message: explainFailureReason('EMAIL_ALREADY_EXISTS').message,
      fix: explainFailureReason('EMAIL_ALREADY_EXISTS').fix,
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
  const unknownError = describeFailure({ error: 'SomethingUnexpectedError' });

  it('explains a timed-out creation and appends the message from a Lambda-style cause', () => {
    const cause = JSON.stringify({
      errorType: 'AccountCreationTimedOutError',
      errorMessage: 'Create request car-abc123def456 was still IN_PROGRESS after 1800 seconds.',
      trace: ['AccountCreationTimedOutError: Create request …', '    at checkAccountStatus (/var/task/index.js:1:1)'],
    });
    const failure = describeFailure({ error: 'AccountCreationTimedOutError', cause, state: 'CheckAccountStatus' });
    expect(failure.code).toBe('AccountCreationTimedOutError');
    expect(failure.state).toBe('CheckAccountStatus');
    expect(failure.message).toContain('Create request car-abc123def456 was still IN_PROGRESS after 1800 seconds.');
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
    expect(failure.fix).toBe(describeFailure({ error: 'AccountCreationTimedOutError' }).fix);
  });

  it('uses the cause as it is when it is JSON without an errorMessage', () => {
    expect(describeFailure({ error: 'OuNotFoundError', cause: '{"detail":"no OU Workloads/Staging"}' }).message).toContain(
      'no OU Workloads/Staging',
    );
  });

  it('explains without a cause', () => {
    const failure = describeFailure({ error: 'AccountCreationTimedOutError' });
    expect(failure.message.length).toBeGreaterThan(10);
    expect(failure.message).not.toMatch(/undefined|null|\[object/);
  });

  it('ignores a cause that is not text', () => {
    const failure = describeFailure({ error: 'AccountCreationTimedOutError', cause: { errorMessage: 'x' } });
    expect(failure.message).toBe(describeFailure({ error: 'AccountCreationTimedOutError' }).message);
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
    expect(failure.message).toContain('Lambda');
    expect(failure.message).toContain('Lambda was unable to run the function.');
    expect(failure.message).not.toBe(unknownError.message);
    expect(failure.fix).not.toBe(unknownError.fix);
    expect(describeFailure({ error: 'Lambda.SdkClientException' }).fix).toBe(failure.fix);
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
    const failure = describeFailure({ error, cause: 'boom' });
    expect(failure.code).toBe(error);
    expect(typeof failure.message).toBe('string');
    expect(failure.message).toContain('boom');
    expect(typeof failure.fix).toBe('string');
    expect(failure.fix.length).toBeGreaterThan(10);
  });

  it('still says something when neither a reason nor an error is known', () => {
    const failure = describeFailure({});
    expect(failure.code).toBe('UnknownError');
    expect(failure.message.length).toBeGreaterThan(10);
    expect(failure.fix.length).toBeGreaterThan(10);
  });
});
