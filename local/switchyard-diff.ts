/**
 * A unified diff (the `diff -u` / `git diff` form that `patch` applies) of two texts, for
 * `switchyard sync-config --dry-run`. Lines are compared with their line endings, so a change of
 * ending shows; a last line without one is marked `\ No newline at end of file`.
 */

interface Piece {
  /** The line as shown: without its `\n`, with the `\r` of a CRLF ending, as diff -u shows it (so patch restores it). */
  text: string;
  /** The line as compared (with its terminator). */
  raw: string;
  last: boolean;
}

function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  let offset = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl === -1 ? text.length : nl + 1;
    const raw = text.slice(offset, end);
    out.push({ raw, text: raw.replace(/\n$/, ''), last: nl === -1 });
    offset = end;
  }
  return out;
}

type Op = { kind: ' ' | '-' | '+'; a: number; b: number };

/** Largest table the exact comparison fills (cells); beyond it the middle is shown as removed then added. */
const MAX_CELLS = 4_000_000;

/**
 * The edit script from `a` to `b`: the common start and end are matched first (the managed block is
 * usually all that differs), the middle by a longest-common-subsequence table while it stays small.
 */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: ' ', a: i, b: i });
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= MAX_CELLS) {
    // lcs[i][j]: length of the longest common subsequence of a[head+i..] and b[head+j..].
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = a[head + i] === b[head + j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] === b[head + j]) {
        ops.push({ kind: ' ', a: head + i++, b: head + j++ });
      } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
        // Removals before additions, as diff -u shows a changed stretch.
        ops.push({ kind: '-', a: head + i++, b: head + j });
      } else {
        ops.push({ kind: '+', a: head + i, b: head + j++ });
      }
    }
  } else {
    for (let i = 0; i < n; i++) ops.push({ kind: '-', a: head + i, b: head + m });
    for (let j = 0; j < m; j++) ops.push({ kind: '+', a: head + n, b: head + j });
  }
  for (let i = 0; i < tail; i++) ops.push({ kind: ' ', a: head + n + i, b: head + m + i });
  return ops;
}

/** `start,count` as a hunk header gives it: an empty range names the line before it. */
function range(start: number, count: number): string {
  return `${count === 0 ? start : start + 1},${count}`;
}

/** The unified diff of `before` and `after` (empty when they are equal), with `context` lines around each change. */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  if (before === after) return '';
  const a = pieces(before);
  const b = pieces(after);
  const ops = editScript(
    a.map((p) => p.raw),
    b.map((p) => p.raw),
  );
  const changed = ops.map((op, i) => (op.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  // Group the changes whose context overlaps into hunks.
  const hunks: Array<[number, number]> = [];
  for (const i of changed) {
    const from = Math.max(0, i - context);
    const to = Math.min(ops.length - 1, i + context);
    const last = hunks[hunks.length - 1];
    if (last && from <= last[1] + 1) last[1] = to;
    else hunks.push([from, to]);
  }
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  for (const [from, to] of hunks) {
    const slice = ops.slice(from, to + 1);
    const aCount = slice.filter((op) => op.kind !== '+').length;
    const bCount = slice.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(slice[0]!.a, aCount)} +${range(slice[0]!.b, bCount)} @@`);
    for (const op of slice) {
      const piece = op.kind === '+' ? b[op.b]! : a[op.a]!;
      out.push(`${op.kind}${piece.text}`);
      if (piece.last) out.push('\\ No newline at end of file');
    }
  }
  return `${out.join('\n')}\n`;
}
