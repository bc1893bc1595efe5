'use strict';
// Loads decommission-environment.asl.yaml, as provision-environment.cjs loads its machine: as written
// for the local runtime and the tests, and with Task Resources turned into function ARNs for
// serverless.yml (`definition: ${file(statemachines/decommission-environment.cjs):definition}`).

const path = require('node:path');
const provision = require('./provision-environment.cjs');

const DEFINITION_PATH = path.join(__dirname, 'decommission-environment.asl.yaml');

module.exports = {
  DEFINITION_PATH,
  loadDefinition: () => provision.loadDefinition(DEFINITION_PATH),
  taskFunctionKeys: (definition = provision.loadDefinition(DEFINITION_PATH)) => provision.taskFunctionKeys(definition),
  definition: provision.definitionFor(DEFINITION_PATH),
};
