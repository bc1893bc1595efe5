/**
 * The block of `~/.aws/config` that `switchyard sync-config` owns: one stretch of lines between two
 * marker comments, holding a profile per READY environment. Everything outside the markers is the
 * user's and is kept byte for byte (line endings included); the block itself is rebuilt from the API's
 * answer alone, so the same answer gives the same bytes and a second sync changes nothing.
 */

/** Where the block starts and ends. Lines are recognised by their start, so a reworded marker still matches. */
export const BLOCK_BEGIN = '# >>> switchyard: profiles of READY environments, rewritten by `switchyard sync-config`; edits inside this block are lost >>>';
export const BLOCK_END = '# <<< switchyard: end of the managed block <<<';
const BEGIN_PREFIX = '# >>> switchyard';
const END_PREFIX = '# <<< switchyard';
/** What the block holds while no environment is READY: the markers stay, so the block keeps its place. */
export const EMPTY_BLOCK_NOTE = '# (no READY environments)';

/** A problem with the file's markers: nothing is written until a person fixes them. */
export class ConfigBlockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigBlockError';
  }
}

/** One `[profile NAME]` section as the API gave it: the header and its `key = value` lines, trimmed. */
export interface ProfileSection {
  profile: string;
  lines: string[];
  /** From `role_arn` (or `aws_account_id`), for reports. */
  accountId?: string;
}

interface Line {
  /** The line without its terminator. */
  text: string;
  /** `\n`, `\r\n`, or empty for a last line without one. */
  eol: string;
  /** Offset of the line's first character in the file. */
  offset: number;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let offset = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl === -1 ? text.length : nl + 1;
    const piece = text.slice(offset, end);
    const eol = piece.endsWith('\r\n') ? '\r\n' : piece.endsWith('\n') ? '\n' : '';
    lines.push({ text: piece.slice(0, piece.length - eol.length), eol, offset });
    offset = end;
  }
  return lines;
}

const PROFILE_HEADER = /^\s*\[\s*profile\s+([^\]]*?)\s*\]\s*$/;
const DEFAULT_HEADER = /^\s*\[\s*default\s*\]\s*$/;

/**
 * The profile a section header names, as the AWS CLI reads `~/.aws/config`: `[profile NAME]`, and
 * `[default]` for the default profile. Other sections (`[sso-session …]`, `[services …]`) name none.
 */
export function profileOfHeader(line: string): string | undefined {
  const m = PROFILE_HEADER.exec(line);
  if (m) return m[1] || undefined;
  return DEFAULT_HEADER.test(line) ? 'default' : undefined;
}

