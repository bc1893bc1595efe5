import { join } from 'node:path';
import { functionTable } from '../functions/index.cjs';
import type { CheckDriftDeps } from '../shared/lambda/drift-triggers';
import type { TaskFunction } from '../shared/adapters/local/local-workflow';
import type { Deps } from '../shared/use-cases/deps';

export type LocalDeps = Deps & Pick<CheckDriftDeps, 'recheck' | 'settingsPerCheck'>;

const ROOT = join(__dirname, '..');

/**
 * Every function in functions/*\/function.yml, keyed as serverless.yml keys them, built from the same
 * `build` the Lambda entry point uses but with the local runtime's ports. The handler module is the one
 * function.yml names (`handler: functions/x/handler.handler`), loaded when the runtime starts.
 */
export function buildFunctions(deps: () => LocalDeps): Record<string, TaskFunction> {
  const built = new Map<string, unknown>();
  return Object.fromEntries(
    functionTable().map((entry) => {
      if (!built.has(entry.module)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(join(ROOT, entry.module)) as { build?: (deps: () => LocalDeps) => unknown };
        if (typeof mod.build !== 'function') throw new Error(`${entry.module} exports no build(deps) for the local runtime`);
        built.set(entry.module, mod.build(deps));
      }
      // A module with one entry point builds its handler; one with an entry point per trigger, an object of them by export name.
      const handlers = built.get(entry.module);
      const handler = typeof handlers === 'function' ? handlers : (handlers as Record<string, unknown> | undefined)?.[entry.export];
      if (typeof handler !== 'function') throw new Error(`${entry.module}: build(deps) gives no ${entry.export} handler`);
      return [entry.key, handler as TaskFunction];
    }),
  );
}
