import * as z from 'zod';
import { emailProblem } from '../domain/email';
import { DEFAULT_ROLE_NAME } from '../domain/switch-role';
import type { PollPolicy } from '../domain/polling';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every setting, from environment variables. Parsed once; a bad value stops the function at start with its name. */
export const ConfigSchema = z.object({
  REGISTRY_TABLE: z.string().min(3).default('switchyard-registry'),
  STATE_MACHINE_ARN: z.string().default(''),
  EMAIL_TEMPLATE: z
    .string()
    .default('admin+{slug}@example.com')
    .refine((t) => t.includes('{slug}') || t.includes('{name}'), 'must contain {slug}')
    .refine((t) => !emailProblem(t.replaceAll('{slug}', 'x').replaceAll('{name}', 'x')), 'must give a valid email address'),
  ROLE_NAME: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/)
    .default(DEFAULT_ROLE_NAME),
  CREATE_MISSING_OUS: bool.default(false),
  ACCOUNT_QUOTA: int(1, 100000).default(10),
  ACCOUNT_CREATION_CAP_SECONDS: int(10, 86400).default(1800),
  POLL_FIRST_SECONDS: int(1, 300).default(5),
  POLL_MAX_SECONDS: int(1, 900).default(30),
  ADMIN_EMAIL: z.string().default(''),
  SENDER_EMAIL: z.string().default(''),
  SOURCE_PROFILE: z.string().regex(/^[\w.+@-]+$/).default('default'),
  PUBLIC_BASE_URL: z.string().default(''),
  EVENT_BUS_NAME: z.string().min(1).default('default'),
  /** OU for Slack requests that name none; empty means the command must say ou=. */
  DEFAULT_OU: z.string().default(''),
  /** SSM parameter names (not values) of the signing secrets. */
  SLACK_SIGNING_SECRET_PARAM: z.string().default(''),
  WEBHOOK_SECRET_PARAM: z.string().default(''),
  /** Slack response_url values must start with one of these (comma-separated): an SSRF guard. */
  SLACK_RESPONSE_URL_PREFIXES: z
    .string()
    .default('https://hooks.slack.com/')
    .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean)),
});

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export function pollPolicy(config: Config): PollPolicy {
  return {
    firstSeconds: config.POLL_FIRST_SECONDS,
    maxSeconds: Math.max(config.POLL_FIRST_SECONDS, config.POLL_MAX_SECONDS),
    factor: 1.5,
    capSeconds: config.ACCOUNT_CREATION_CAP_SECONDS,
  };
}
