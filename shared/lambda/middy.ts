import type { Context } from 'aws-lambda';
import type middyCore from '@middy/core';
import type { MiddlewareObj } from '@middy/core';

export type { MiddlewareObj };

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** A handler with middy's `.use()`. */
export interface MiddyHandler<E, R> extends LambdaHandler<E, R> {
  use(middleware: MiddlewareObj<E, R>): MiddyHandler<E, R>;
}

/**
 * `middy(handler).use(…)` as middy's and Powertools' examples write it, with @middy/core required on
 * the first invocation rather than when the module loads: it imports node:stream/web and
 * node:stream/promises, which would cost every cold start milliseconds before any request arrives
 * (bench/ measures it). The middlewares are plain objects, taken as given and stacked then.
 *
 * Middy's early timeout is off: Lambda's own timeout ends an invocation, and the timer would only
 * keep tests (and the local runtime) waiting.
 */
export function middy<E, R>(handler: LambdaHandler<E, R>): MiddyHandler<E, R> {
  const middlewares: MiddlewareObj<E, R>[] = [];
  let stack: LambdaHandler<E, R> | undefined;
  const invoke = ((event: E, context: Context) => {
    if (!stack) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const core = (require('@middy/core') as { default: typeof middyCore }).default;
      stack = core<E, R, Error, Context>(handler, { timeoutEarlyInMillis: 0 }).use(middlewares);
    }
    return stack(event, context);
  }) as MiddyHandler<E, R>;
  invoke.use = (middleware) => {
    if (stack) throw new Error('A middleware was added after the handler first ran.');
    middlewares.push(middleware);
    return invoke;
  };
  return invoke;
}
