import type { Context } from 'aws-lambda';
import type middyCore from '@middy/core';

type Middy = typeof middyCore;

/**
 * A middy handler built on its first invocation rather than when the module loads. @middy/core
 * pulls in node:stream/web and node:stream/promises, which cost a cold start milliseconds before
 * any request arrives; required here, the bundler keeps it (and them) out of module loading.
 */
export function middyHandler<E, R>(build: (middy: Middy) => (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  let handler: ((event: E, context: Context) => Promise<R>) | undefined;
  return (event, context) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler ??= build((require('@middy/core') as { default: Middy }).default);
    return handler(event, context);
  };
}
