import { maskEmail } from './email';

/**
 * What AWS answered when it refused a call, in the one form every timeline note, failure and
 * notification shows it:
 *
 *   IAM NoSuchEntity — The group with name Admins cannot be found. Fix: create IAM group Admins or set ADMIN_GROUP to an existing group
 *
 * The text is the message of the error the adapter throws, because that is all of it that reaches
 * the state machine's Catch (a Lambda error travels as its name and message), and so RecordReady and
 * RecordFailure: parseAwsProblem reads the parts back from it.
 */
export interface AwsProblem {
  /** `IAM`, `STS`, `Organizations`…; `AWS` when the adapter did not say. One word. */
  service: string;
  /** The error code AWS sent: `NoSuchEntity` (Query protocols), `AccessDeniedException` (JSON protocols). */
  code: string;
  /** AWS's own message, emails masked. */
  message: string;
  /** One line the operator can act on. */
  fix: string;
}

/** No `*` on either side of the @, so an address masked already (`ad***@ex***.com`) is left as it is. */
const EMAIL_LIKE = /[^\s@<>()"',;:[\]*]+@[^\s@<>()"',;:[\]*]+/g;

/**
 * Every address in `text` masked: AWS quotes them back, and IAM names may look like one. A full stop
 * after an address ends the sentence, not the domain.
 */
export function maskEmails(text: string): string {
  return text.replace(EMAIL_LIKE, (match) => {
    const address = match.replace(/\.+$/, '');
    return `${maskEmail(address)}${match.slice(address.length)}`;
  });
}

export function formatAwsProblem(problem: AwsProblem): string {
  const message = problem.message.trim() || 'No message.';
  const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
  return maskEmails(`${oneWord(problem.service)} ${oneWord(problem.code)} — ${sentence} Fix: ${problem.fix.trim().replace(/\.$/, '')}`);
}

const PROBLEM = /^(\S+) ([A-Za-z][\w.]*) — ([\s\S]*) Fix: ((?:(?! Fix: )[\s\S])+)$/;

/** The parts of a formatAwsProblem text, or undefined for any other text. */
export function parseAwsProblem(text: string | undefined): AwsProblem | undefined {
  const match = PROBLEM.exec(text ?? '');
  if (!match) return undefined;
  const [, service, code, message, fix] = match as unknown as [string, string, string, string, string];
  return { service, code, message, fix };
}

function oneWord(text: string): string {
  return text.replace(/\s+/g, '') || 'AWS';
}

/** What a fix may name: the call, and what it was about. */
export interface AwsCall {
  service: string;
  operation: string;
  /** The admin principal a grant was for. */
  principal?: { type: 'group' | 'user'; name: string };
  /** The organization access role a step assumed. */
  roleName?: string;
}

interface FixRule {
  service?: string;
  operations?: readonly string[];
  /** Codes without the SDK's `Exception` suffix. */
  codes: readonly string[];
  /** Only when AWS's message matches (one code can mean several things). */
  message?: RegExp;
  fix: (call: AwsCall) => string;
}

const IAM_ACTIONS: Record<string, string> = { IAM: 'iam', STS: 'sts', Organizations: 'organizations', SES: 'ses', SNS: 'sns', DynamoDB: 'dynamodb', StepFunctions: 'states', EventBridge: 'events', SSM: 'ssm', SQS: 'sqs' };

/** The common refusals per step; the first rule that matches gives the fix. */
const FIX_RULES: readonly FixRule[] = [
  {
    service: 'IAM',
    operations: ['AttachGroupPolicy'],
    codes: ['NoSuchEntity'],
    message: /group/i,
    fix: (c) => `create IAM group ${c.principal?.name ?? '(ADMIN_GROUP)'} or set ADMIN_GROUP to an existing group`,
  },
  {
    service: 'IAM',
    operations: ['AttachUserPolicy'],
    codes: ['NoSuchEntity'],
    message: /user/i,
    fix: (c) => `create IAM user ${c.principal?.name ?? '(ADMIN_USER)'} or set ADMIN_USER to an existing user`,
  },
  {
    service: 'IAM',
    operations: ['AttachGroupPolicy', 'AttachUserPolicy'],
    codes: ['LimitExceeded'],
    fix: (c) =>
      `${c.principal ? `${c.principal.type} ${c.principal.name}` : 'the admin principal'} already holds the most managed policies IAM allows (10 by default): detach one it no longer needs, or raise "Managed policies per ${c.principal?.type ?? 'group'}" in Service Quotas (IAM)`,
  },
  {
    service: 'IAM',
    operations: ['CreatePolicy', 'CreatePolicyVersion'],
    codes: ['LimitExceeded'],
    fix: () => 'delete customer managed policies or policy versions the management account no longer needs, or raise the IAM quota the message names in Service Quotas',
  },
  {
    service: 'IAM',
    codes: ['MalformedPolicyDocument'],
    fix: () => 'this is a defect in the policy Switchyard rendered: report it with this message',
  },
  {
    service: 'STS',
    operations: ['AssumeRole'],
    codes: ['AccessDenied'],
    fix: (c) =>
      `the account works without its alias and tags: set them by hand once ${c.roleName ?? 'the organization access role'} can be assumed (usually within minutes of the account existing), and if it stays refused check that the account has that role and that Switchyard's role may sts:AssumeRole it`,
  },
  {
    service: 'Organizations',
    codes: ['AWSOrganizationsNotInUse'],
    fix: () => 'deploy Switchyard in the management account of an organization (or create one there in the AWS Organizations console)',
  },
  {
    service: 'Organizations',
    codes: ['ConstraintViolation'],
    fix: () => 'resolve the limit or organization setting the message names (AWS Organizations console or Service Quotas), then request again',
  },
  {
    codes: ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError'],
    fix: (c) => `allow ${IAM_ACTIONS[c.service] ?? c.service.toLowerCase()}:${c.operation} to the role Switchyard runs as (in the management account), then retry`,
  },
  {
    codes: ['InvalidInput', 'ValidationError', 'Validation', 'InvalidParameter', 'InvalidParameterValue'],
    fix: () => 'correct the value the message names, then request again',
  },
  {
    codes: ['ResourceNotFound'],
    service: 'DynamoDB',
    fix: () => 'deploy the registry table and name it in REGISTRY_TABLE',
  },
];

/** For what AWS answered with "not now" (throttling, a concurrent change, a transient fault) once the retries are spent. */
export function retryLaterFix(service: string): string {
  return `nothing to change: ${service} was still busy or changing after Switchyard's retries, so retry the request later`;
}

/** The fix for a refusal: the rule for the step and code when there is one, else a generic one naming the call. */
export function awsFix(call: AwsCall, code: string, message = ''): string {
  const bare = code.replace(/Exception$/, '');
  const rule = FIX_RULES.find(
    (r) => (!r.service || r.service === call.service) && (!r.operations || r.operations.includes(call.operation)) && (r.codes.includes(bare) || r.codes.includes(code)) && (!r.message || r.message.test(message)),
  );
  return rule ? rule.fix(call) : `look up ${call.service} ${code} for ${call.operation} in the AWS documentation, fix the cause in the management account, then retry`;
}
