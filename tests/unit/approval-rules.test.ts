import { isApprover, isSamePerson, parseApprovalOus, parseApprovers, protectedBy } from '../../shared/domain/approval';
import { parseDecisionBody } from '../../shared/domain/decision-request';
import { formatDuration, parseDuration } from '../../shared/domain/duration';
import { loadConfig } from '../../shared/lambda/config';

describe('ISO 8601 durations', () => {
  it.each([
    ['P3D', 259_200],
    ['PT12H', 43_200],
    ['P1W', 604_800],
    ['P1DT6H30M', 109_800],
    ['pt90s', 90],
    ['PT0.5S', 0.5],
  ])('%s is %d seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', 'P', 'PT', '3D', 'P1M', 'P1Y', 'P1W2D', 'P-1D', 'PT1H30', 'P3650DT1S', 'P1D '.repeat(3)])('refuses %j with a reason', (text) => {
    expect(typeof parseDuration(text)).toBe('string');
  });

  it('writes seconds back as the largest whole units', () => {
    expect([0, 90, 3600, 109_800, 259_200].map(formatDuration)).toEqual(['PT0S', 'PT1M30S', 'PT1H', 'P1DT6H30M', 'P3D']);
  });
});

describe('APPROVAL_OUS and APPROVERS', () => {
  it('protects an OU and everything below it, and nothing that merely starts with its name', () => {
    const ous = parseApprovalOus(' /Workloads/Production/ , Security') as string[];
    expect(ous).toEqual(['Workloads/Production', 'Security']);
    expect(protectedBy('Workloads/Production', ous)).toBe('Workloads/Production');
    expect(protectedBy('Workloads/Production/EU', ous)).toBe('Workloads/Production');
    expect(protectedBy('Workloads/ProductionLike', ous)).toBeUndefined();
    expect(protectedBy('Workloads/Staging', ous)).toBeUndefined();
  });

  it('refuses an OU id (a path stays protected when the index has not seen the OU) and a malformed path', () => {
    expect(parseApprovalOus('ou-ab12-cdef3456')).toMatch(/OU id/);
    expect(parseApprovalOus('Workloads//Prod')).toMatch(/empty segment/);
  });

  it('takes Slack user ids, IAM users, roles and sessions, and local names; refuses anything else by name', () => {
    expect(parseApprovers('U012ABCDEF, W0ENTERPRISE, arn:aws:iam::123456789012:user/ana, arn:aws:iam::123456789012:role/Approvers, local:ana')).toHaveLength(5);
    expect(parseApprovers('ana@example.com')).toMatch(/^"ana@example.com" is not/);
    expect(parseApprovers('arn:aws:iam::12345:user/ana')).toMatch(/is not/);
  });

  it('stops the configuration when protected OUs have nobody to approve them, naming the setting', () => {
    expect(() => loadConfig({ APPROVAL_OUS: 'Workloads/Production' })).toThrow(/APPROVERS: must name at least one approver/);
    expect(() => loadConfig({ APPROVAL_TIMEOUT: 'P1M' })).toThrow(/APPROVAL_TIMEOUT/);
    expect(loadConfig({}).APPROVAL_OUS).toEqual([]);
  });
});

describe('who may decide', () => {
  const role = 'arn:aws:iam::123456789012:role/Approvers';
  it('admits the listed principal, and any session of a listed role (also one listed with a path)', () => {
    expect(isApprover('U012ABCDEF', ['U012ABCDEF'])).toBe(true);
    expect(isApprover('arn:aws:sts::123456789012:assumed-role/Approvers/ana', [role])).toBe(true);
    expect(isApprover('arn:aws:sts::123456789012:assumed-role/Approvers/ana', ['arn:aws:iam::123456789012:role/team/Approvers'])).toBe(true);
    expect(isApprover('arn:aws:sts::999999999999:assumed-role/Approvers/ana', [role])).toBe(false);
    expect(isApprover('arn:aws:sts::123456789012:assumed-role/ApproversToo/ana', [role])).toBe(false);
    expect(isApprover('local:ana', ['U012ABCDEF'])).toBe(false);
  });

  it('sees the requester behind another role of the same account and session name', () => {
    expect(isSamePerson('local:ana', 'local:ana')).toBe(true);
    expect(isSamePerson('arn:aws:sts::123456789012:assumed-role/Approvers/ana', 'arn:aws:sts::123456789012:assumed-role/Dev/ana')).toBe(true);
    expect(isSamePerson('arn:aws:sts::123456789012:assumed-role/Approvers/bob', 'arn:aws:sts::123456789012:assumed-role/Dev/ana')).toBe(false);
    expect(isSamePerson('local:ana', undefined)).toBe(false);
  });
});

describe('a decision body', () => {
  it('takes nothing, an empty object or a comment, trimmed', () => {
    expect(parseDecisionBody(undefined)).toEqual({});
    expect(parseDecisionBody({})).toEqual({});
    expect(parseDecisionBody({ comment: '  ok  ' })).toEqual({ comment: 'ok' });
    expect(parseDecisionBody({ comment: '   ' })).toEqual({});
  });
});
