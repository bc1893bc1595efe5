import { randomUUID } from 'node:crypto';
import type { AccountRecord, CreateRequestRecord, OrgState } from './state';

/**
 * What CloudTrail records of the organization's changes, as EventBridge delivers them to the
 * default bus (`aws.organizations`): "AWS API Call via CloudTrail" for calls that change something,
 * "AWS Service Event via CloudTrail" for the end of an account creation (CreateAccountResult) or of
 * a closing (CloseAccountResult), and for a closed account leaving for good
 * (AccountDepartedOrganization). The state keeps the latest records with a sequence number, so any
 * process's change is seen by the runtime that delivers them (runtime.ts), and an `epoch` that
 * changes when records are lost on purpose (seeding), which tells a reader to walk the organization
 * instead.
 */

export const API_CALL = 'AWS API Call via CloudTrail';
export const SERVICE_EVENT = 'AWS Service Event via CloudTrail';

export interface TrailRecord {
  seq: number;
  detailType: typeof API_CALL | typeof SERVICE_EVENT;
  detail: Record<string, unknown>;
}

export interface TrailState {
  epoch: string;
  nextSeq: number;
  records: TrailRecord[];
}

/** Where a reader got to. */
export interface TrailCursor {
  epoch: string;
  seq: number;
}

/** Records kept; a reader further behind than this has a gap and walks the organization. */
export const TRAIL_KEPT = 1000;

export function trailOf(s: OrgState): TrailState {
  s.trail ??= { epoch: randomUUID(), nextSeq: 1, records: [] };
  return s.trail;
}

function push(s: OrgState, detailType: TrailRecord['detailType'], detail: Record<string, unknown>): void {
  const trail = trailOf(s);
  trail.records.push({ seq: trail.nextSeq++, detailType, detail });
  if (trail.records.length > TRAIL_KEPT) trail.records.splice(0, trail.records.length - TRAIL_KEPT);
}

function common(s: OrgState, now: Date, eventName: string, eventType: 'AwsApiCall' | 'AwsServiceEvent'): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: eventType === 'AwsApiCall' ? { type: 'AssumedRole', accountId: s.managementAccountId } : { accountId: s.managementAccountId, invokedBy: 'organizations.amazonaws.com' },
    eventTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'organizations.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: eventType === 'AwsApiCall' ? '127.0.0.1' : 'organizations.amazonaws.com',
    userAgent: eventType === 'AwsApiCall' ? 'switchyard-simulated-organization' : 'organizations.amazonaws.com',
    eventID: randomUUID(),
    readOnly: false,
    eventType,
    managementEvent: true,
    recipientAccountId: s.managementAccountId,
    eventCategory: 'Management',
  };
}

/** A call that changed the organization. */
export function recordApiCall(s: OrgState, now: Date, eventName: string, requestParameters: Record<string, unknown>, responseElements: Record<string, unknown> | null = null): void {
  push(s, API_CALL, { ...common(s, now, eventName, 'AwsApiCall'), requestID: randomUUID(), requestParameters, responseElements });
}

/** A creation that ended, as AWS reports it (CreateAccountResult). */
export function recordCreationResult(s: OrgState, now: Date, request: CreateRequestRecord): void {
  push(s, SERVICE_EVENT, {
    ...common(s, now, 'CreateAccountResult', 'AwsServiceEvent'),
    serviceEventDetails: {
      createAccountStatus: {
        id: request.id,
        state: request.state,
        accountName: request.accountName,
        ...(request.accountId ? { accountId: request.accountId } : {}),
        ...(request.failureReason ? { failureReason: request.failureReason } : {}),
        requestedTimestamp: request.requestedAt,
        ...(request.completedAt ? { completedTimestamp: request.completedAt } : {}),
      },
    },
  });
}

/**
 * A closing that ended: the account is SUSPENDED. The shape of the Organizations User Guide's example
 * ("Logging API calls with AWS CloudTrail for AWS Organizations", CloseAccountResult), with ISO
 * timestamps as this trail writes them everywhere (AWS writes them as `Mar 18, 2022 6:16:58 PM`).
 */
export function recordCloseResult(s: OrgState, now: Date, account: AccountRecord): void {
  push(s, SERVICE_EVENT, {
    ...common(s, now, 'CloseAccountResult', 'AwsServiceEvent'),
    requestParameters: null,
    responseElements: null,
    serviceEventDetails: {
      closeAccountStatus: {
        accountId: account.id,
        state: 'SUCCEEDED',
        ...(account.closedAt ? { requestedTimestamp: account.closedAt } : {}),
        ...(account.suspendsAt ? { completedTimestamp: account.suspendsAt } : {}),
      },
    },
  });
}

/**
 * A closed account leaving the organization for good, 90 days after it was closed. AWS logs it as
 * AccountDepartedOrganization with `departureMethod` CLEANED and `departureTime` (CloseAccount's API
 * reference); no example record is published, so the fields sit in serviceEventDetails here.
 */
export function recordDeparture(s: OrgState, now: Date, accountId: string, departedAt: Date): void {
  push(s, SERVICE_EVENT, {
    ...common(s, now, 'AccountDepartedOrganization', 'AwsServiceEvent'),
    requestParameters: null,
    responseElements: null,
    serviceEventDetails: { accountId, departureMethod: 'CLEANED', departureTime: departedAt.toISOString() },
  });
}

/** Changes made without records (seeding): readers must walk the organization. */
export function breakTrail(s: OrgState): void {
  const trail = trailOf(s);
  trail.epoch = randomUUID();
  trail.records = [];
}

/** The records after `cursor`; `gap` when some were lost on the way (or the cursor is from another epoch). */
export function trailSince(s: OrgState, cursor: TrailCursor | undefined): { records: TrailRecord[]; gap: boolean; cursor: TrailCursor } {
  const trail = s.trail;
  const end: TrailCursor = { epoch: trail?.epoch ?? '', seq: (trail?.nextSeq ?? 1) - 1 };
  if (!trail) return { records: [], gap: cursor !== undefined && cursor.epoch !== '', cursor: end };
  if (!cursor || cursor.epoch !== trail.epoch) return { records: [], gap: true, cursor: end };
  const oldest = trail.records[0]?.seq ?? trail.nextSeq;
  const gap = cursor.seq + 1 < oldest;
  return { records: trail.records.filter((r) => r.seq > cursor.seq), gap, cursor: end };
}
