import { awsFix, formatAwsProblem, maskEmails, parseAwsProblem } from '../../shared/domain/aws-problem';
import { describeFailure, describeHandoffGap } from '../../shared/domain/failure-reasons';

/** How Lambda hands a thrown error to Step Functions' Catch as Cause. */
const lambdaCause = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at /var/task/index.js:1:1'] });

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;

describe('the text of an AWS refusal', () => {
  it('names the service, AWS’s code and message, and the fix', () => {
    const text = formatAwsProblem({ service: 'IAM', code: 'NoSuchEntity', message: 'The group with name Admins cannot be found.', fix: 'create IAM group Admins or set ADMIN_GROUP' });
    expect(text).toBe('IAM NoSuchEntity — The group with name Admins cannot be found. Fix: create IAM group Admins or set ADMIN_GROUP');
    expect(parseAwsProblem(text)).toEqual({ service: 'IAM', code: 'NoSuchEntity', message: 'The group with name Admins cannot be found.', fix: 'create IAM group Admins or set ADMIN_GROUP' });
  });

  it('ends AWS’s message as a sentence, and reads back any other text as no refusal', () => {
    expect(formatAwsProblem({ service: 'Organizations', code: 'InvalidInputException', message: 'bad', fix: 'correct it.' })).toBe('Organizations InvalidInputException — bad. Fix: correct it');
    expect(parseAwsProblem('The notification webhook receiver refused the message: HTTP 404')).toBeUndefined();
    expect(parseAwsProblem(undefined)).toBeUndefined();
  });

  it('masks every address, in AWS’s message and in the fix, once', () => {
    const text = formatAwsProblem({ service: 'IAM', code: 'NoSuchEntity', message: 'The user with name ana@example.com cannot be found', fix: 'create IAM user ana@example.com or set ADMIN_USER' });
    expect(text).toBe('IAM NoSuchEntity — The user with name an***@ex***.com cannot be found. Fix: create IAM user an***@ex***.com or set ADMIN_USER');
    expect(text).not.toMatch(EMAIL);
    expect(maskEmails(text)).toBe(text);
    expect(maskEmails('Invalid email admin+staging@example.com.')).toBe('Invalid email ad***@ex***.com.');
  });

  it.each([
    [{ service: 'IAM', operation: 'AttachGroupPolicy', principal: { type: 'group' as const, name: 'Admins' } }, 'NoSuchEntity', 'The group with name Admins cannot be found.', 'create IAM group Admins or set ADMIN_GROUP to an existing group'],
    [{ service: 'IAM', operation: 'AttachUserPolicy', principal: { type: 'user' as const, name: 'ana' } }, 'NoSuchEntity', 'The user with name ana cannot be found.', 'create IAM user ana or set ADMIN_USER to an existing user'],
    [{ service: 'IAM', operation: 'AttachGroupPolicy', principal: { type: 'group' as const, name: 'Admins' } }, 'LimitExceeded', 'Cannot exceed quota for PoliciesPerGroup: 10', 'group Admins already holds the most managed policies IAM allows'],
    [{ service: 'IAM', operation: 'CreatePolicyVersion' }, 'AccessDenied', 'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: iam:CreatePolicyVersion', 'allow iam:CreatePolicyVersion to the role Switchyard runs as'],
    [{ service: 'Organizations', operation: 'CreateAccount' }, 'AccessDeniedException', 'You don’t have permissions to access this resource.', 'allow organizations:CreateAccount'],
    [{ service: 'Organizations', operation: 'CreateAccount' }, 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.', 'deploy Switchyard in the management account of an organization'],
    [{ service: 'STS', operation: 'AssumeRole', roleName: 'OrganizationAccountAccessRole' }, 'AccessDenied', 'not authorized', 'once OrganizationAccountAccessRole can be assumed'],
  ])('has a fix for %j %s', (call, code, message, fix) => {
    expect(awsFix(call, code, message)).toContain(fix);
  });

  it('tells a missing policy from a missing group, and gives any other refusal a fix naming the call', () => {
    const attach = { service: 'IAM', operation: 'AttachGroupPolicy', principal: { type: 'group' as const, name: 'Admins' } };
    expect(awsFix(attach, 'NoSuchEntity', 'Policy arn:aws:iam::1:policy/switchyard/p does not exist or is not attachable.')).not.toContain('create IAM group');
    expect(awsFix({ service: 'IAM', operation: 'GetPolicy' }, 'UnmodifiableEntity', 'x')).toBe(
      'look up IAM UnmodifiableEntity for GetPolicy in the AWS documentation, fix the cause in the management account, then retry',
    );
  });
});

describe('what RecordReady and RecordFailure make of a caught refusal', () => {
  const refusal = 'IAM NoSuchEntity — The group with name Admins cannot be found. Fix: create IAM group Admins or set ADMIN_GROUP to an existing group';

  it('writes a handoff gap as what did not happen, then AWS’s words and the fix, from a Lambda cause or a plain one', () => {
    const expected = `the admin could not be granted access: ${refusal}`;
    expect(describeHandoffGap('the admin could not be granted access', { Error: 'AwsRequestRejectedError', Cause: lambdaCause('AwsRequestRejectedError', refusal) }, 'step fix')).toBe(expected);
    expect(describeHandoffGap('the admin could not be granted access', { Error: 'AwsRequestRejectedError', Cause: refusal }, 'step fix')).toBe(expected);
  });

  it('writes a gap that is not AWS’s refusal with the error’s name and message and the step’s fix, masking addresses', () => {
    const gap = describeHandoffGap(
      'the notification could not be sent',
      { Error: 'AwsRequestRejectedError', Cause: lambdaCause('AwsRequestRejectedError', 'The receiver at ops@example.com refused the message: HTTP 410') },
      'check the channel named here.',
    );
    expect(gap).toBe('the notification could not be sent (AwsRequestRejectedError): The receiver at op***@ex***.com refused the message: HTTP 410. Fix: check the channel named here');
    expect(describeHandoffGap('the alias and tags could not be set', { Error: 'States.Timeout' }, 'step fix')).toMatch(/^the alias and tags could not be set \(States\.Timeout\): .+ Fix: .+/);
  });

  it('fails an environment with AWS’s code, AWS’s message and the fix when AWS refused', () => {
    const cause = lambdaCause('AwsRequestRejectedError', 'Organizations AccessDeniedException — You don’t have permissions to access this resource. Fix: allow organizations:CreateAccount to the role Switchyard runs as');
    const failure = describeFailure({ error: 'AwsRequestRejectedError', cause });
    expect(failure.code).toBe('AccessDeniedException');
    expect(failure.message).toContain('Organizations AccessDeniedException — You don’t have permissions to access this resource.');
    expect(failure.message).not.toContain('Fix:');
    expect(failure.fix).toBe('allow organizations:CreateAccount to the role Switchyard runs as');
  });

  it('keeps the fix of a refusal whose AWS message is very long', () => {
    const cause = lambdaCause('AwsRequestRejectedError', `IAM AccessDenied — ${'x'.repeat(5000)}. Fix: allow iam:GetPolicy to the role Switchyard runs as`);
    const failure = describeFailure({ error: 'AwsRequestRejectedError', cause });
    expect(failure.fix).toBe('allow iam:GetPolicy to the role Switchyard runs as');
    expect(failure.message.length).toBeLessThan(1000);
  });
});
