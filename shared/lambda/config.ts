import { webhookSecretProblem } from '../domain/webhook-secret';
import { emailProblem } from '../domain/email';
import { DEFAULT_ROLE_NAME } from '../domain/switch-role';
import type { PollPolicy } from '../domain/polling';
import { parseApprovalOus, parseApprovers } from '../domain/approval';
import { parseDuration } from '../domain/duration';
import { parseLeaseDefaults } from '../domain/lease';
import { parseCloseQuota, type CloseQuota } from '../domain/close-quota';

/**
 * Every setting, from environment variables. Parsed once; a bad value stops the function at start with its name.
 *
 * The parser is written by hand rather than as a schema: every cold start reads the configuration,
 * and building a schema of this many fields cost milliseconds of each one (bench/bundles.ts).
 */
export interface Config {
  REGISTRY_TABLE: string;
  STATE_MACHINE_ARN: string;
  /** The DecommissionEnvironment state machine (set by the deployment on the functions that close accounts). */
  DECOMMISSION_STATE_MACHINE_ARN: string;
  EMAIL_TEMPLATE: string;
  ROLE_NAME: string;
  CREATE_MISSING_OUS: boolean;
  ACCOUNT_QUOTA: number;
  ACCOUNT_CREATION_CAP_SECONDS: number;
  POLL_FIRST_SECONDS: number;
  POLL_MAX_SECONDS: number;
  /**
   * How long the workflow waits for Organizations' CreateAccountResult event before it asks for the
   * creation's status itself (a backstop for a lost event); 0: no events expected, poll only.
   */
  CREATION_EVENT_WAIT_SECONDS: number;
  ADMIN_EMAIL: string;
  SENDER_EMAIL: string;
  SOURCE_PROFILE: string;
  PUBLIC_BASE_URL: string;
  /** The management-account IAM group (or user) allowed to switch into new accounts; empty skips the grant. */
  ADMIN_GROUP: string;
  ADMIN_USER: string;
  GRANT_POLICY_PREFIX: string;
  /** Prepended to account aliases, e.g. `acme-` so `staging` becomes `acme-staging` (aliases are global). */
  ALIAS_PREFIX: string;
  EVENT_BUS_NAME: string;
  /** OU for Slack requests that name none; empty means the command must say ou=. */
  DEFAULT_OU: string;
  /**
   * Signs the page cursors GET /environments and GET /rejections hand out, so a cursor they did not
   * hand out is a 400. The deployment sets a per-stack value; unset, a key is drawn per process (the
   * local runtime: cursors then last until a restart).
   */
  CURSOR_KEY: string;
  /** SSM parameter names (not values) of the signing secrets. */
  SLACK_SIGNING_SECRET_PARAM: string;
  WEBHOOK_SECRET_PARAM: string;
  /** Slack response_url values must start with one of these (comma-separated): an SSRF guard. */
  SLACK_RESPONSE_URL_PREFIXES: string[];
  /** Notification channels; each empty value leaves its channel out. The Slack URL and the signing secret are SSM parameter names. */
  SLACK_WEBHOOK_URL_PARAM: string;
  /** Operator-set, so any http(s) receiver is allowed; other schemes are a mistake and stop the function at start. */
  NOTIFY_WEBHOOK_URL: string;
  NOTIFY_WEBHOOK_SECRET_PARAM: string;
  /** Account creations in flight at once, across every request (AWS allows 5). */
  MAX_CONCURRENT_CREATES: number;
  /** How long CreateAccount keeps asking for a free creation slot itself before the workflow waits. */
  CREATE_SLOT_WAIT_SECONDS: number;
  /** How long ConfigureAccount waits inside the task for a new account's role before the workflow retries. */
  ROLE_WAIT_SECONDS: number;
  /** How often an environment waiting for a creation slot asks again. */
  CREATE_SLOT_POLL_SECONDS: number;
  /** Checks in a row that must see a finding before it is announced (1 announces at once). */
  DRIFT_CONFIRM_CHECKS: number;
  /** `move-back` returns misplaced accounts to their OU; anything else is only reported. */
  DRIFT_REMEDIATE: '' | 'off' | 'move-back';
  /** Also assume each managed account's organization access role (one STS call per account). */
  DRIFT_CHECK_ROLE: boolean;
  /** Organizations requests a drift check keeps in flight at once. */
  DRIFT_WALK_CONCURRENCY: number;
  /** How long a confirming recheck waits after a check left findings unconfirmed. */
  DRIFT_RECHECK_SECONDS: number;
  /** The SQS queue rechecks (and Organizations change events) go through; empty: no rechecks. */
  DRIFT_QUEUE_URL: string;
  NOTIFY_TOPIC_ARN: string;
  /** OU paths (comma-separated) whose requests, for the OU or any OU below it, wait for an approver's yes. */
  APPROVAL_OUS: string[];
  /** Who may decide: Slack user ids, IAM principal ARNs, `local:NAME` (comma-separated). */
  APPROVERS: string[];
  /** How long a request waits for a decision before it is rejected as APPROVAL_EXPIRED (ISO 8601; seconds here). */
  APPROVAL_TIMEOUT: number;
  /** Leases by OU when a request names no ttl: `Sandbox=P30D,Workloads/Staging=P14D` (the most specific OU wins). */
  LEASE_DEFAULTS: Array<{ ou: string; seconds: number }>;
  /** The longest lease a request or an extension may have (ISO 8601; seconds here). */
  LEASE_MAX: number;
  /** The shortest lease (seconds): an hour, lowered for local trials and tests. */
  SWITCHYARD_MIN_LEASE_SECONDS: number;
  /** When to remind before a lease ends (ISO 8601, comma-separated, before the end): seconds, longest first, each once. */
  LEASE_REMINDERS: number[];
  /** Closings allowed in a rolling 30 days: `default` (CloseAccount's API reference rule) or a number. */
  CLOSE_QUOTA: CloseQuota;
  /** Where closed accounts are moved before CloseAccount (created when missing). */
  CLOSED_OU: string;
}

