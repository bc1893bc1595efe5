import { loadConfig, pollPolicy, type Config } from '../../shared/lambda/config';
import { driftCheckOverrides } from '../../shared/lambda/drift-check-settings';
import { InvalidInputError } from '../../shared/domain/errors';

/**
 * The settings parser against a table written out here: every default, every setting's refusals
 * named in the error, ranges at both ends, the boolean spellings and the comma lists. The values are
 * the ones the zod schema this parser replaced gave for the same variables.
 */

const DEFAULTS: Config = {
  REGISTRY_TABLE: 'switchyard-registry',
  STATE_MACHINE_ARN: '',
  DECOMMISSION_STATE_MACHINE_ARN: '',
  EMAIL_TEMPLATE: 'admin+{slug}@example.com',
  ROLE_NAME: 'OrganizationAccountAccessRole',
  CREATE_MISSING_OUS: false,
  ACCOUNT_QUOTA: 10,
  ACCOUNT_CREATION_CAP_SECONDS: 1800,
  POLL_FIRST_SECONDS: 5,
  POLL_MAX_SECONDS: 30,
  CREATION_EVENT_WAIT_SECONDS: 120,
  ADMIN_EMAIL: '',
  SENDER_EMAIL: '',
  SOURCE_PROFILE: 'default',
  PUBLIC_BASE_URL: '',
  ADMIN_GROUP: '',
  ADMIN_USER: '',
  GRANT_POLICY_PREFIX: 'switchyard-admin-access',
  ALIAS_PREFIX: '',
  EVENT_BUS_NAME: 'default',
  DEFAULT_OU: '',
  CURSOR_KEY: '',
  SLACK_SIGNING_SECRET_PARAM: '',
  WEBHOOK_SECRET_PARAM: '',
  SLACK_RESPONSE_URL_PREFIXES: ['https://hooks.slack.com/'],
  SLACK_WEBHOOK_URL_PARAM: '',
  NOTIFY_WEBHOOK_URL: '',
  NOTIFY_WEBHOOK_SECRET_PARAM: '',
  MAX_CONCURRENT_CREATES: 5,
  CREATE_SLOT_WAIT_SECONDS: 20,
  ROLE_WAIT_SECONDS: 10,
  CREATE_SLOT_POLL_SECONDS: 2,
  DRIFT_CONFIRM_CHECKS: 2,
  DRIFT_REMEDIATE: '',
  DRIFT_CHECK_ROLE: false,
  DRIFT_WALK_CONCURRENCY: 4,
  DRIFT_RECHECK_SECONDS: 60,
  DRIFT_QUEUE_URL: '',
  NOTIFY_TOPIC_ARN: '',
  APPROVAL_OUS: [],
  APPROVERS: [],
  APPROVAL_TIMEOUT: 259_200,
  LEASE_DEFAULTS: [],
  LEASE_MAX: 7_776_000,
  SWITCHYARD_MIN_LEASE_SECONDS: 3600,
  LEASE_REMINDERS: [604_800, 86_400],
  CLOSE_QUOTA: { kind: 'rule' },
  CLOSED_OU: 'Suspended',
};

/** The error `loadConfig(env)` throws, without its prefix; undefined when it does not throw. */
function problemsOf(env: Record<string, string>): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid configuration: /, '');
  }
}

test('an empty environment gives every default, and nothing else', () => {
  expect(loadConfig({})).toStrictEqual(DEFAULTS);
});

test('variables that are not settings are left out', () => {
  expect(Object.keys(loadConfig({ PATH: '/bin', SOMETHING_ELSE: 'x' })).sort()).toEqual(Object.keys(DEFAULTS).sort());
});

