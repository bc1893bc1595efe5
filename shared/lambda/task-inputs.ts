import * as z from 'zod';
import { ENVIRONMENT_ID_PATTERN } from '../domain/naming';
import { deferredSchema } from '../domain/deferred-schema';

/** Task inputs are built by the state machine, but are still checked: a bad one is a terminal error. */
const id = () => z.string().regex(ENVIRONMENT_ID_PATTERN, 'must be an environment id');

export const IdInputSchema = deferredSchema(() => z.object({ id: id() }).strict());
export const PollInputSchema = deferredSchema(() => z.object({ id: id(), polls: z.number().int().min(0).max(100000) }).strict());
/** Outcome steps receive the whole execution state; only the parts they read are typed. */
export const OutcomeInputSchema = deferredSchema(() =>
    z
    .object({
      id: id(),
      input: z
        .object({
          create: z.object({ state: z.string().optional(), failureReason: z.string().optional() }).passthrough().optional(),
          error: z.object({ Error: z.string().optional(), Cause: z.unknown().optional() }).passthrough().optional(),
          notifyError: z.object({ Error: z.string().optional() }).passthrough().optional(),
          grantError: z.object({ Error: z.string().optional() }).passthrough().optional(),
          configureError: z.object({ Error: z.string().optional() }).passthrough().optional(),
        })
        .passthrough()
        .optional(),
    })
    .strict(),
);

/**
 * An `Environment Requested` event: only the envelope is checked, since a bad detail must become a
 * recorded rejection, not a lost event. Source and detail-type are bounded as EventBridge bounds them
 * (256 and 128): the source is stored with a rejection.
 */
export const RequestEventSchema = deferredSchema(() =>
  z.object({ id: z.string().min(1).max(128), source: z.string().max(256).optional(), 'detail-type': z.string().max(128).optional(), detail: z.unknown() }).passthrough(),
);

/** An event of the organization from the default bus; what it says is read defensively by applyOrganizationEvent. */
export const OrganizationEventSchema = deferredSchema(() => z.object({ source: z.string().max(256), 'detail-type': z.string().max(128), detail: z.unknown() }).passthrough());
