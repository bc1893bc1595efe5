import * as z from 'zod/mini';
import { deferredSchema } from '../domain/deferred-schema';
import { InvalidInputError } from '../domain/errors';
import { zodFieldErrors } from '../domain/request';
import { ConfigSchema, type Config } from './config';

/**
 * The settings one drift check can be run with, apart from the ones it is configured with. The rest
 * (the registry table, the channels, the schedule) belong to whatever runs the check.
 */
export const DRIFT_CHECK_SETTINGS = ['DRIFT_REMEDIATE', 'DRIFT_CONFIRM_CHECKS', 'DRIFT_CHECK_ROLE', 'DRIFT_WALK_CONCURRENCY', 'DRIFT_RECHECK_SECONDS'] as const;
export type DriftCheckSetting = (typeof DRIFT_CHECK_SETTINGS)[number];
export type DriftCheckSettings = Partial<Record<DriftCheckSetting, string>>;

/**
 * `POST /drift-checks` body (optional): `{ "settings": { "DRIFT_REMEDIATE": "move-back" } }`, each
 * value as its environment variable takes it (a number or boolean is read as its text).
 */
export const DriftCheckRequestSchema = deferredSchema(() => {
  const value = z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform(String));
  const settings = z.strictObject(Object.fromEntries(DRIFT_CHECK_SETTINGS.map((name) => [name, z.optional(value)])) as Record<DriftCheckSetting, z.ZodMiniOptional<typeof value>>);
  return z.strictObject({ settings: z.optional(settings) });
});

const SettingsSchema = deferredSchema(() => z.pick(ConfigSchema, { DRIFT_REMEDIATE: true, DRIFT_CONFIRM_CHECKS: true, DRIFT_CHECK_ROLE: true, DRIFT_WALK_CONCURRENCY: true, DRIFT_RECHECK_SECONDS: true }));

/** The settings among `env`'s variables (unset ones left out). */
export function driftCheckSettingsIn(env: Record<string, string | undefined>): DriftCheckSettings {
  return Object.fromEntries(DRIFT_CHECK_SETTINGS.filter((name) => env[name] !== undefined).map((name) => [name, env[name]!]));
}

/** The config values the given settings stand for; throws InvalidInputError naming each bad one. */
export function driftCheckOverrides(settings: DriftCheckSettings): Partial<Config> {
  const given = DRIFT_CHECK_SETTINGS.filter((name) => settings[name] !== undefined);
  // The config schema fills in defaults; only what was given overrides anything.
  const parsed = SettingsSchema.safeParse(Object.fromEntries(given.map((name) => [name, settings[name]])));
  if (!parsed.success) {
    const fields = zodFieldErrors(parsed.error);
    throw new InvalidInputError(`Invalid drift check settings: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
  }
  return Object.fromEntries(given.map((name) => [name, parsed.data[name]])) as Partial<Config>;
}
