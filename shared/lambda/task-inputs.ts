import { ENVIRONMENT_ID_PATTERN } from '../domain/naming';
import { integer, object, optional, present, string, text, unknown } from '../domain/record-shape';

/**
 * What a task (or a function an AWS service invokes) is handed. These inputs are made by the state
 * machine or by AWS, not typed by a user, so only their shape is checked (shared/domain/record-shape.ts):
 * a bad one is still a terminal InvalidInputError naming every field at fault.
 */
const id = text({ min: 1, pattern: ENVIRONMENT_ID_PATTERN, message: 'must be an environment id' });
const optionalText = optional(string);

export const IdInput = object({ id }, 'refuse');
/** AwaitAccount's payload: the environment and the task token Step Functions waits with (at most 1,024 characters, AWS says). */
export const AwaitInput = object({ id, token: text({ min: 1, max: 1024 }) }, 'refuse');
export const PollInput = object({ id, polls: integer(0, 100000) }, 'refuse');

/** What a Catch put at its ResultPath: the error's name (the rest of it is kept as it came). */
const caught = optional(object({ Error: optionalText }, 'keep'));

/** Outcome steps receive the whole execution state; only the parts they read are typed. */
export const OutcomeInput = object(
  {
    id,
    input: optional(
      object(
        {
          create: optional(object({ state: optionalText, failureReason: optionalText }, 'keep')),
          error: optional(object({ Error: optionalText, Cause: unknown }, 'keep')),
          notifyError: caught,
          grantError: caught,
          configureError: caught,
        },
        'keep',
      ),
    ),
  },
  'refuse',
);

/**
 * An `Environment Requested` event: only the envelope is checked, since a bad detail must become a
 * recorded rejection, not a lost event. Source and detail-type are bounded as EventBridge bounds them
 * (256 and 128): the source is stored with a rejection.
 */
export const RequestEvent = object(
  { id: text({ min: 1, max: 128 }), source: optional(text({ max: 256 })), 'detail-type': optional(text({ max: 128 })), detail: present },
  'keep',
);

/** An event of the organization from the default bus; what it says is read defensively by applyOrganizationEvent. */
export const OrganizationEvent = object({ source: text({ max: 256 }), 'detail-type': text({ max: 128 }), detail: present }, 'keep');

/** `Environment Approval Requested` from the bus: only the environment id is used; the registry holds the rest. */
export const ApprovalRequestedEvent = object({ detail: object({ id }, 'keep') }, 'keep');

/** RecordCloseFailure: the environment and what its Catch caught. */
export const CloseFailureInput = object({ id, error: optional(object({ Error: optionalText, Cause: unknown }, 'keep')) }, 'refuse');