/** What a setting's parser answers for a value it refuses: what is wrong with it (each problem is reported with the setting's name). */
export class InvalidSetting {
  constructor(readonly problems: readonly string[]) {}
}

/** Reads one setting's environment variable (undefined when unset, which gives the default). */
export type SettingParser<T> = (raw: string | undefined) => T | InvalidSetting;

const IAM_NAME = 'letters, digits and + = , . @ _ -';

/** Any text; `problem` says what is wrong with a value, if anything. The default is not checked. */
function text(fallback: string, problem?: (value: string) => string | undefined): SettingParser<string> {
  return (raw) => {
    if (raw === undefined) return fallback;
    const found = problem?.(raw);
    return found === undefined ? raw : new InvalidSetting([found]);
  };
}

/** Text that must match `pattern`; `expected` says in words what it matches. */
function matching(fallback: string, pattern: RegExp, expected: string): SettingParser<string> {
  return text(fallback, (value) => (pattern.test(value) ? undefined : `must be ${expected}`));
}

/** Text with surrounding whitespace removed, then checked. */
function trimmed(check: (value: string) => boolean, expected: string): SettingParser<string> {
  return (raw) => {
    const value = (raw ?? '').trim();
    return value === '' || check(value) ? value : new InvalidSetting([expected]);
  };
}

/**
 * A whole number in [min, max], read as Number() reads it (as the schema this replaced did): spaces
 * around it are ignored, `1e3` and `0x10` are numbers, and an empty value is 0.
 */
function int(fallback: number, min: number, max: number): SettingParser<number> {
  return (raw) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    return Number.isInteger(value) && value >= min && value <= max ? value : new InvalidSetting([`must be a whole number from ${min} to ${max}`]);
  };
}

