import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { InvalidInputError } from '../domain/errors';
import { zodFieldErrors } from '../domain/request';
import { logger } from './logger';
import { middyHandler } from './middy';

/**
 * Wraps a Step Functions task: validates its input against a strict schema (bad input is a terminal
 * InvalidInputError, never retried), and logs failures with their error name, which is what the
 * state machine's Retry and Catch match on.
 */
export function taskHandler<S extends z.ZodType, R>(name: string, schema: S, step: (input: z.infer<S>) => Promise<R>) {
  return middyHandler<unknown, R>((middy) => middy<unknown, R, Error, Context>({ timeoutEarlyInMillis: 0 }).handler(async (event) => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const fields = zodFieldErrors(parsed.error);
      throw new InvalidInputError(`${name} received invalid input: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, fields);
    }
    try {
      return await step(parsed.data);
    } catch (error) {
      const err = error as Error;
      logger.warn(`${name} failed`, { errorName: err.name, errorMessage: err.message });
      throw error;
    }
  }));
}
