import { InvalidInputError } from '../domain/errors';
import { fieldErrors, readShape, type Reader } from '../domain/record-shape';
import { logContext, logger } from './logger';
import { middy, type MiddlewareObj, type MiddyHandler } from './middy';

/** Middleware: the event must have the task's input shape; bad input is a terminal InvalidInputError, never retried. */
export function taskInput<R>(name: string, reader: Reader<unknown>): MiddlewareObj<unknown, R> {
  return {
    before: (request) => {
      const read = readShape(reader, request.event);
      if (!read.ok) {
        const fields = fieldErrors(read.issues, { root: '(input)' });
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
