import type * as z from 'zod/mini';

/**
 * A zod schema built on first use rather than when its module loads. Building a schema of a few
 * dozen fields costs milliseconds, and every Lambda pays module loading on each cold start whether
 * or not the invocation validates anything; the schema's type stays exactly the built one.
 *
 * Schemas are written with zod/mini (`z.optional(z.string())`, `.check(z.regex(…))`): the same
 * validation and messages as `zod`, without the dozens of methods the classic API attaches to every
 * schema it constructs. bench/bundles.ts measured the classic API at a third of a handler's cold
 * start beyond its SDK floor (97 KB of every bundle to load, and each schema built field by field).
 */
export function deferredSchema<S extends z.core.$ZodType>(build: () => S): S {
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
