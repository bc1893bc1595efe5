// Types for decommission-environment.cjs (plain CommonJS: osls `require`s it).
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** Absolute path of decommission-environment.asl.yaml. */
export declare const DEFINITION_PATH: string;

/** The definition as written (Task Resources are function keys), a fresh copy on every call. */
export declare function loadDefinition(): StateMachineDefinition;

/** The function key each Task state names, by state name. */
export declare function taskFunctionKeys(definition?: StateMachineDefinition): Record<string, string>;

/** The serverless.yml variable source: `${file(statemachines/decommission-environment.cjs):definition}`. */
export declare function definition(context: {
  resolveConfigurationProperty: (path: string[]) => Promise<unknown>;
}): Promise<Record<string, unknown>>;
