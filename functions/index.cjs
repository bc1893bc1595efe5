'use strict';
// The one list of functions: every functions/<verb-noun>/function.yml, read for two readers.
//
// - serverless.yml takes `functions: ${file(functions/index.cjs):functions}` and
//   `${file(functions/index.cjs):resources}`: each file's `function` under the camelCase of its folder
//   name (`check-account-status` -> `checkAccountStatus`), and its `resources` merged into one. A
//   folder with one entry point per trigger lists them under `functions` instead, each key starting
//   with that camelCase name (`checkDrift`, `checkDriftOnSchedule`).
// - The local runtime (local/functions.ts, local/routes.ts) takes `functionTable()`: each function's
//   handler module and export, its HTTP API routes and its EventBridge rules.
//
// CommonJS because osls `require`s it while resolving serverless.yml. The files are parsed with the
// CloudFormation short forms (`!Ref`, `!GetAtt`, `!Sub`, `!If`, …) turned into their long forms, as
// osls itself reads YAML, so the merged template is the one separate `${file(...yml)}` entries gave.

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const FUNCTIONS_DIR = __dirname;
const FILE_NAME = 'function.yml';

/** The intrinsic functions osls's YAML schema knows by their short form (lib/utils/serverless-utils/cloudformation-schema.js). */
const INTRINSICS = ['And', 'Base64', 'Cidr', 'Condition', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'GetStackOutput', 'If', 'ImportValue', 'Join', 'Not', 'Or', 'Ref', 'Select', 'Split', 'Sub', 'Transform'];

/** `!Ref X` -> `{ Ref: X }`, `!GetAtt A.B` -> `{ 'Fn::GetAtt': ['A', 'B'] }`, `!Sub s` -> `{ 'Fn::Sub': s }`. */
function longForm(name, value) {
  if (name === 'GetAtt' && typeof value === 'string') {
    const [first, ...rest] = value.split('.');
    value = [first, rest.join('.')];
  }
  return { [name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`]: value };
}

const CLOUDFORMATION_TAGS = INTRINSICS.flatMap((name) => [
  { tag: `!${name}`, resolve: (text) => longForm(name, text) },
  { tag: `!${name}`, collection: 'seq', resolve: (seq) => longForm(name, seq.toJSON()) },
  { tag: `!${name}`, collection: 'map', resolve: (map) => longForm(name, map.toJSON()) },
]);

/** `check-account-status` -> `checkAccountStatus`: the function key, as serverless.yml names functions. */
function functionKey(folder) {
  return folder.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/**
 * Each function folder with its function.yml parsed (YAML anchors become copies), in folder order, and
 * its functions by key. A folder without the file is a mistake, not a skip.
 */
function readFolders() {
  return fs
    .readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((folder) => {
      const where = `functions/${folder}/${FILE_NAME}`;
      const file = path.join(FUNCTIONS_DIR, folder, FILE_NAME);
      if (!fs.existsSync(file)) throw new Error(`functions/${folder} has no ${FILE_NAME}; every folder under functions/ holds its functions`);
      const doc = JSON.parse(JSON.stringify(YAML.parse(fs.readFileSync(file, 'utf8'), { customTags: CLOUDFORMATION_TAGS, prettyErrors: true }) ?? {}));
      const base = functionKey(folder);
      if (Boolean(doc.function) === Boolean(doc.functions)) throw new Error(`${where} needs either \`function:\` or \`functions:\``);
      const entries = doc.function ? [[base, doc.function]] : Object.entries(doc.functions);
      for (const [key, definition] of entries) {
        if (!key.startsWith(base)) throw new Error(`${where}: the function key ${key} does not start with ${base}`);
        if (!String(definition?.handler ?? '').startsWith(`functions/${folder}/`)) {
          throw new Error(`${where}: the handler ${JSON.stringify(definition?.handler)} of ${key} is not in functions/${folder}/`);
        }
      }
      return { folder, functions: entries, resources: doc.resources ?? {} };
    });
}

/** serverless.yml's `functions`: every function by its key. */
function functions() {
  const all = {};
  for (const { folder, functions: entries } of readFolders()) {
    for (const [key, definition] of entries) {
      if (Object.hasOwn(all, key)) throw new Error(`functions/${folder}: the function key ${key} is taken`);
      all[key] = definition;
    }
  }
  return all;
}

/**
 * serverless.yml's `resources` from every function.yml, merged into one. Two files defining the same
 * logical id would otherwise be merged by osls into one resource without a word; here it is an error.
 */
function resources() {
  const merged = {};
  const owner = new Map();
  for (const { folder, resources: sections } of readFolders()) {
    for (const [section, entries] of Object.entries(sections)) {
      merged[section] ??= {};
      for (const [id, value] of Object.entries(entries ?? {})) {
        const where = `${section}.${id}`;
        if (owner.has(where)) throw new Error(`${where} is defined in both functions/${owner.get(where)} and functions/${folder}`);
        owner.set(where, folder);
        merged[section][id] = value;
      }
    }
  }
  return merged;
}

/**
 * What the local runtime serves: each function's handler (`functions/x/handler.handler` as the module
 * path and the export), its HTTP API routes and the EventBridge rules that target it.
 */
function functionTable() {
  return readFolders().flatMap(({ functions: entries }) =>
    entries.map(([key, definition]) => {
      const handler = String(definition.handler);
      const dot = handler.lastIndexOf('.');
      const events = definition.events ?? [];
      return {
        key,
        module: handler.slice(0, dot),
        export: handler.slice(dot + 1),
        routes: events.filter((e) => e.httpApi).map((e) => ({ method: String(e.httpApi.method).toUpperCase(), path: e.httpApi.path })),
        rules: events
          .filter((e) => e.eventBridge)
          .flatMap((e) => e.eventBridge.pattern.source.flatMap((source) => e.eventBridge.pattern['detail-type'].map((detailType) => ({ source, detailType })))),
      };
    }),
  );
}

module.exports = { functions, resources, functionTable, functionKey, CLOUDFORMATION_TAGS };
