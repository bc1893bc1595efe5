// Types for index.cjs, which stays plain CommonJS because osls `require`s it while resolving serverless.yml.

/** One function as the local runtime serves it, read from its function.yml. */
export interface FunctionEntry {
  /** The Serverless function key: the camelCase of its folder name, or a key under `functions:` that starts with it. */
  key: string;
  /** The handler module relative to the repository root, without extension: `functions/get-drift/handler`. */
  module: string;
  /** The export the handler names: `handler`, or e.g. `onSchedule` where a folder has one per trigger. */
  export: string;
  /** Its `httpApi` events. */
  routes: Array<{ method: string; path: string }>;
  /** Its `eventBridge` events, one per source and detail-type of each pattern. */
  rules: Array<{ source: string; detailType: string }>;
}

/** serverless.yml's `functions`: every function.yml's `function` (or `functions`), by key. */
export declare function functions(): Record<string, Record<string, unknown>>;

/** serverless.yml's `resources` from every function.yml, merged; throws on a logical id defined twice. */
export declare function resources(): Record<string, Record<string, unknown>>;

/** Every function, in folder order, as the local runtime serves it. */
export declare function functionTable(): FunctionEntry[];

/** `check-account-status` -> `checkAccountStatus`. */
export declare function functionKey(folder: string): string;
