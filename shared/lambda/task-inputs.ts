import * as z from 'zod/mini';
import { ENVIRONMENT_ID_PATTERN } from '../domain/naming';
import { deferredSchema } from '../domain/deferred-schema';

/** Task inputs are built by the state machine, but are still checked: a bad one is a terminal error. */
const id = () => z.string().check(z.regex(ENVIRONMENT_ID_PATTERN, 'must be an environment id'));

export const IdInputSchema = deferredSchema(() => z.strictObject({ id: id() }));
/** AwaitAccount's payload: the environment and the task token Step Functions waits with (at most 1,024 characters, AWS says). */
export const AwaitInputSchema = deferredSchema(() => z.strictObject({ id: id(), token: z.string().check(z.minLength(1), z.maxLength(1024)) }));
export const PollInputSchema = deferredSchema(() => z.strictObject({ id: id(), polls: z.number().check(z.int(), z.minimum(0), z.maximum(100000)) }));
/** Outcome steps receive the whole execution state; only the parts they read are typed. */
export const OutcomeInputSchema = deferredSchema(() => {
  const text = z.optional(z.string());
  const caught = () => z.optional(z.looseObject({ Error: text }));
  return z.strictObject({
    id: id(),
    input: z.optional(
      z.looseObject({
        create: z.optional(z.looseObject({ state: text, failureReason: text })),
        error: z.optional(z.looseObject({ Error: text, Cause: z.optional(z.unknown()) })),
        notifyError: caught(),
        grantError: caught(),
        configureError: caught(),
      }),
    ),
  });
});

/**
 * An `Environment Requested` event: only the envelope is checked, since a bad detail must become a
 * recorded rejection, not a lost event. Source and detail-type are bounded as EventBridge bounds them
 * (256 and 128): the source is stored with a rejection.
 */
export const RequestEventSchema = deferredSchema(() =>
  z.looseObject({
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    source: z.optional(z.string().check(z.maxLength(256))),
    'detail-type': z.optional(z.string().check(z.maxLength(128))),
    detail: z.unknown(),
  }),
);

/** An event of the organization from the default bus; what it says is read defensively by applyOrganizationEvent. */
export const OrganizationEventSchema = deferredSchema(() =>
  z.looseObject({ source: z.string().check(z.maxLength(256)), 'detail-type': z.string().check(z.maxLength(128)), detail: z.unknown() }),
);

/** `Environment Approval Requested` from the bus: only the environment id is used; the registry holds the rest. */
export const ApprovalRequestedEventSchema = deferredSchema(() =>
  z.looseObject({ detail: z.looseObject({ id: id() }) }),
);

/** RecordCloseFailure: the environment and what its Catch caught. */
export const CloseFailureInputSchema = deferredSchema(() =>
  z.strictObject({ id: id(), error: z.optional(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.unknown()) })) }),
);