/** `true`, `1` and `yes` are true; `false`, `0`, `no` and empty are false; anything else is refused. */
function bool(fallback: boolean): SettingParser<boolean> {
  return (raw) => {
    switch (raw) {
      case undefined:
        return fallback;
      case 'true':
      case '1':
      case 'yes':
        return true;
      case 'false':
      case '0':
      case 'no':
      case '':
        return false;
      default:
        return new InvalidSetting(['must be true, false, yes, no, 1, 0 or empty']);
    }
  };
}

/** A parser that answers a value or a problem string; the default text is parsed too. */
function parsedWith<T>(fallback: string, parse: (value: string) => T | string): SettingParser<T> {
  return (raw) => {
    const value = parse(raw ?? fallback);
    return typeof value === 'string' ? new InvalidSetting([value]) : value;
  };
}

/** `P7D,P1D`: durations, each checked; the first at fault is named. */
function parseDurations(value: string): number[] | string {
  const out: number[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const seconds = parseDuration(entry);
    if (typeof seconds === 'string') return `${JSON.stringify(entry)} ${seconds}`;
    out.push(seconds);
  }
  return [...new Set(out)].sort((x, y) => y - x);
}

function commaList(value: string): string[] {
  return value.split(',').map((p) => p.trim()).filter(Boolean);
}

function isPlainHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

const SNS_TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;

/** Each setting's parser, in the order their problems are reported. */
export const SETTING_PARSERS: { readonly [K in keyof Config]: SettingParser<Config[K]> } = {
  REGISTRY_TABLE: text('switchyard-registry', (v) => (v.length >= 3 ? undefined : 'must be at least 3 characters')),
  STATE_MACHINE_ARN: text(''),
  DECOMMISSION_STATE_MACHINE_ARN: text(''),
  EMAIL_TEMPLATE: (raw) => {
    const template = raw ?? 'admin+{slug}@example.com';
    const problems: string[] = [];
    if (!template.includes('{slug}') && !template.includes('{name}')) problems.push('must contain {slug}');
    if (emailProblem(template.replaceAll('{slug}', 'x').replaceAll('{name}', 'x'))) problems.push('must give a valid email address');
    return problems.length ? new InvalidSetting(problems) : template;
  },
  ROLE_NAME: matching(DEFAULT_ROLE_NAME, /^[\w+=,.@-]{1,64}$/, `1 to 64 ${IAM_NAME}`),
  CREATE_MISSING_OUS: bool(false),
  ACCOUNT_QUOTA: int(10, 1, 100000),
  ACCOUNT_CREATION_CAP_SECONDS: int(1800, 10, 86400),
  POLL_FIRST_SECONDS: int(5, 1, 300),
  POLL_MAX_SECONDS: int(30, 1, 900),
  CREATION_EVENT_WAIT_SECONDS: int(120, 0, 3600),
  ADMIN_EMAIL: text(''),
  SENDER_EMAIL: text(''),
  SOURCE_PROFILE: matching('default', /^[\w.+@-]+$/, 'a profile name: one or more letters, digits and . + @ _ -'),
  PUBLIC_BASE_URL: text(''),
  ADMIN_GROUP: matching('', /^[\w+=,.@-]{0,128}$/, `empty or up to 128 ${IAM_NAME}`),
  ADMIN_USER: matching('', /^[\w+=,.@-]{0,64}$/, `empty or up to 64 ${IAM_NAME}`),
  GRANT_POLICY_PREFIX: matching('switchyard-admin-access', /^[\w+=,.@-]{1,100}$/, `1 to 100 ${IAM_NAME}`),
  ALIAS_PREFIX: matching('', /^[a-z0-9-]{0,20}$/, 'empty or up to 20 lowercase letters, digits and hyphens'),
  EVENT_BUS_NAME: text('default', (v) => (v.length >= 1 ? undefined : 'must not be empty')),
  DEFAULT_OU: text(''),
  CURSOR_KEY: text('', (v) => (v === '' || v.length >= 16 ? undefined : 'must be at least 16 characters')),
  SLACK_SIGNING_SECRET_PARAM: text(''),
  WEBHOOK_SECRET_PARAM: text(''),
  SLACK_RESPONSE_URL_PREFIXES: (raw) => commaList(raw ?? 'https://hooks.slack.com/'),
  SLACK_WEBHOOK_URL_PARAM: text(''),
  NOTIFY_WEBHOOK_URL: trimmed(isPlainHttpUrl, 'must be an http(s) URL without credentials in it'),
  NOTIFY_WEBHOOK_SECRET_PARAM: text(''),
  MAX_CONCURRENT_CREATES: int(5, 1, 5),
  CREATE_SLOT_WAIT_SECONDS: int(20, 0, 20),
  ROLE_WAIT_SECONDS: int(10, 0, 20),
  CREATE_SLOT_POLL_SECONDS: int(2, 1, 300),
  DRIFT_CONFIRM_CHECKS: int(2, 1, 10),
  DRIFT_REMEDIATE: (raw) => {
    const value = raw ?? '';
    return value === '' || value === 'off' || value === 'move-back' ? value : new InvalidSetting(['must be move-back, off or empty']);
  },
  DRIFT_CHECK_ROLE: bool(false),
  DRIFT_WALK_CONCURRENCY: int(4, 1, 16),
  DRIFT_RECHECK_SECONDS: int(60, 0, 900),
  DRIFT_QUEUE_URL: text(''),
  NOTIFY_TOPIC_ARN: trimmed((v) => SNS_TOPIC_ARN.test(v), 'must be an SNS topic ARN'),
  APPROVAL_OUS: parsedWith('', parseApprovalOus),
  APPROVERS: parsedWith('', parseApprovers),
  APPROVAL_TIMEOUT: parsedWith('P3D', (value) => {
    const seconds = parseDuration(value);
    return typeof seconds === 'number' && seconds < 60 ? 'must be at least a minute (PT1M)' : seconds;
  }),
  LEASE_DEFAULTS: parsedWith('', parseLeaseDefaults),
  LEASE_MAX: parsedWith('P90D', parseDuration),
  SWITCHYARD_MIN_LEASE_SECONDS: int(3600, 1, 86400),
  LEASE_REMINDERS: parsedWith('P7D,P1D', parseDurations),
  CLOSE_QUOTA: parsedWith('default', parseCloseQuota),
  CLOSED_OU: text('Suspended'),
};