describe('whole numbers in ranges', () => {
  const ranges: Array<[keyof Config, number, number]> = [
    ['ACCOUNT_QUOTA', 1, 100_000],
    ['ACCOUNT_CREATION_CAP_SECONDS', 10, 86_400],
    ['POLL_FIRST_SECONDS', 1, 300],
    ['POLL_MAX_SECONDS', 1, 900],
    ['CREATION_EVENT_WAIT_SECONDS', 0, 3600],
    ['MAX_CONCURRENT_CREATES', 1, 5],
    ['CREATE_SLOT_WAIT_SECONDS', 0, 20],
    ['ROLE_WAIT_SECONDS', 0, 20],
    ['CREATE_SLOT_POLL_SECONDS', 1, 300],
    ['DRIFT_CONFIRM_CHECKS', 1, 10],
    ['DRIFT_WALK_CONCURRENCY', 1, 16],
    ['DRIFT_RECHECK_SECONDS', 0, 900],
    ['SWITCHYARD_MIN_LEASE_SECONDS', 1, 86_400],
  ];

  it.each(ranges)('%s takes %d to %d and refuses one past either end', (name, min, max) => {
    expect(loadConfig({ [name]: String(min) })[name]).toBe(min);
    expect(loadConfig({ [name]: String(max) })[name]).toBe(max);
    const message = `${name}: must be a whole number from ${min} to ${max}`;
    expect(problemsOf({ [name]: String(min - 1) })).toBe(message);
    expect(problemsOf({ [name]: String(max + 1) })).toBe(message);
    for (const bad of ['x', '1.5', 'Infinity', 'NaN']) expect(problemsOf({ [name]: bad })).toBe(message);
  });

  it('reads numbers as Number() does, as the schema did: spaces ignored, exponents and hex accepted, empty is 0', () => {
    expect(loadConfig({ ACCOUNT_QUOTA: ' 7 ' }).ACCOUNT_QUOTA).toBe(7);
    expect(loadConfig({ ACCOUNT_QUOTA: '1e2' }).ACCOUNT_QUOTA).toBe(100);
    expect(loadConfig({ ACCOUNT_QUOTA: '0x10' }).ACCOUNT_QUOTA).toBe(16);
    expect(loadConfig({ ACCOUNT_QUOTA: '3.0' }).ACCOUNT_QUOTA).toBe(3);
    expect(loadConfig({ ROLE_WAIT_SECONDS: '' }).ROLE_WAIT_SECONDS).toBe(0);
    expect(problemsOf({ ACCOUNT_QUOTA: '' })).toBe('ACCOUNT_QUOTA: must be a whole number from 1 to 100000');
  });
});

describe('booleans', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['', false],
  ])('%j is %s', (text, value) => {
    expect(loadConfig({ CREATE_MISSING_OUS: text }).CREATE_MISSING_OUS).toBe(value);
    expect(loadConfig({ DRIFT_CHECK_ROLE: text }).DRIFT_CHECK_ROLE).toBe(value);
  });

  it.each(['TRUE', 'True', ' true', 'on', 'y'])('%j is refused', (text) => {
    expect(problemsOf({ CREATE_MISSING_OUS: text })).toBe('CREATE_MISSING_OUS: must be true, false, yes, no, 1, 0 or empty');
    expect(problemsOf({ DRIFT_CHECK_ROLE: text })).toBe('DRIFT_CHECK_ROLE: must be true, false, yes, no, 1, 0 or empty');
  });
});

