import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { MiddlewareObj } from './middy';

let instance: Logger | undefined;
/** The invocation in progress: what Powertools' injectLambdaContext hands the logger when it starts. */
let current: { event: unknown; context: Context } | undefined;
let invocations = 0;

/** What injectLambdaContext does at the start of an invocation (without options: no key reset, no buffer flush). */
function inject(target: Logger, invocation: { event: unknown; context: Context }): void {
  target.refreshSampleRateCalculation();
  target.addContext(invocation.context);
  target.logEventIfEnabled(invocation.event);
}

/**
 * Powertools' Logger, loaded and built when something is first logged. Most invocations log nothing (a handler
 * logs on failures and a few summaries), and building the logger (reading the environment, setting
 * up its formatter and console, refreshing its sample rate and context) cost each of them time in
 * their first invocation (bench/bundles.ts). A logger built during an invocation is given that
 * invocation's context as injectLambdaContext would have given it at its start, cold start included:
 * only the first invocation of the process is one.
 */
function build(): Logger {
  // Required here, not imported: the module and its dependencies are then evaluated only by a process that logs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Logger: PowertoolsLogger } = require('./powertools-logger') as typeof import('./powertools-logger');
  const made = new PowertoolsLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'switchyard' });
  if (current) {
    // The logger marks the first context it is given as the cold start. Built during a later
    // invocation, it is given that context once before, so the mark goes where it belongs.
    if (invocations > 1) made.addContext(current.context);
    inject(made, current);
  }
  return made;
}

/**
 * One structured JSON logger for every function. Emails are masked by callers; secrets are never
 * passed in. Every line carries the invocation's request id, function and cold start (logContext).
 */
export const logger: Logger = new Proxy({} as Logger, {
  get(_target, property) {
    instance ??= build();
    const value = Reflect.get(instance, property, instance) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(instance) : value;
  },
});

/**
 * Middleware doing what Powertools' injectLambdaContext(logger) does, for a logger that may not exist
 * yet: each log line of an invocation carries its request id, function and cold start. With
 * POWERTOOLS_LOGGER_LOG_EVENT=true every event is logged, so the logger is then built at once.
 */
export function logContext<E, R>(): MiddlewareObj<E, R> {
  return {
    before: (request) => {
      invocations++;
      current = { event: request.event, context: request.context };
      if (!instance && process.env.POWERTOOLS_LOGGER_LOG_EVENT?.trim().toLowerCase() === 'true') instance = build();
      else if (instance) inject(instance, current);
    },
    after: () => {
      instance?.clearBuffer();
    },
    onError: () => {
      instance?.clearBuffer();
    },
  };
}