function isComment(line: string): boolean {
  return /^\s*[#;]/.test(line);
}

/**
 * The profile sections of a file in `~/.aws/config` form (the API's `GET /switch-roles?format=aws-config`):
 * comments, blank lines and anything before the first section are left out.
 */
export function parseProfileSections(text: string): ProfileSection[] {
  const sections: ProfileSection[] = [];
  let current: ProfileSection | undefined;
  for (const { text: raw } of linesOf(text)) {
    const line = raw.trim();
    if (!line || isComment(line)) continue;
    if (line.startsWith('[')) {
      const profile = profileOfHeader(line);
      current = profile ? { profile, lines: [line] } : undefined;
      if (current) sections.push(current);
      continue;
    }
    if (!current) continue;
    current.lines.push(line);
    const m = /^(role_arn\s*=\s*arn:[^:]*:iam::(\d{12}):|aws_account_id\s*=\s*(\d{12})\s*$)/.exec(line);
    if (m && !current.accountId) current.accountId = m[2] ?? m[3];
  }
  return sections;
}

/** Where the block is: the text before its first marker line, the block's lines, and the text after its last. */
export interface BlockLocation {
  before: string;
  block: string;
  after: string;
  /** The block's own line ending (its begin marker's). */
  eol: string;
  /** 1-based line number of the begin marker. */
  line: number;
}

/** The block in `text`, or undefined when there is none; a ConfigBlockError when the markers do not pair up. */
export function locateBlock(text: string, fileName = 'the file'): BlockLocation | undefined {
  const lines = linesOf(text);
  const begins: number[] = [];
  const ends: number[] = [];
  lines.forEach((l, i) => {
    const t = l.text.trimEnd();
    if (t.startsWith(BEGIN_PREFIX)) begins.push(i);
    else if (t.startsWith(END_PREFIX)) ends.push(i);
  });
  if (begins.length === 0 && ends.length === 0) return undefined;
  const at = (indexes: number[]) => indexes.map((i) => i + 1).join(', ');
  const fix = 'Fix the markers by hand (or remove them with the lines between them), then sync again.';
  if (begins.length > 1 || ends.length > 1) {
    throw new ConfigBlockError(`${fileName} has more than one switchyard block (begin markers on line(s) ${at(begins) || 'none'}, end markers on line(s) ${at(ends) || 'none'}). ${fix}`);
  }
  if (begins.length === 0) throw new ConfigBlockError(`${fileName} has a switchyard end marker on line ${at(ends)} but no begin marker. ${fix}`);
  if (ends.length === 0) throw new ConfigBlockError(`${fileName} has a switchyard begin marker on line ${at(begins)} but no end marker. ${fix}`);
  const [b] = begins as [number];
  const [e] = ends as [number];
  if (e < b) throw new ConfigBlockError(`${fileName} has the switchyard end marker (line ${e + 1}) before its begin marker (line ${b + 1}). ${fix}`);
  const start = lines[b]!.offset;
  const stop = lines[e]!.offset + lines[e]!.text.length;
  return { before: text.slice(0, start), block: text.slice(start, stop), after: text.slice(stop), eol: lines[b]!.eol || detectEol(text), line: b + 1 };
}

/** The line ending a file uses: that of its first line, `\n` for a file of one line or none. */
export function detectEol(text: string): string {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/** Every profile defined in `text`, with the 1-based line of its (first) header. */
export function definedProfiles(text: string, firstLine = 1): Map<string, number> {
  const found = new Map<string, number>();
  linesOf(text).forEach((l, i) => {
    const profile = profileOfHeader(l.text);
    if (profile && !found.has(profile)) found.set(profile, firstLine + i);
  });
  return found;
}

export interface SkippedProfile {
  profile: string;
  accountId?: string;
  /** Where the user's own definition is (1-based line of the file as it was). */
  line: number;
  reason: string;
}

export interface BlockSync {
  /** The whole file after the sync. */
  text: string;
  changed: boolean;
  /** Profiles the block holds now, in order. */
  profiles: string[];
  /** In the block now and not before. */
  added: string[];
  /** In the block before and not now (closed or removed environments, or now skipped). */
  removed: string[];
  /** Left out because the file defines them outside the block: the user's own definition wins. */
  skipped: SkippedProfile[];
}

/** The block's text (markers included, no final line ending) for these sections. */
export function renderBlock(sections: readonly ProfileSection[], eol = '\n'): string {
  const body = sections.length ? sections.flatMap((s, i) => [...(i > 0 ? [''] : []), ...s.lines]) : [EMPTY_BLOCK_NOTE];
  return [BLOCK_BEGIN, ...body, BLOCK_END].join(eol);
}

/**
 * The file with its block holding exactly `sections`: replaced where it is, or appended at the end the
 * first time (after a line ending if the file's last line has none). A profile the user defines
 * outside the block is skipped, never defined twice. Throws ConfigBlockError when the markers are broken.
 */
export function syncConfigBlock(current: string, sections: readonly ProfileSection[], fileName?: string): BlockSync {
  const found = locateBlock(current, fileName);
  const before = found ? found.before : current;
  const after = found ? found.after : '';
  const eol = found ? found.eol : detectEol(current);
  const outside = definedProfiles(before);
  const afterLine = found ? found.line + linesOf(found.block).length - 1 : 0;
  for (const [profile, line] of definedProfiles(after, afterLine)) if (!outside.has(profile)) outside.set(profile, line);

  const kept: ProfileSection[] = [];
  const skipped: SkippedProfile[] = [];
  const seen = new Set<string>();
  for (const section of sections) {
    if (seen.has(section.profile)) continue;
    seen.add(section.profile);
    const line = outside.get(section.profile);
    if (line !== undefined) {
      skipped.push({
        profile: section.profile,
        ...(section.accountId ? { accountId: section.accountId } : {}),
        line,
        reason: `the profile ${section.profile} is already defined outside the switchyard block (line ${line}); your definition is kept`,
      });
      continue;
    }
    kept.push(section);
  }

  const block = renderBlock(kept, eol);
  let text: string;
  if (found) text = `${before}${block}${after}`;
  else if (current === '') text = `${block}${eol}`;
  else text = `${current}${current.endsWith('\n') ? '' : eol}${block}${eol}`;

  const previous = found ? [...definedProfiles(found.block).keys()] : [];
  const profiles = kept.map((s) => s.profile);
  return {
    text,
    changed: text !== current,
    profiles,
    added: profiles.filter((p) => !previous.includes(p)),
    removed: previous.filter((p) => !profiles.includes(p)),
    skipped,
  };
}