describe('text settings', () => {
  const IAM = 'letters, digits and + = , . @ _ -';
  it.each<[string, string, unknown]>([
    ['REGISTRY_TABLE', 'abc', 'abc'],
    ['EVENT_BUS_NAME', 'x', 'x'],
    ['EMAIL_TEMPLATE', 'ops+{name}@example.org', 'ops+{name}@example.org'],
    ['ROLE_NAME', 'a'.repeat(64), 'a'.repeat(64)],
    ['ROLE_NAME', 'Role_=,.@+-', 'Role_=,.@+-'],
    ['SOURCE_PROFILE', 'management', 'management'],
    ['ADMIN_GROUP', '', ''],
    ['ADMIN_GROUP', 'g'.repeat(128), 'g'.repeat(128)],
    ['ADMIN_USER', 'u'.repeat(64), 'u'.repeat(64)],
    ['GRANT_POLICY_PREFIX', 'p'.repeat(100), 'p'.repeat(100)],
    ['ALIAS_PREFIX', 'acme-', 'acme-'],
    ['ALIAS_PREFIX', 'a'.repeat(20), 'a'.repeat(20)],
    ['CURSOR_KEY', 'k'.repeat(16), 'k'.repeat(16)],
    ['DEFAULT_OU', ' Workloads ', ' Workloads '],
    ['DRIFT_REMEDIATE', 'move-back', 'move-back'],
    ['DRIFT_REMEDIATE', 'off', 'off'],
    ['NOTIFY_WEBHOOK_URL', '  http://127.0.0.1:9999/hook  ', 'http://127.0.0.1:9999/hook'],
    ['NOTIFY_TOPIC_ARN', ' arn:aws:sns:eu-west-1:111111111111:alerts.fifo ', 'arn:aws:sns:eu-west-1:111111111111:alerts.fifo'],
    ['NOTIFY_TOPIC_ARN', '   ', ''],
    ['CLOSED_OU', 'Closed', 'Closed'],
  ])('%s=%j gives %j', (name, text, value) => {
    expect(loadConfig({ [name]: text })[name as keyof Config]).toEqual(value);
  });

  it.each<[string, string, string]>([
    ['REGISTRY_TABLE', 'ab', 'must be at least 3 characters'],
    ['EVENT_BUS_NAME', '', 'must not be empty'],
    ['ROLE_NAME', '', `must be 1 to 64 ${IAM}`],
    ['ROLE_NAME', 'a'.repeat(65), `must be 1 to 64 ${IAM}`],
    ['ROLE_NAME', 'a b', `must be 1 to 64 ${IAM}`],
    ['SOURCE_PROFILE', '', 'must be a profile name: one or more letters, digits and . + @ _ -'],
    ['ADMIN_GROUP', 'g'.repeat(129), `must be empty or up to 128 ${IAM}`],
    ['ADMIN_USER', 'u'.repeat(65), `must be empty or up to 64 ${IAM}`],
    ['GRANT_POLICY_PREFIX', '', `must be 1 to 100 ${IAM}`],
    ['GRANT_POLICY_PREFIX', 'p'.repeat(101), `must be 1 to 100 ${IAM}`],
    ['ALIAS_PREFIX', 'Acme', 'must be empty or up to 20 lowercase letters, digits and hyphens'],
    ['ALIAS_PREFIX', 'a'.repeat(21), 'must be empty or up to 20 lowercase letters, digits and hyphens'],
    ['CURSOR_KEY', 'k'.repeat(15), 'must be at least 16 characters'],
    ['DRIFT_REMEDIATE', 'Move-Back', 'must be move-back, off or empty'],
    ['NOTIFY_WEBHOOK_URL', 'ftp://example.com/', 'must be an http(s) URL without credentials in it'],
    ['NOTIFY_WEBHOOK_URL', 'https://user:pass@example.com/', 'must be an http(s) URL without credentials in it'],
    ['NOTIFY_TOPIC_ARN', 'arn:aws:sqs:eu-west-1:111111111111:queue', 'must be an SNS topic ARN'],
    ['EMAIL_TEMPLATE', 'admin@example.com', 'must contain {slug}'],
    ['EMAIL_TEMPLATE', '{slug}', 'must give a valid email address'],
  ])('%s=%j is refused: %s', (name, text, message) => {
    expect(problemsOf({ [name]: text })).toBe(`${name}: ${message}`);
  });

  it('an email template that is neither says both', () => {
    expect(problemsOf({ EMAIL_TEMPLATE: 'foo' })).toBe('EMAIL_TEMPLATE: must contain {slug}; EMAIL_TEMPLATE: must give a valid email address');
  });
});

