import type { Failure } from './environment';

interface Explanation {
  message: string;
  fix: string;
}

/**
 * Every FailureReason in the Organizations API model, in words a requester can act on.
 * The API treats the set as open, so unknown reasons get a generic explanation rather than an error.
 */
export const FAILURE_REASONS: Record<string, Explanation> = {
  ACCOUNT_LIMIT_EXCEEDED: {
    message: 'The organization already has as many accounts as its quota allows.',
    fix: 'Close unused accounts or ask AWS Support (Service Quotas → AWS Organizations) to raise the account limit, then retry.',
  },
  EMAIL_ALREADY_EXISTS: {
    message: 'Another AWS account already uses this email address; every AWS account needs a unique one.',
    fix: 'Use a plus-address such as admin+<environment>@your-domain.com (it still reaches the same inbox) and request again.',
  },
  INVALID_ADDRESS: {
    message: 'AWS rejected the postal address of the management account.',
    fix: 'Correct the contact address in the management account (Billing → Account settings), then retry.',
  },
  INVALID_EMAIL: {
    message: 'AWS rejected the email address as not deliverable.',
    fix: 'Use an address on a domain that receives mail, then request again.',
  },
  CONCURRENT_ACCOUNT_MODIFICATION: {
    message: 'Another change to the organization was in progress and AWS gave up on this creation.',
    fix: 'Retry the request; nothing was created.',
  },
  INTERNAL_FAILURE: {
    message: 'AWS Organizations failed internally while creating the account.',
    fix: 'Retry in a few minutes; if it fails again, open an AWS Support case with the create request id.',
  },
  GOVCLOUD_ACCOUNT_ALREADY_EXISTS: {
    message: 'An AWS GovCloud (US) account already exists for this account.',
    fix: 'Request the environment without a GovCloud pairing, or use a different email.',
  },
  MISSING_BUSINESS_VALIDATION: {
    message: 'The management account has not completed AWS business validation.',
    fix: 'Finish business validation for the management account (AWS sends the steps by email), then retry.',
  },
  FAILED_BUSINESS_VALIDATION: {
    message: 'The management account failed AWS business validation.',
    fix: 'Contact AWS Support to resolve the business validation, then retry.',
  },
  PENDING_BUSINESS_VALIDATION: {
    message: 'AWS business validation of the management account is still pending.',
    fix: 'Wait until AWS confirms the validation (this can take up to 24 hours), then retry.',
  },
  INVALID_IDENTITY_FOR_BUSINESS_VALIDATION: {
    message: 'The identity details given for business validation are invalid.',
    fix: 'Correct the identity details in the management account and complete validation, then retry.',
  },
  UNKNOWN_BUSINESS_VALIDATION: {
    message: 'AWS reported an unknown business-validation problem.',
    fix: 'Open an AWS Support case about business validation of the management account, then retry.',
  },
  MISSING_PAYMENT_INSTRUMENT: {
    message: 'The management account has no valid payment method.',
    fix: 'Add a payment method in the management account (Billing → Payment preferences), then retry.',
  },
  INVALID_PAYMENT_INSTRUMENT: {
    message: 'The management account’s payment method was declined.',
    fix: 'Update the payment method in the management account, then retry.',
  },
  UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED: {
    message: 'The organization’s resource policy does not allow creating accounts with tags.',
    fix: 'Update the organization resource policy to allow tagging on CreateAccount, or request without tags.',
  },
};

/** Failures that are not Organizations FailureReasons but errors the workflow raises. */
const ERROR_EXPLANATIONS: Record<string, Explanation> = {
  AccountCreationTimedOutError: {
    message: 'AWS did not finish creating the account within the workflow’s waiting cap.',
    fix: 'Check the create request in the Organizations console; if it later succeeds, retry this request to adopt the account, or raise ACCOUNT_CREATION_CAP_SECONDS.',
  },
  OuNotFoundError: {
    message: 'The organizational unit in the request does not exist.',
    fix: 'Create the OU (or set CREATE_MISSING_OUS=true), or request with an existing OU path or ou- id.',
  },
  AccountQuotaExceededError: {
    message: 'The organization has no room for another account.',
    fix: 'Close unused accounts or raise the account quota, then retry.',
  },
  AwsRequestRejectedError: {
    message: 'AWS rejected a call that retrying will not fix.',
    fix: 'Check that Switchyard runs in the management account with the IAM permissions in the README; the message names the call.',
  },
  InvalidInputError: {
    message: 'The workflow received input it cannot act on.',
    fix: 'Request the environment again through the API, which validates the request.',
  },
  EnvironmentStateError: {
    message: 'The environment record was not in a state the step could act on.',
    fix: 'Look at the environment’s timeline; request again if the record was removed.',
  },
  RetryableAwsError: {
    message: 'AWS kept throttling or reporting concurrent changes after every retry.',
    fix: 'Retry later, when fewer changes are being made to the organization.',
  },
  'States.Timeout': {
    message: 'A workflow step ran longer than its time limit.',
    fix: 'Retry the request; if it recurs, look at the step’s logs.',
  },
};

const LAMBDA_FAILURE: Explanation = {
  message: 'The Lambda service kept failing to run a workflow step.',
  fix: 'Retry the request; if it recurs, check the Lambda service health and the step’s logs.',
};

const UNKNOWN: Explanation = {
  message: 'The account could not be provisioned for a reason Switchyard does not recognise.',
  fix: 'Look at the message and the workflow execution history; retry once the cause is fixed.',
};

export function explainFailureReason(reason: string): Explanation {
  return Object.hasOwn(FAILURE_REASONS, reason) ? FAILURE_REASONS[reason]! : { ...UNKNOWN, message: `AWS Organizations reported FailureReason ${reason}.` };
}

/**
 * Turns what the state machine caught (`{ Error, Cause }`, where Cause is a Lambda error JSON string
 * or plain text) or a FAILED create status into the failure shown to the requester.
 */
export function describeFailure(input: { reason?: string; error?: string; cause?: unknown; state?: string }): Failure {
  if (input.reason) {
    const e = explainFailureReason(input.reason);
    return { code: input.reason, message: e.message, fix: e.fix, ...(input.state ? { state: input.state } : {}) };
  }
  const code = input.error ?? 'UnknownError';
  const e = Object.hasOwn(ERROR_EXPLANATIONS, code) ? ERROR_EXPLANATIONS[code]! : code.startsWith('Lambda.') ? LAMBDA_FAILURE : UNKNOWN;
  const detail = causeMessage(input.cause);
  return {
    code,
    message: detail ? `${e.message} ${detail}` : e.message,
    fix: e.fix,
    ...(input.state ? { state: input.state } : {}),
  };
}

function causeMessage(cause: unknown): string | undefined {
  if (typeof cause !== 'string' || !cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Plain-text causes (the local engine passes the message itself) are used as they are.
  }
  return cause.slice(0, 500);
}
