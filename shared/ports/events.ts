/** Events Switchyard publishes so other automation can chain on its outcomes. */
export const EVENT_SOURCE = 'switchyard';
/** Where other systems send requests for environments. */
export const REQUEST_EVENT_SOURCE = 'switchyard.requests';
export const REQUEST_DETAIL_TYPE = 'Environment Requested';

export type DetailType =
  | 'Environment Ready'
  | 'Environment Provisioning Failed'
  | 'Environment Request Rejected'
  | 'Environment Approval Requested'
  | 'Environment Approved'
  | 'Environment Rejected'
  | 'Environment Closed'
  | 'Environment Lease Extended'
  | 'Drift Detected'
  | 'Drift Resolved'
  | typeof REQUEST_DETAIL_TYPE;

export interface OutgoingEvent {
  /** Defaults to EVENT_SOURCE; requests handed over from Slack use REQUEST_EVENT_SOURCE. */
  source?: string;
  detailType: DetailType;
  detail: Record<string, unknown>;
}

/** An EventBridge bus (or its local stand-in). */
export interface Events {
  publish(events: OutgoingEvent[]): Promise<void>;
}
