'use strict';
// Loads provision-environment.asl.yaml for two readers.
//
// - The local runtime and the tests read the definition as written: each Task's Resource is a
//   Serverless function key (`createAccount`), which the local engine binds to the same handler
//   (a Task that waits for a task token names it in Parameters.FunctionName instead).
// - serverless.yml reads `definition`, where each Task's Resource has become
//   `{ 'Fn::GetAtt': [<FunctionLogicalId>, 'Arn'] }`. serverless-step-functions turns those into
//   an `Fn::Sub` with real ARNs and grants the state machine lambda:InvokeFunction on exactly those
//   functions. Loading the YAML with `${file(...asl.yaml)}` instead would leave plain function keys
//   (or `${Placeholder}` strings) that only fail at deploy time.
//
// CommonJS because osls `require`s JS variable files.

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const DEFINITION_PATH = path.join(__dirname, 'provision-environment.asl.yaml');

/** The definition exactly as written (anchors expanded), as a fresh object on every call. */
function loadDefinition(definitionPath = DEFINITION_PATH) {
  const text = fs.readFileSync(definitionPath, 'utf8');
  // The ASL reuses Retry/Catch blocks through anchors; a JSON round trip gives each state its own
  // copy, so a caller (or the Serverless plugin, which edits definitions in place) cannot change
  // one state by changing another.
  return JSON.parse(JSON.stringify(YAML.parse(text)));
}

/**
 * The CloudFormation logical id osls gives a function: `createAccount` -> `CreateAccountLambdaFunction`.
 * osls also spells `-` as `Dash` and `_` as `Underscore`; function keys here are camelCase, but
 * following the same rule keeps a future key with either character from resolving to a missing id.
 */
function functionLogicalId(functionKey) {
  const normalized = functionKey.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** Every state map of a definition, including those nested in Parallel branches and Map processors. */
function* stateMaps(definition) {
  if (!definition || typeof definition.States !== 'object' || definition.States === null) return;
  yield definition.States;
  for (const state of Object.values(definition.States)) {
    if (state.Type === 'Parallel') {
      for (const branch of state.Branches ?? []) yield* stateMaps(branch);
    } else if (state.Type === 'Map') {
      yield* stateMaps(state.ItemProcessor ?? state.Iterator);
    }
  }
}

/** [stateName, state] for each Task state, nested ones included. */
function taskStates(definition) {
  const tasks = [];
  for (const states of stateMaps(definition)) {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') tasks.push([name, state]);
    }
  }
  return tasks;
}

/**
 * A Task that invokes its function and then waits for a task token: its Resource is this service
 * integration, and Parameters.FunctionName names the function (a function key, as written).
 */
const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** The function key a Task invokes: its Resource, or its FunctionName when it waits for a task token. */
function taskFunctionKey(state) {
  return state.Resource === WAIT_FOR_TASK_TOKEN ? state.Parameters?.FunctionName : state.Resource;
}

/** The function key each Task names, by state name: `{ CreateAccount: 'createAccount', ... }`. */
function taskFunctionKeys(definition = loadDefinition()) {
  return Object.fromEntries(taskStates(definition).map(([name, state]) => [name, taskFunctionKey(state)]));
}

/**
 * A copy of `definition` with each Task's Resource replaced by the function's ARN (`Fn::GetAtt`).
 * Throws when a Task names anything but one of `functionKeys`: a typo would otherwise surface only
 * as a failed deploy, or as a state machine allowed to invoke nothing.
 */
function withFunctionArns(definition, functionKeys, definitionPath = DEFINITION_PATH) {
  const known = new Set(functionKeys);
  const wired = JSON.parse(JSON.stringify(definition));
  const unknown = [];
  for (const [name, state] of taskStates(wired)) {
    const key = taskFunctionKey(state);
    if (typeof key !== 'string' || !known.has(key)) {
      unknown.push(`${name} -> ${JSON.stringify(key)}`);
      continue;
    }
    const arn = { 'Fn::GetAtt': [functionLogicalId(key), 'Arn'] };
    if (state.Resource === WAIT_FOR_TASK_TOKEN) state.Parameters.FunctionName = arn;
    else state.Resource = arn;
  }
  if (unknown.length > 0) {
    throw new Error(
      `${path.basename(definitionPath)}: Task Resource must be a function key from serverless.yml ` +
        `(${[...known].sort().join(', ') || 'none defined'}); found ${unknown.join('; ')}`,
    );
  }
  return wired;
}

/**
 * For serverless.yml: `definition: ${file(statemachines/provision-environment.cjs):definition}`.
 * osls calls a function found at the address with its resolver context (and awaits the result);
 * the function keys come from the service's own `functions`, so the check follows serverless.yml.
 */
function definitionFor(definitionPath) {
  return async ({ resolveConfigurationProperty }) => {
    const functions = (await resolveConfigurationProperty(['functions'])) ?? {};
    // osls also accepts `functions` as a list of maps, merged later; read the keys the same way.
    const keys = Array.isArray(functions) ? functions.flatMap((f) => Object.keys(f ?? {})) : Object.keys(functions);
    return withFunctionArns(loadDefinition(definitionPath), keys, definitionPath);
  };
}
const definition = definitionFor(DEFINITION_PATH);

module.exports = {
  DEFINITION_PATH,
  definitionFor,
  loadDefinition,
  functionLogicalId,
  taskFunctionKeys,
  withFunctionArns,
  WAIT_FOR_TASK_TOKEN,
  definition,
};
