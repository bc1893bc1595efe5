import type * as z from 'zod';

/**
 * A zod schema built on first use rather than when its module loads. Building a schema of a few
 * dozen fields costs milliseconds, and every Lambda pays module loading on each cold start whether
 * or not the invocation validates anything; the schema's type stays exactly the built one.
 */
export function deferredSchema<S extends z.ZodType>(build: () => S): S {
  let schema: S | undefined;
  return new Proxy({} as S, {
    get(_target, property) {
      schema ??= build();
      const value = Reflect.get(schema, property, schema) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(schema) : value;
    },
    has(_target, property) {
      schema ??= build();
      return property in schema;
    },
  });
}
