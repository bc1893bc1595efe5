import fc from 'fast-check';
import { unifiedDiff } from '../../local/switchyard-diff';

const LABELS = { from: 'a/config', to: 'b/config' };

/**
 * Applies a unified diff to `text` the way `patch` does, written here from the format's definition:
 * each hunk's context and removed lines must be found at the line its header names.
 */
function applyPatch(text: string, diff: string): string {
  const source = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const lines = diff.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  expect(lines[0]).toBe(`--- ${LABELS.from}`);
  expect(lines[1]).toBe(`+++ ${LABELS.to}`);
  const out: string[] = [];
  let at = 0;
  let i = 2;
  while (i < lines.length) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]!);
    if (!header) throw new Error(`not a hunk header: ${lines[i]}`);
    const oldStart = Number(header[1]);
    const oldCount = Number(header[2] ?? 1);
    const newCount = Number(header[4] ?? 1);
    // An empty old range names the line after which the hunk goes.
    const start = oldCount === 0 ? oldStart : oldStart - 1;
    while (at < start) out.push(source[at++]!);
    i++;
    let seenOld = 0;
    let seenNew = 0;
    while (i < lines.length && !lines[i]!.startsWith('@@')) {
      const line = lines[i]!;
      const kind = line[0];
      const body = line.slice(1);
      // "\ No newline at end of file" applies to the line just before it.
      const noEol = lines[i + 1] === '\\ No newline at end of file';
      if (kind === ' ' || kind === '-') {
        const actual = source[at]!;
        expect(actual.replace(/\n$/, '')).toBe(body);
        expect(/\n$/.test(actual)).toBe(!noEol);
        at++;
        seenOld++;
        if (kind === ' ') {
          out.push(actual);
          seenNew++;
        }
      } else if (kind === '+') {
        out.push(noEol ? body : `${body}\n`);
        seenNew++;
      } else {
        throw new Error(`unexpected line in hunk: ${line}`);
      }
      i += noEol ? 2 : 1;
    }
    expect([seenOld, seenNew]).toEqual([oldCount, newCount]);
  }
  while (at < source.length) out.push(source[at++]!);
  return out.join('');
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', LABELS)).toBe('');
  });

  it('writes what diff -u writes for a block appended to a file without a final newline', () => {
    const before = '[default]\nregion = x\n\n[profile mine]\nregion = y';
    const after = '[default]\nregion = x\n\n[profile mine]\nregion = y\n# >>> block\n[profile a]\n# <<< block\n';
    expect(unifiedDiff(before, after, LABELS)).toBe(
      [
        '--- a/config',
        '+++ b/config',
        '@@ -2,4 +2,7 @@',
        ' region = x',
        ' ',
        ' [profile mine]',
        '-region = y',
        '\\ No newline at end of file',
        '+region = y',
        '+# >>> block',
        '+[profile a]',
        '+# <<< block',
        '',
      ].join('\n'),
    );
  });

  it('keeps changes far apart in separate hunks with three lines of context', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join('');
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', '');
    expect(unifiedDiff(before, after, LABELS)).toBe(
      [
        '--- a/config',
        '+++ b/config',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -15,6 +15,5 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
  });

  it('diffs from and to an empty file', () => {
    expect(unifiedDiff('', 'a\n', LABELS)).toBe('--- a/config\n+++ b/config\n@@ -0,0 +1,1 @@\n+a\n');
    expect(unifiedDiff('a\nb\n', '', LABELS)).toBe('--- a/config\n+++ b/config\n@@ -1,2 +0,0 @@\n-a\n-b\n');
  });

  it('shows a change of line ending as a change', () => {
    expect(unifiedDiff('a\r\nb\n', 'a\nb\n', LABELS)).toBe('--- a/config\n+++ b/config\n@@ -1,2 +1,2 @@\n-a\r\n+a\n b\n');
  });

  it('turns any text into any other when applied (checked by an applier written from the format)', () => {
    const line = fc.constantFrom('a', 'b', 'c', '[profile x]', 'role_arn = y', '', 'a\r');
    const text = fc.tuple(fc.array(line, { maxLength: 25 }), fc.boolean()).map(([ls, finalNewline]) => (ls.length ? `${ls.join('\n')}${finalNewline ? '\n' : ''}` : ''));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = unifiedDiff(before, after, LABELS);
        expect(diff === '').toBe(before === after);
        if (diff) expect(applyPatch(before, diff)).toBe(after);
      }),
      { numRuns: 300 },
    );
  });
});