describe('lists and durations', () => {
  it('comma lists are trimmed and empty entries dropped', () => {
    expect(loadConfig({ SLACK_RESPONSE_URL_PREFIXES: ' https://a.example/ ,, https://b.example/,' }).SLACK_RESPONSE_URL_PREFIXES).toEqual(['https://a.example/', 'https://b.example/']);
    expect(loadConfig({ SLACK_RESPONSE_URL_PREFIXES: '' }).SLACK_RESPONSE_URL_PREFIXES).toEqual([]);
    const config = loadConfig({ APPROVAL_OUS: ' Workloads/Production , Sandbox ,', APPROVERS: ' U0APPROVER1 , local:ana,U0APPROVER1 ' });
    expect(config.APPROVAL_OUS).toEqual(['Workloads/Production', 'Sandbox']);
    expect(config.APPROVERS).toEqual(['U0APPROVER1', 'local:ana']);
  });

  it('durations are seconds; reminders each once, longest first', () => {
    const config = loadConfig({ APPROVAL_TIMEOUT: 'PT1M', LEASE_MAX: 'P1W', LEASE_REMINDERS: 'P1D, P7D ,P1D', LEASE_DEFAULTS: 'Sandbox=P30D, Workloads/Staging=P14D' });
    expect(config).toMatchObject({ APPROVAL_TIMEOUT: 60, LEASE_MAX: 604_800, LEASE_REMINDERS: [604_800, 86_400] });
    expect(config.LEASE_DEFAULTS).toEqual([
      { ou: 'Sandbox', seconds: 2_592_000 },
      { ou: 'Workloads/Staging', seconds: 1_209_600 },
    ]);
    expect(loadConfig({ LEASE_REMINDERS: '' }).LEASE_REMINDERS).toEqual([]);
  });

  it('CLOSE_QUOTA is the rule or a fixed number', () => {
    expect(loadConfig({ CLOSE_QUOTA: 'DEFAULT' }).CLOSE_QUOTA).toEqual({ kind: 'rule' });
    expect(loadConfig({ CLOSE_QUOTA: '' }).CLOSE_QUOTA).toEqual({ kind: 'rule' });
    expect(loadConfig({ CLOSE_QUOTA: ' 12 ' }).CLOSE_QUOTA).toEqual({ kind: 'fixed', accounts: 12 });
    expect(loadConfig({ CLOSE_QUOTA: '100000' }).CLOSE_QUOTA).toEqual({ kind: 'fixed', accounts: 100_000 });
  });

  it.each<[string, string, string]>([
    ['APPROVAL_TIMEOUT', 'PT59S', 'must be at least a minute (PT1M)'],
    ['APPROVAL_TIMEOUT', 'P1M', 'must be in weeks, days, hours, minutes or seconds (years and months vary in length)'],
    ['LEASE_MAX', 'soon', 'must be an ISO 8601 duration such as P3D, PT12H or P1DT6H'],
    ['LEASE_REMINDERS', 'P1D,bad', '"bad" must be an ISO 8601 duration such as P3D, PT12H or P1DT6H'],
    ['LEASE_DEFAULTS', 'Sandbox', '"Sandbox" is not OU_PATH=DURATION (e.g. Sandbox=P30D)'],
    ['APPROVERS', 'nobody', '"nobody" is not a Slack user id (U…), an IAM user, role or assumed-role ARN, or local:NAME'],
    ['CLOSE_QUOTA', '0', 'must be default (10% of member accounts, at least 10, at most 1,000) or a whole number of accounts'],
    ['CLOSE_QUOTA', '100001', 'must be default (10% of member accounts, at least 10, at most 1,000) or a whole number of accounts'],
  ])('%s=%j is refused: %s', (name, text, message) => {
    expect(problemsOf({ [name]: text })).toBe(`${name}: ${message}`);
  });

  it('an OU id in APPROVAL_OUS is refused', () => {
    expect(problemsOf({ APPROVAL_OUS: 'ou-abcd-12345678', APPROVERS: 'U0APPROVER1' })).toMatch(/^APPROVAL_OUS: "ou-abcd-12345678" is an OU id/);
  });
});

