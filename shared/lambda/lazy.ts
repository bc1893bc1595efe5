/**
 * Builds a value on first use and keeps it. Handlers construct their ports lazily so a cold start
 * pays only for what an invocation touches, and a bad configuration fails the invocation, not the import.
 */
export function lazy<T>(build: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: build() }).v;
}
