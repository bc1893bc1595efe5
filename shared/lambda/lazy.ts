/**
 * Builds a value on first use and keeps it. Handlers construct their ports lazily so a cold start
 * pays only for what an invocation touches, and a bad configuration fails the invocation, not the import.
 */
export function lazy<T>(build: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: build() }).v;
}

type Factories<C> = Record<string, (config: C) => unknown>;
export type LazyPorts<C, F extends Factories<C>> = { readonly config: C } & { readonly [K in keyof F]: ReturnType<F[K]> };

/**
 * A handler's ports, each built when the invocation first reads it: an invocation that touches only
 * the registry builds only the DynamoDB client, not the clients of the channels or of the workflow
 * it did not need (each SDK client costs a cold start milliseconds to construct). The configuration
 * is read when the first port is; each factory receives it.
 *
 * The object's properties are getters until first read, so it must be passed on as it is: spreading
 * it (`{ ...ports }`) would build every port.
 */
export function lazyPorts<C, F extends Factories<C>>(config: () => C, factories: F): () => LazyPorts<C, F> {
  const ports = {} as Record<string, unknown>;
  const settings = lazy(config);
  Object.defineProperty(ports, 'config', { enumerable: true, get: settings });
  for (const [name, factory] of Object.entries(factories)) {
    Object.defineProperty(ports, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = factory(settings());
        Object.defineProperty(ports, name, { enumerable: true, value });
        return value;
      },
    });
  }
  return () => ports as LazyPorts<C, F>;
}

/**
 * Ports with some of them replaced (`{ config }` with one check's settings, a responder), the others
 * still read through `ports`, so still built only when first read. Spreading would build them all.
 */
export function withOverrides<P extends object, O extends object>(ports: P, overrides: O): Omit<P, keyof O> & O {
  return Object.create(ports, Object.fromEntries(Object.entries(overrides).map(([name, value]) => [name, { value, enumerable: true }]))) as Omit<P, keyof O> & O;
}