describe('errors', () => {
  it('name every bad setting, in order, then the webhook secret', () => {
    expect(problemsOf({ CLOSE_QUOTA: 'x', ACCOUNT_QUOTA: '0', ROLE_NAME: '', WEBHOOK_SECRET: 'hunter2' })).toBe(
      [
        'ROLE_NAME: must be 1 to 64 letters, digits and + = , . @ _ -',
        'ACCOUNT_QUOTA: must be a whole number from 1 to 100000',
        'CLOSE_QUOTA: must be default (10% of member accounts, at least 10, at most 1,000) or a whole number of accounts',
        'WEBHOOK_SECRET: must be whsec_ followed by the key in base64 (as Standard Webhooks writes secrets)',
      ].join('; '),
    );
  });

  it('protected OUs need an approver, checked once every setting is valid', () => {
    expect(problemsOf({ APPROVAL_OUS: 'Workloads/Production' })).toBe('APPROVERS: must name at least one approver while APPROVAL_OUS is set');
    expect(problemsOf({ APPROVAL_OUS: 'Workloads/Production', WEBHOOK_SECRET: 'hunter2' })).toMatch(/^WEBHOOK_SECRET: .*; APPROVERS: must name at least one approver/);
    expect(problemsOf({ APPROVAL_OUS: 'Workloads/Production', ACCOUNT_QUOTA: '0' })).toBe('ACCOUNT_QUOTA: must be a whole number from 1 to 100000');
    expect(problemsOf({ APPROVAL_OUS: 'Workloads/Production', APPROVERS: 'local:ana' })).toBeUndefined();
  });

  it('an unset variable takes the default, an empty one is a value', () => {
    expect(loadConfig({ REGISTRY_TABLE: undefined } as unknown as Record<string, string>).REGISTRY_TABLE).toBe('switchyard-registry');
    expect(problemsOf({ REGISTRY_TABLE: '' })).toBe('REGISTRY_TABLE: must be at least 3 characters');
  });
});

test('pollPolicy never polls less often than at first', () => {
  expect(pollPolicy(loadConfig({ POLL_FIRST_SECONDS: '40', POLL_MAX_SECONDS: '10' }))).toEqual({ firstSeconds: 40, maxSeconds: 40, factor: 1.5, capSeconds: 1800 });
});

describe('drift check settings', () => {
  it('are read as their environment variables are, and only the given ones', () => {
    expect(driftCheckOverrides({ DRIFT_REMEDIATE: 'move-back', DRIFT_CONFIRM_CHECKS: '1', DRIFT_CHECK_ROLE: 'yes' })).toStrictEqual({ DRIFT_REMEDIATE: 'move-back', DRIFT_CONFIRM_CHECKS: 1, DRIFT_CHECK_ROLE: true });
    expect(driftCheckOverrides({})).toStrictEqual({});
  });

  it('name each bad one as a field', () => {
    let caught: unknown;
    try {
      driftCheckOverrides({ DRIFT_REMEDIATE: 'sideways', DRIFT_WALK_CONCURRENCY: '0', DRIFT_RECHECK_SECONDS: '5' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as InvalidInputError).fields).toEqual([
      { field: 'DRIFT_REMEDIATE', message: 'must be move-back, off or empty' },
      { field: 'DRIFT_WALK_CONCURRENCY', message: 'must be a whole number from 1 to 16' },
    ]);
    expect((caught as Error).message).toBe('Invalid drift check settings: DRIFT_REMEDIATE: must be move-back, off or empty; DRIFT_WALK_CONCURRENCY: must be a whole number from 1 to 16');
  });
});
