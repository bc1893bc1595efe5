import * as z from 'zod';
import { webhookSecretProblem } from '../domain/webhook-secret';
import { emailProblem } from '../domain/email';
import { DEFAULT_ROLE_NAME } from '../domain/switch-role';
import type { PollPolicy } from '../domain/polling';
import { deferredSchema } from '../domain/deferred-schema';

/** Every setting, from environment variables. Parsed once; a bad value stops the function at start with its name. */
export const ConfigSchema = deferredSchema(() => {
  const bool = z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
  const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
  return z.object({
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
    /** The management-account IAM group (or user) allowed to switch into new accounts; empty skips the grant. */
    ADMIN_GROUP: z.string().regex(/^[\w+=,.@-]{0,128}$/).default(''),
    ADMIN_USER: z.string().regex(/^[\w+=,.@-]{0,64}$/).default(''),
    GRANT_POLICY_PREFIX: z.string().regex(/^[\w+=,.@-]{1,100}$/).default('switchyard-admin-access'),
    /** Prepended to account aliases, e.g. `acme-` so `staging` becomes `acme-staging` (aliases are global). */
    ALIAS_PREFIX: z.string().regex(/^[a-z0-9-]{0,20}$/).default(''),
    EVENT_BUS_NAME: z.string().min(1).default('default'),
    /** OU for Slack requests that name none; empty means the command must say ou=. */
    DEFAULT_OU: z.string().default(''),
    /**
     * Signs the page cursors GET /environments and GET /rejections hand out, so a cursor they did not
     * hand out is a 400. The deployment sets a per-stack value; unset, a key is drawn per process (the
     * local runtime: cursors then last until a restart).
     */
    CURSOR_KEY: z.string().default('').refine((v) => v === '' || v.length >= 16, 'must be at least 16 characters'),
    /** SSM parameter names (not values) of the signing secrets. */
    SLACK_SIGNING_SECRET_PARAM: z.string().default(''),
    WEBHOOK_SECRET_PARAM: z.string().default(''),
    /** Slack response_url values must start with one of these (comma-separated): an SSRF guard. */
    SLACK_RESPONSE_URL_PREFIXES: z
      .string()
      .default('https://hooks.slack.com/')
      .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean)),
    /** Notification channels; each empty value leaves its channel out. The Slack URL and the signing secret are SSM parameter names. */
    SLACK_WEBHOOK_URL_PARAM: z.string().default(''),
    /** Operator-set, so any http(s) receiver is allowed; other schemes are a mistake and stop the function at start. */
    NOTIFY_WEBHOOK_URL: z.string().trim().default('').refine((v) => v === '' || isPlainHttpUrl(v), 'must be an http(s) URL without credentials in it'),
    NOTIFY_WEBHOOK_SECRET_PARAM: z.string().default(''),
    /** Account creations in flight at once, across every request (AWS allows 5). */
    MAX_CONCURRENT_CREATES: int(1, 5).default(5),
    /** How long CreateAccount keeps asking for a free creation slot itself before the workflow waits. */
    CREATE_SLOT_WAIT_SECONDS: int(0, 20).default(20),
    /** How long ConfigureAccount waits inside the task for a new account's role before the workflow retries. */
    ROLE_WAIT_SECONDS: int(0, 20).default(10),
    /** How often an environment waiting for a creation slot asks again. */
    CREATE_SLOT_POLL_SECONDS: int(1, 300).default(2),
    /** Checks in a row that must see a finding before it is announced (1 announces at once). */
    DRIFT_CONFIRM_CHECKS: int(1, 10).default(2),
    /** `move-back` returns misplaced accounts to their OU; anything else is only reported. */
    DRIFT_REMEDIATE: z.enum(['', 'off', 'move-back']).default(''),
    /** Also assume each managed account's organization access role (one STS call per account). */
    DRIFT_CHECK_ROLE: bool.default(false),
    /** Organizations requests a drift check keeps in flight at once. */
    DRIFT_WALK_CONCURRENCY: int(1, 16).default(4),
    /** How long a confirming recheck waits after a check left findings unconfirmed. */
    DRIFT_RECHECK_SECONDS: int(0, 900).default(60),
    /** The SQS queue rechecks (and Organizations change events) go through; empty: no rechecks. */
    DRIFT_QUEUE_URL: z.string().default(''),
    NOTIFY_TOPIC_ARN: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/.test(v), 'must be an SNS topic ARN'),
  });
});

export type Config = z.infer<typeof ConfigSchema>;

function isPlainHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // A secret given in the environment (the local runtime) is checked here too, so a malformed one stops
  // the runtime at start; its value never enters the config. On AWS it is read from SSM at run time.
  const webhookSecret = env.WEBHOOK_SECRET ? webhookSecretProblem(env.WEBHOOK_SECRET) : undefined;
  if (webhookSecret) problems.push(`WEBHOOK_SECRET: ${webhookSecret}`);
  if (!parsed.success || problems.length) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return parsed.data;
}

/** The settings status polls follow. */
export type PollSettings = Pick<Config, 'POLL_FIRST_SECONDS' | 'POLL_MAX_SECONDS' | 'ACCOUNT_CREATION_CAP_SECONDS'>;

export function pollPolicy(config: PollSettings): PollPolicy {
  return {
    firstSeconds: config.POLL_FIRST_SECONDS,
    maxSeconds: Math.max(config.POLL_FIRST_SECONDS, config.POLL_MAX_SECONDS),
    factor: 1.5,
    capSeconds: config.ACCOUNT_CREATION_CAP_SECONDS,
  };
}
