import * as z from 'zod/mini';
import { InvalidInputError } from '../domain/errors';
import { zodFieldErrors } from '../domain/request';
import { logContext, logger } from './logger';
import { middy, type MiddlewareObj, type MiddyHandler } from './middy';

/** Middleware: the event must match the task's strict schema; bad input is a terminal InvalidInputError, never retried. */
export function taskInput<R>(name: string, schema: z.core.$ZodType): MiddlewareObj<unknown, R> {
  return {
    before: (request) => {
      const parsed = z.safeParse(schema, request.event);
      if (!parsed.success) {
        const fields = zodFieldErrors(parsed.error);
        throw new InvalidInputError(`${name} received invalid input: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, fields);
      }
      request.event = parsed.data;
    },
  };
}

/** Middleware: a failure is logged with its error name, which is what the state machine's Retry and Catch match on, and thrown on. */
export function taskFailures<R>(name: string): MiddlewareObj<unknown, R> {
  return {
    onError: ({ error }) => {
      logger.warn(`${name} failed`, { errorName: error?.name, errorMessage: error?.message });
    },
  };
}

/** A Step Functions task (or any non-HTTP trigger) as a Lambda handler: its input checked, its failures logged. */
export function taskHandler<S extends z.core.$ZodType, R>(name: string, schema: S, step: (input: z.output<S>) => Promise<R>): MiddyHandler<unknown, R> {
  return middy<unknown, R>((input) => step(input as z.output<S>))
    .use(logContext())
    .use(taskFailures(name))
    .use(taskInput(name, schema));
}
