import { formatAwsProblem, maskEmails, parseAwsProblem, type AwsProblem } from './aws-problem';
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
  GrantCapacityError: {
    message: 'The admin grant would need more IAM policies than the admin principal may hold.',
    fix: 'Place environments in fewer OUs (accounts under one parent OU share a grant path), then request again.',
  },
  RoleNotReadyError: {
    message: 'The new account’s organization access role could not be assumed.',
    fix: 'Wait a few minutes for the role to become usable, then retry, and if it stays refused check that Switchyard’s role may sts:AssumeRole it.',
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

/** What a Step Functions Catch hands on: the error's name, and its message (in a Lambda error JSON on AWS). */
export interface CaughtError {
  Error?: string;
  Cause?: unknown;
}

/**
 * Turns what the state machine caught (`{ Error, Cause }`, where Cause is a Lambda error JSON string
 * or plain text) or a FAILED create status into the failure shown to the requester. When AWS refused
 * a call, the failure names AWS's code, AWS's message and the fix for that refusal.
 */
export function describeFailure(input: { reason?: string; error?: string; cause?: unknown; state?: string }): Failure {
  const state = input.state ? { state: input.state } : {};
  if (input.reason) {
    const e = explainFailureReason(input.reason);
    return { code: input.reason, message: e.message, fix: e.fix, ...state };
  }
  const code = input.error ?? 'UnknownError';
  const e = explainError(code);
  const { detail, aws } = readCause(input.cause);
  if (aws) return { code: aws.code, message: maskEmails(`${e.message} ${aws.service} ${aws.code} — ${aws.message}`), fix: maskEmails(aws.fix), ...state };
  return {
    code,
    message: maskEmails(detail ? `${e.message} ${detail}` : e.message),
    fix: e.fix,
    ...state,
  };
}

/**
 * One line for the timeline about a handoff step that did not happen (the environment is READY all
 * the same): `the admin could not be granted access: IAM NoSuchEntity — … Fix: …` when AWS refused,
 * else the error's name and message with the error's fix, or `fix` when the error has none of its own.
 */
export function describeHandoffGap(what: string, caught: CaughtError, fix: string): string {
  const { detail, aws } = readCause(caught.Cause);
  if (aws) return maskEmails(`${what}: ${formatAwsProblem(aws)}`);
  const name = caught.Error ?? 'UnknownError';
  const own = Object.hasOwn(ERROR_EXPLANATIONS, name) && !GENERIC_AWS_ERRORS.has(name) ? ERROR_EXPLANATIONS[name]!.fix : fix;
  const text = detail ? (/[.!?]$/.test(detail) ? detail : `${detail}.`) : explainError(name).message;
  return maskEmails(`${what} (${name}): ${text} Fix: ${own.replace(/\.$/, '')}`);
}

/** Names whose own explanation is about AWS in general: a step's own fix says more when AWS's words are not there. */
const GENERIC_AWS_ERRORS = new Set(['AwsRequestRejectedError', 'RetryableAwsError']);

function explainError(name: string): Explanation {
  return Object.hasOwn(ERROR_EXPLANATIONS, name) ? ERROR_EXPLANATIONS[name]! : name.startsWith('Lambda.') ? LAMBDA_FAILURE : UNKNOWN;
}

/** Long enough for AWS's longest messages (an AccessDenied names principal, action and resource), short enough for a timeline. */
const MAX_CAUSE_CHARS = 700;

/** The error's message from a cause, cut to length; and AWS's refusal in it, when it is one (read before cutting, so the fix survives). */
function readCause(cause: unknown): { detail?: string; aws?: AwsProblem } {
  const message = causeMessage(cause);
  if (message === undefined) return {};
  const aws = parseAwsProblem(message);
  if (aws) return { detail: message.slice(0, MAX_CAUSE_CHARS), aws: { ...aws, message: aws.message.slice(0, MAX_CAUSE_CHARS) } };
  return { detail: message.slice(0, MAX_CAUSE_CHARS) };
}

function causeMessage(cause: unknown): string | undefined {
  if (typeof cause !== 'string' || !cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Plain-text causes (the local engine passes the message itself) are used as they are.
  }
  return cause;
}
