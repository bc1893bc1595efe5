// Types for provision-environment.cjs, which stays plain CommonJS because osls `require`s it
// while resolving serverless.yml.
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** Absolute path of provision-environment.asl.yaml. */
export declare const DEFINITION_PATH: string;

/** The definition as written (Task Resources are function keys), a fresh copy on every call. */
export declare function loadDefinition(definitionPath?: string): StateMachineDefinition;

/** osls's CloudFormation logical id for a function key: `createAccount` -> `CreateAccountLambdaFunction`. */
export declare function functionLogicalId(functionKey: string): string;

/** The function key each Task state names, by state name (nested states included). */
export declare function taskFunctionKeys(definition?: StateMachineDefinition): Record<string, string>;

/** A copy with each Task Resource as `{ 'Fn::GetAtt': [logicalId, 'Arn'] }`; throws on a key not in `functionKeys`. */
export declare function withFunctionArns(definition: StateMachineDefinition, functionKeys: Iterable<string>, definitionPath?: string): Record<string, unknown>;

/** The serverless.yml variable source for the definition at `definitionPath`. */
export declare function definitionFor(definitionPath: string): (context: { resolveConfigurationProperty: (path: string[]) => Promise<unknown> }) => Promise<Record<string, unknown>>;

/** The serverless.yml variable source: `${file(statemachines/provision-environment.cjs):definition}`. */
export declare function definition(context: {
  resolveConfigurationProperty: (path: string[]) => Promise<unknown>;
}): Promise<Record<string, unknown>>;

/** The Resource of a Task that invokes Parameters.FunctionName and waits for its task token. */
export declare const WAIT_FOR_TASK_TOKEN: 'arn:aws:states:::lambda:invoke.waitForTaskToken';
