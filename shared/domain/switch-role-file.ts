import { InvalidInputError } from './errors';

/** How one environment's switch-role details can be asked for. */
export const SWITCH_ROLE_FORMATS = ['json', 'url', 'aws-config', 'extension'] as const;
export type SwitchRoleFormat = (typeof SWITCH_ROLE_FORMATS)[number];

/** The forms that make sense as one file for every environment: the link and JSON do not concatenate. */
export const SWITCH_ROLE_FILE_FORMATS = ['aws-config', 'extension'] as const;
export type SwitchRoleFileFormat = (typeof SWITCH_ROLE_FILE_FORMATS)[number];

/** What `GET /switch-roles` returns: one of the files, or the switch-role hub page as one HTML file. */
export const SWITCH_ROLES_FORMATS = [...SWITCH_ROLE_FILE_FORMATS, 'html'] as const;
export type SwitchRolesFormat = (typeof SWITCH_ROLES_FORMATS)[number];

/** The AWS CLI's own profile-name rules are loose; this keeps a value safe inside `source_profile = …`. */
export const SOURCE_PROFILE_PATTERN = /^[\w.+@-]{1,64}$/;

/** Reads `?format=`: absent means the default; anything else must be one of `allowed`. */
export function parseFormat<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidInputError(`format must be one of ${allowed.join(', ')} (got "${value}").`, [{ field: 'format', message: `must be one of ${allowed.join(', ')}` }]);
}

/** Reads `?source_profile=`: absent means the configured one. */
export function parseSourceProfile(value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (SOURCE_PROFILE_PATTERN.test(value)) return value;
  throw new InvalidInputError('source_profile must be 1 to 64 letters, digits or . _ + @ -', [
    { field: 'source_profile', message: 'must match ^[\\w.+@-]{1,64}$' },
  ]);
}

/**
 * Makes profile names unique within one file, keeping the input order. The first environment with
 * a name keeps it; later ones get `-2`, `-3`, … skipping any name another environment has on its own,
 * so a suffix never takes the plain name of an environment further down the list. Names in
 * `reserved` are never handed out: a profile that shadows the admin's source profile (or `default`)
 * would replace it when the file is appended to ~/.aws/config.
 */
export function uniqueProfileNames(bases: readonly string[], reserved: readonly string[] = []): string[] {
  const taken = new Set(reserved);
  const own = new Set(bases);
  return bases.map((base) => {
    if (!taken.has(base)) {
      taken.add(base);
      return base;
    }
    for (let n = 2; ; n++) {
      const candidate = `${base}-${n}`;
      if (!taken.has(candidate) && !own.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  });
}

/** One file from profile sections, with a header saying where it came from and when. */
export function switchRoleFile(sections: readonly string[], generatedAt: Date): string {
  const header = `# Switchyard switch roles, generated ${generatedAt.toISOString()}\n`;
  return [header, ...sections.map((s) => (s.endsWith('\n') ? s : `${s}\n`))].join('\n');
}

/** The download name a browser or `curl -OJ` gives the file. */
export function switchRoleFileName(format: SwitchRolesFormat): string {
  return format === 'html' ? 'switchyard-hub.html' : `switchyard-${format}`;
}
