import { parseOuRef } from './ou-path';

/**
 * Approvals: which requests wait for a person's yes, and who that person may be. Pure rules; the
 * use case (shared/use-cases/approval.ts) records and acts on decisions.
 *
 * A principal is written the way the channel it decides through knows it:
 * - a Slack user id (`U…`, or `W…` in Enterprise Grid), from a signed button click;
 * - an IAM principal ARN, from API Gateway's IAM authorizer: a user
 *   (`arn:aws:iam::123456789012:user/ana`), a role (`arn:aws:iam::123456789012:role/Approvers`,
 *   which admits every session of that role) or one session of it
 *   (`arn:aws:sts::123456789012:assumed-role/Approvers/ana`);
 * - `local:NAME` on the local runtime, from its `X-Switchyard-Principal` header.
 */

const SLACK_USER = /^[UW][A-Z0-9]{2,20}$/;
const IAM_USER_OR_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/[\w+=,.@/-]{1,512}$/;
const ASSUMED_ROLE = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]{1,64})$/;
const LOCAL = /^local:[\w.@+-]{1,64}$/;

/** Why a principal is not one of the forms above; undefined when it is. */
export function principalProblem(principal: string): string | undefined {
  if (SLACK_USER.test(principal) || IAM_USER_OR_ROLE.test(principal) || ASSUMED_ROLE.test(principal) || LOCAL.test(principal)) return undefined;
  return 'is not a Slack user id (U…), an IAM user, role or assumed-role ARN, or local:NAME';
}

/** `APPROVERS`, checked; a problem string names the first entry at fault. */
export function parseApprovers(value: string): string[] | string {
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    const problem = principalProblem(entry);
    if (problem) return `${JSON.stringify(entry)} ${problem}`;
  }
  return [...new Set(entries)];
}

/** `APPROVAL_OUS`, as OU paths below the root (`Workloads/Production`); a problem string names the first entry at fault. */
export function parseApprovalOus(value: string): string[] | string {
  const paths: string[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const ref = parseOuRef(entry);
    if (typeof ref === 'string') return `${JSON.stringify(entry)} ${ref}`;
    if (ref.kind === 'id') return `${JSON.stringify(entry)} is an OU id; name OUs by path (Workloads/Production) so a protected OU stays protected when the index has not seen it`;
    paths.push(ref.segments.join('/'));
  }
  return paths;
}

/** The protected OU a path is, or lies below; undefined when it needs no approval. Names compare exactly, as AWS's do. */
export function protectedBy(ouPath: string, approvalOus: readonly string[]): string | undefined {
  return approvalOus.find((p) => ouPath === p || ouPath.startsWith(`${p}/`));
}

/** The role ARN an assumed-role session belongs to (`arn:aws:iam::<account>:role/<name>`); undefined for other principals. */
function roleOfSession(principal: string): string | undefined {
  const match = ASSUMED_ROLE.exec(principal);
  if (!match) return undefined;
  const partition = principal.split(':')[1];
  return `arn:${partition}:iam::${match[1]}:role/${match[2]}`;
}

/**
 * Whether `principal` is one of `approvers`: the same principal, or a session of a role listed by
 * its ARN. A role listed with a path (`role/team/Approvers`) is matched by its name, as STS names
 * the session without the path.
 */
export function isApprover(principal: string, approvers: readonly string[]): boolean {
  if (approvers.includes(principal)) return true;
  const role = roleOfSession(principal);
  if (!role) return false;
  const name = role.slice(role.lastIndexOf('/') + 1);
  const prefix = role.slice(0, role.indexOf(':role/') + ':role/'.length);
  return approvers.some((a) => a === role || (a.startsWith(prefix) && a.slice(a.lastIndexOf('/') + 1) === name));
}

/**
 * Whether a decider is the requester. The same principal, and also the same session name in the same
 * account under another role: with IAM Identity Center the session name is the person's user name,
 * so someone who asked through one permission set cannot approve through another.
 */
export function isSamePerson(decider: string, requester: string | undefined): boolean {
  if (!requester) return false;
  if (decider === requester) return true;
  const a = ASSUMED_ROLE.exec(decider);
  const b = ASSUMED_ROLE.exec(requester);
  return Boolean(a && b && a[1] === b[1] && a[3] === b[3]);
}
