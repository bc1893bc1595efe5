import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from './middy';

let instance: Logger | undefined;

/**
 * One structured JSON logger for every function. Emails are masked by callers; secrets are never
 * passed in. Built on first use: most invocations log nothing, and constructing it (reading the
 * environment, setting up its formatter) would otherwise cost every cold start at load.
 */
export const logger: Logger = new Proxy({} as Logger, {
  get(_target, property) {
    instance ??= new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'switchyard' });
    const value = Reflect.get(instance, property, instance) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(instance) : value;
  },
});

/** Powertools' middleware: every line the logger writes during an invocation carries its request id, function and cold start. */
export function logContext<E, R>(): MiddlewareObj<E, R> {
  return injectLambdaContext(logger) as MiddlewareObj<E, R>;
}
