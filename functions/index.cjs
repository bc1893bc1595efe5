'use strict';
// The one list of functions: every functions/<verb-noun>/function.yml, read for two readers.
//
// - serverless.yml takes `functions: ${file(functions/index.cjs):functions}` and
//   `${file(functions/index.cjs):resources}`: each file's `function` under the camelCase of its folder
//   name (`check-account-status` -> `checkAccountStatus`), and its `resources` merged into one.
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

/** Each function folder with its function.yml parsed, in folder order. A folder without one is a mistake, not a skip. */
function readFolders() {
  return fs
    .readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((folder) => {
      const file = path.join(FUNCTIONS_DIR, folder, FILE_NAME);
      if (!fs.existsSync(file)) throw new Error(`functions/${folder} has no ${FILE_NAME}; every folder under functions/ is one function`);
      const doc = YAML.parse(fs.readFileSync(file, 'utf8'), { customTags: CLOUDFORMATION_TAGS, prettyErrors: true });
      if (!doc || typeof doc.function !== 'object') throw new Error(`functions/${folder}/${FILE_NAME} has no \`function:\``);
      if (!String(doc.function.handler ?? '').startsWith(`functions/${folder}/`)) {
        throw new Error(`functions/${folder}/${FILE_NAME}: the handler ${JSON.stringify(doc.function.handler)} is not in functions/${folder}/`);
      }
      return { folder, key: functionKey(folder), doc };
    });
}

/** serverless.yml's `functions`: every function by its key. */
function functions() {
  return Object.fromEntries(readFolders().map(({ key, doc }) => [key, doc.function]));
}

/**
 * serverless.yml's `resources` from every function.yml, merged into one. Two files defining the same
 * logical id would otherwise be merged by osls into one resource without a word; here it is an error.
 */
function resources() {
  const merged = {};
  const owner = new Map();
  for (const { folder, doc } of readFolders()) {
    for (const [section, entries] of Object.entries(doc.resources ?? {})) {
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
  return readFolders().map(({ key, doc }) => {
    const handler = String(doc.function.handler);
    const dot = handler.lastIndexOf('.');
    const events = doc.function.events ?? [];
    return {
      key,
      module: handler.slice(0, dot),
      export: handler.slice(dot + 1),
      routes: events.filter((e) => e.httpApi).map((e) => ({ method: String(e.httpApi.method).toUpperCase(), path: e.httpApi.path })),
      rules: events
        .filter((e) => e.eventBridge)
        .flatMap((e) => e.eventBridge.pattern.source.flatMap((source) => e.eventBridge.pattern['detail-type'].map((detailType) => ({ source, detailType })))),
    };
  });
}

module.exports = { functions, resources, functionTable, functionKey, CLOUDFORMATION_TAGS };
