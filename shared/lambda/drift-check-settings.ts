import { InvalidInputError, type FieldError } from '../domain/errors';
import { kindOf, object, optional } from '../domain/record-shape';
import { InvalidSetting, SETTING_PARSERS, type Config } from './config';

/**
 * The settings one drift check can be run with, apart from the ones it is configured with. The rest
 * (the registry table, the channels, the schedule) belong to whatever runs the check.
 */
export const DRIFT_CHECK_SETTINGS = ['DRIFT_REMEDIATE', 'DRIFT_CONFIRM_CHECKS', 'DRIFT_CHECK_ROLE', 'DRIFT_WALK_CONCURRENCY', 'DRIFT_RECHECK_SECONDS'] as const;
export type DriftCheckSetting = (typeof DRIFT_CHECK_SETTINGS)[number];
export type DriftCheckSettings = Partial<Record<DriftCheckSetting, string>>;

/** A setting's value as its environment variable takes it: text, or a number or boolean read as its text. */
const settingValue = optional<string>((value, path, issues) => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  issues.push({ path, message: `expected a string, number or boolean, received ${kindOf(value)}` });
  return '';
});

/**
 * `POST /drift-checks` body (optional): `{ "settings": { "DRIFT_REMEDIATE": "move-back" } }`, each
 * value as its environment variable takes it (a number or boolean is read as its text). Anything
 * else in it is refused, by name.
 */
export const DriftCheckRequest = object(
  { settings: optional(object(Object.fromEntries(DRIFT_CHECK_SETTINGS.map((name) => [name, settingValue])) as Record<DriftCheckSetting, typeof settingValue>, 'refuse')) },
  'refuse',
);

/** The settings among `env`'s variables (unset ones left out). */
export function driftCheckSettingsIn(env: Record<string, string | undefined>): DriftCheckSettings {
  return Object.fromEntries(DRIFT_CHECK_SETTINGS.filter((name) => env[name] !== undefined).map((name) => [name, env[name]!]));
}

/** The config values the given settings stand for; throws InvalidInputError naming each bad one. */
export function driftCheckOverrides(settings: DriftCheckSettings): Partial<Config> {
  // Each setting is read as its environment variable is; only what was given overrides anything.
  const overrides: Partial<Record<DriftCheckSetting, unknown>> = {};
  const fields: FieldError[] = [];
  for (const name of DRIFT_CHECK_SETTINGS) {
    const raw = settings[name];
    if (raw === undefined) continue;
    const value = SETTING_PARSERS[name](raw);
    if (value instanceof InvalidSetting) for (const message of value.problems) fields.push({ field: name, message });
    else overrides[name] = value;
  }
  if (fields.length) throw new InvalidInputError(`Invalid drift check settings: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
  return overrides as Partial<Config>;
}