const SETTING_NAMES = Object.keys(SETTING_PARSERS) as Array<keyof Config>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of SETTING_NAMES) {
    const value = SETTING_PARSERS[name](env[name]);
    if (value instanceof InvalidSetting) for (const problem of value.problems) problems.push(`${name}: ${problem}`);
    else config[name] = value;
  }
  const settingsValid = problems.length === 0;
  // A secret given in the environment (the local runtime) is checked here too, so a malformed one stops
  // the runtime at start; its value never enters the config. On AWS it is read from SSM at run time.
  const webhookSecret = env.WEBHOOK_SECRET ? webhookSecretProblem(env.WEBHOOK_SECRET) : undefined;
  if (webhookSecret) problems.push(`WEBHOOK_SECRET: ${webhookSecret}`);
  // Protected OUs nobody may approve would hold every request there until it expires.
  const parsed = config as unknown as Config;
  if (settingsValid && parsed.APPROVAL_OUS.length && !parsed.APPROVERS.length) problems.push('APPROVERS: must name at least one approver while APPROVAL_OUS is set');
  if (problems.length) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return parsed;
}

/** The settings status polls follow. */
export type PollSettings = Pick<Config, 'POLL_FIRST_SECONDS' | 'POLL_MAX_SECONDS' | 'ACCOUNT_CREATION_CAP_SECONDS' | 'CREATION_EVENT_WAIT_SECONDS'>;

export function pollPolicy(config: PollSettings): PollPolicy {
  return {
    firstSeconds: config.POLL_FIRST_SECONDS,
    maxSeconds: Math.max(config.POLL_FIRST_SECONDS, config.POLL_MAX_SECONDS),
    factor: 1.5,
    capSeconds: config.ACCOUNT_CREATION_CAP_SECONDS,
  };
}
