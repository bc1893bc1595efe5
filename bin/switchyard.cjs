#!/usr/bin/env node
'use strict';
/**
 * The `switchyard` command of a clone (`npx switchyard …` after `npm ci`): the TypeScript source runs
 * through tsx, as every npm script of the project does, so nothing is built first. tsx's CommonJS
 * hook is enough: the command and what it loads are CommonJS once transpiled.
 */
require('tsx/cjs/api').register();
require('../local/switchyard.ts').run(process.argv.slice(2));
