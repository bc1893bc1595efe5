import { InvalidInputError, type FieldError } from '../domain/errors';
import { readShape, type Reader } from '../domain/record-shape';
import { logContext, logger } from './logger';
import { middy, type MiddlewareObj, type MiddyHandler } from './middy';

/** At most this many fields are named in an InvalidInputError. */
const MAX_FIELDS = 20;

/** Middleware: the event must have the task's input shape; bad input is a terminal InvalidInputError, never retried. */
export function taskInput<R>(name: string, reader: Reader<unknown>): MiddlewareObj<unknown, R> {
  return {
    before: (request) => {
      const read = readShape(reader, request.event);
      if (!read.ok) {
        const fields: FieldError[] = read.issues.slice(0, MAX_FIELDS).map((issue) => ({ field: issue.path || '(input)', message: issue.message }));
        throw new InvalidInputError(`${name} received invalid input: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, fields);
      }
      request.event = read.value;
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
export function taskHandler<T, R>(name: string, reader: Reader<T>, step: (input: T) => Promise<R>): MiddyHandler<unknown, R> {
  return middy<unknown, R>((input) => step(input as T))
    .use(logContext())
    .use(taskFailures(name))
    .use(taskInput(name, reader));
}
