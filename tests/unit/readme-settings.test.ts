import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every setting the code reads is documented in the README's Configuration table. The names are
 * gathered from the source text (environment reads and the config schema's keys), not from a list
 * the code keeps, so a new setting without a README row fails here.
 */
const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') || path.endsWith('.cjs') ? [path] : [];
  });
}

/** Variables the platform or the SDK defines, not Switchyard settings. */
const NOT_SETTINGS = /^(AWS_|NODE_|PATH$|HOME$|CI$|POWERTOOLS_SERVICE_NAME$)/;

function settingsReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of ['local', 'shared', 'functions', 'cli'].flatMap((d) => {
    try {
      return sourceFiles(join(ROOT, d));
    } catch {
      return [];
    }
  })) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:env|process\.env)(?:\.|\[['"])([A-Z][A-Z0-9_]{2,})/g)) names.add(m[1]!);
    // `getenv('X')`-style helpers and lookup tables of variable names: 'SLACK_SIGNING_SECRET' as a string value.
    for (const m of text.matchAll(/:\s*'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) if (/secret|url|key/i.test(m[1]!)) names.add(m[1]!);
  }
  // The Config interface's fields are settings whether or not a file reads them by name.
  const config = readFileSync(join(ROOT, 'shared', 'lambda', 'config.ts'), 'utf8');
  const fields = /^export interface Config \{$([\s\S]*?)^\}$/m.exec(config)?.[1] ?? '';
  for (const m of fields.matchAll(/^ {2}([A-Z][A-Z0-9_]{2,}):/gm)) names.add(m[1]!);
  return new Set([...names].filter((n) => !NOT_SETTINGS.test(n)));
}

function settingsInReadme(): Set<string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Configuration\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const m of firstCell.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)) names.add(m[1]!);
  }
  return names;
}

test('the README Configuration table has a row for every setting the code reads', () => {
  const documented = settingsInReadme();
  const missing = [...settingsReadByCode()].filter((name) => !documented.has(name)).sort();
  expect(missing).toEqual([]);
});

test('the README Configuration table documents only settings that exist', () => {
  const read = settingsReadByCode();
  const stale = [...settingsInReadme()].filter((name) => !read.has(name)).sort();
  expect(stale).toEqual([]);
});

test('the settings scan finds the settings it must (a guard against a scan that finds nothing)', () => {
  const read = settingsReadByCode();
  for (const name of ['ADMIN_GROUP', 'ADMIN_USER', 'SWITCHYARD_ENSURE_TABLE', 'SWITCHYARD_DATA_DIR', 'SLACK_SIGNING_SECRET', 'PORT']) {
    expect(read.has(name)).toBe(true);
  }
});
