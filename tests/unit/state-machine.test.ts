import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { parse } from 'yaml';
import validator from 'asl-validator';
import * as errors from '../../shared/domain/errors';

type Json = Record<string, unknown>;
interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}
interface State extends Json {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  Retry?: Retrier[];
  Catch?: Catcher[];
}

const ASL_PATH = join(__dirname, '../../statemachines/provision-environment.asl.yaml');
const DUMMY_LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:x';

function load(): Json {
  return parse(readFileSync(ASL_PATH, 'utf8')) as Json;
}

/** Every state, including those nested in Parallel branches and Map processors, by name. */
function allStates(machine: Json): Array<[string, State]> {
  const found: Array<[string, State]> = [];
  const visit = (container: unknown) => {
    const states = (container as { States?: Record<string, State> } | undefined)?.States;
    if (!states) return;
    for (const [name, state] of Object.entries(states)) {
      found.push([name, state]);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
      visit(state.ItemProcessor);
      visit(state.Iterator);
    }
  };
  visit(machine);
  return found;
}

const definition = load();
const states = allStates(definition);
const tasks = states.filter(([, s]) => s.Type === 'Task');
const task = (name: string) => tasks.find(([n]) => n === name)![1];
/** The function a Task invokes: its Resource, or Parameters.FunctionName when it waits for a task token. */
const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const functionOf = (state: State) => (state.Resource === WAIT_FOR_TASK_TOKEN ? state.Parameters?.FunctionName : state.Resource);

const ROOT = join(__dirname, '../..');

/**
 * The error classes errors.ts declares, read from its source rather than from anything it exports:
 * each `export class X extends Y { … }` with the `this.name = '…'` it sets (none for an abstract base).
 */
const declaredClasses = [...readFileSync(join(ROOT, 'shared/domain/errors.ts'), 'utf8').matchAll(/^export (abstract )?class (\w+) extends \w+ \{([\s\S]*?)^\}/gm)].map((m) => ({
  className: m[2]!,
  abstract: m[1] !== undefined,
  name: /this\.name = '([^']*)';/.exec(m[3]!)?.[1],
}));
const errorClassNames = declaredClasses.filter((c) => !c.abstract).map((c) => c.className);

/** Names Lambda and Step Functions raise themselves (aws-facts.md "Step Functions"), and the catch-all. */
const LAMBDA_SERVICE_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException'];
const PLATFORM_NAMES = [...LAMBDA_SERVICE_ERRORS, 'Lambda.TooManyRequestsException', 'States.Timeout', 'Sandbox.Timedout', 'States.ALL'];

/** What retrying cannot fix: never retried, caught by name. */
const UNRECOVERABLE = [
  'InvalidInputError',
  'NotFoundError',
  'EnvironmentStateError',
  'OuNotFoundError',
  'AccountQuotaExceededError',
  'AccountCreationTimedOutError',
  'AwsRequestRejectedError',
  'GrantCapacityError',
  'NotConfiguredError',
  'InvalidStoredRecordError',
];

/**
 * Classes only the HTTP, Slack and webhook entry points raise. No task's code constructs one; the
 * reverse check below fails when that stops being true, and when a class is in neither group.
 */
const NOT_TASK_FACING: Record<string, string> = {
  UnauthorizedError: 'a Slack or webhook signature that did not verify',
  MethodNotAllowedError: 'a route asked with the wrong method',
  ConflictError: 'a request whose name, email or idempotency key is taken, or an approval already decided',
  ForbiddenError: 'an approval decided by someone not an approver, or by the requester',
  NotClosableError: 'a closing asked of an environment that is not READY, or of an account that is not its own (DecommissionEnvironment catches it)',
  PayloadTooLargeError: 'an HTTP body over the limit',
  UnsupportedMediaTypeError: 'an HTTP body that is not JSON',
  NotReadyError: 'switch-role details asked for before the environment is READY',
};

/**
 * Which errors.ts classes each Task's Lambda function can construct: its handler bundled as it is
 * deployed (esbuild, tree-shaken, packages left out), searched for `new <Class>(`. esbuild suffixes a
 * name that collides with another one (`RetryableAwsError2`).
 */
function constructedByTask(): Map<string, Set<string>> {
  const entryPoints: Record<string, string> = {};
  for (const [name, state] of tasks) {
    const file = join(ROOT, 'functions', functionOf(state)!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), 'handler.ts');
    expect({ name, exists: existsSync(file) }).toEqual({ name, exists: true });
    entryPoints[name] = file;
  }
  const built = buildSync({ entryPoints, bundle: true, write: false, platform: 'node', format: 'esm', packages: 'external', treeShaking: true, logLevel: 'silent', outdir: join(ROOT, '.bundles-not-written') });
  const known = new Set(errorClassNames);
  const found = new Map<string, Set<string>>();
  for (const file of built.outputFiles) {
    const name = file.path.replace(/^.*[\\/]/, '').replace(/\.js$/, '');
    found.set(name, new Set([...file.text.matchAll(/\bnew ([A-Za-z_$][\w$]*?)\d*\(/g)].map((m) => m[1]!).filter((c) => known.has(c))));
  }
  return found;
}

describe('the provisioning state machine definition', () => {
  it('has the steps of the design', () => {
    expect(tasks.map(([n]) => n).sort()).toEqual(
      ['CreateAccount', 'WaitForAccount', 'CheckAccountStatus', 'PlaceAccount', 'GrantAccess', 'ConfigureAccount', 'NotifyAdmin', 'RecordReady', 'RecordFailure', 'NotifyFailure'].sort(),
    );
    expect(states.map(([n]) => n)).toEqual(expect.arrayContaining(['WaitForAccount', 'ProvisioningFailed']));
    expect(definition.StartAt).toBe('CreateAccount');
  });

  it('names Lambda functions by their Serverless function key, not by ARN', () => {
    for (const [name, state] of tasks) {
      expect({ name, resource: functionOf(state) }).toEqual({ name, resource: expect.stringMatching(/^[a-z][A-Za-z0-9]*$/) });
    }
  });

  it('is valid Amazon States Language once each Resource is an ARN', () => {
    const copy = structuredClone(definition);
    for (const [, state] of allStates(copy)) if (state.Type === 'Task' && state.Resource !== WAIT_FOR_TASK_TOKEN) state.Resource = DUMMY_LAMBDA_ARN;
    const result = validator(copy);
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is reported invalid by the validator when a transition target is missing (the check is live)', () => {
    const copy = structuredClone(definition);
    for (const [, state] of allStates(copy)) if (state.Type === 'Task' && state.Resource !== WAIT_FOR_TASK_TOKEN) state.Resource = DUMMY_LAMBDA_ARN;
    (copy.States as Record<string, State>).PlaceAccount!.Next = 'NoSuchState';
    expect(validator(copy).isValid).toBe(false);
  });
});

describe('error handling', () => {
  const everyErrorEquals = states.flatMap(([name, s]) =>
    [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals.map((error) => ({ state: name, error }))),
  );
  const namedIn = (state: State) => new Set([...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((r) => r.ErrorEquals));

  it('only names errors that errors.ts declares or the platform raises', () => {
    expect(everyErrorEquals.length).toBeGreaterThan(0);
    const known = new Set([...errorClassNames, ...PLATFORM_NAMES]);
    expect(everyErrorEquals.filter(({ error }) => !known.has(error))).toEqual([]);
  });

  describe("every error class a task can throw is named in that task's Retry or Catch", () => {
    let constructed = new Map<string, Set<string>>();
    // Bundled once for the block; a build error fails these tests, not the whole file.
    beforeAll(() => {
      constructed = constructedByTask();
    });

    it('reads what the tasks construct (the check is live)', () => {
      expect([...constructed.keys()].sort()).toEqual(tasks.map(([n]) => n).sort());
      expect(constructed.get('CheckAccountStatus')).toContain('AccountCreationTimedOutError');
      expect(constructed.get('ConfigureAccount')).toContain('RoleNotReadyError');
      expect(constructed.get('GrantAccess')).toContain('GrantCapacityError');
      expect(constructed.get('NotifyAdmin')).toContain('NotConfiguredError');
      // Every task validates its input.
      for (const [, names] of constructed) expect(names).toContain('InvalidInputError');
    });

    it.each(tasks)('%s', (name, state) => {
      const named = namedIn(state);
      expect([...constructed.get(name)!].filter((c) => !named.has(c))).toEqual([]);
    });

    it('every other class is raised only at the HTTP, Slack and webhook entry points', () => {
      const thrownByTasks = new Set([...constructed.values()].flatMap((names) => [...names]));
      expect(errorClassNames.filter((c) => !thrownByTasks.has(c)).sort()).toEqual(Object.keys(NOT_TASK_FACING).sort());
    });
  });

  it.each(tasks)('%s retries RetryableAwsError and the Lambda service errors', (_name, state) => {
    const retried = new Set((state.Retry ?? []).flatMap((r) => r.ErrorEquals));
    for (const error of ['RetryableAwsError', ...LAMBDA_SERVICE_ERRORS]) expect(retried).toContain(error);
  });

  it.each(tasks)('%s retries with full jitter and a bounded number of attempts', (_name, state) => {
    expect(state.Retry?.length).toBeGreaterThan(0);
    for (const retrier of state.Retry ?? []) {
      expect(retrier.JitterStrategy).toBe('FULL');
      expect(Number.isInteger(retrier.MaxAttempts)).toBe(true);
      expect(retrier.MaxAttempts).toBeGreaterThanOrEqual(1);
      expect(retrier.MaxAttempts).toBeLessThanOrEqual(10);
      expect(retrier.BackoffRate ?? 2).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(tasks)('%s never retries what retrying cannot fix, or everything', (_name, state) => {
    const retried = (state.Retry ?? []).flatMap((r) => r.ErrorEquals);
    for (const error of [...UNRECOVERABLE, 'States.ALL']) expect(retried).not.toContain(error);
  });

  it('gives every task the same retries; ConfigureAccount adds one for the new role in front; WaitForAccount leaves out States.Timeout', () => {
    const shared = task('CreateAccount').Retry!;
    for (const [name, state] of tasks) {
      if (name !== 'ConfigureAccount' && name !== 'WaitForAccount') expect({ name, retry: state.Retry }).toEqual({ name, retry: shared });
    }
    // Its timeout is the backstop's turn to poll, never something to retry.
    expect(task('WaitForAccount').Retry).toEqual(shared.filter((r) => !r.ErrorEquals.includes('States.Timeout')));
    expect(shared.some((r) => r.ErrorEquals.includes('States.Timeout'))).toBe(true);
    expect(task('ConfigureAccount').Retry).toEqual([
      { ErrorEquals: ['RoleNotReadyError'], IntervalSeconds: 3, BackoffRate: 1.5, MaxAttempts: 10, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
      ...shared,
    ]);
  });

  it.each(tasks)('%s names what retrying cannot fix, then catches the rest with States.ALL alone and last', (_name, state) => {
    expect((state.Catch ?? []).map((c) => c.ErrorEquals)).toEqual([UNRECOVERABLE, ['States.ALL']]);
  });

  // Where each task's failures go: the errors caught by name land exactly where the catch-all sends the rest.
  it.each([
    ['CreateAccount', 'RecordFailure', '$.error'],
    // Woken, timed out or unable to wait: the status poll decides, on the state's own input.
    ['WaitForAccount', 'CheckAccountStatus', null],
    ['CheckAccountStatus', 'RecordFailure', '$.error'],
    ['PlaceAccount', 'RecordFailure', '$.error'],
    ['GrantAccess', 'ConfigureAccount', '$.grantError'],
    ['ConfigureAccount', 'NotifyAdmin', '$.configureError'],
    ['NotifyAdmin', 'RecordReady', '$.notifyError'],
    ['RecordReady', 'RecordFailure', '$.error'],
    ['RecordFailure', 'ProvisioningFailed', '$.recordError'],
    ['NotifyFailure', 'ProvisioningFailed', '$.notifyError'],
  ])('%s sends every failure to %s, under %s', (name, next, resultPath) => {
    expect(task(name).Catch?.map((c) => ({ Next: c.Next, ResultPath: c.ResultPath }))).toEqual([
      { Next: next, ResultPath: resultPath },
      { Next: next, ResultPath: resultPath },
    ]);
  });
});

describe('error classes', () => {
  type ErrorClass = new (...args: unknown[]) => Error;
  const exported = Object.entries(errors as Record<string, unknown>).filter(
    (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  );

  it('reads the classes from errors.ts (the parse is live)', () => {
    expect(errorClassNames).toEqual(expect.arrayContaining(['InvalidInputError', 'RetryableAwsError', 'AwsRequestRejectedError', 'RoleNotReadyError']));
    expect(declaredClasses.filter((c) => c.abstract).map((c) => c.className)).toEqual(['SwitchyardError']);
  });

  it('exports exactly the classes the source declares', () => {
    expect(exported.map(([name]) => name).sort()).toEqual(declaredClasses.map((c) => c.className).sort());
  });

  it('names each concrete class after itself, ending in Error', () => {
    for (const { className, name } of declaredClasses.filter((c) => !c.abstract)) {
      expect({ className, name }).toEqual({ className, name: className });
      expect(className).toMatch(/Error$/);
    }
  });

  const cause = new Error('what the SDK threw');
  /** One instance of every class, each given `cause`; a new class needs a row here. */
  const withCause: Record<string, () => Error> = {
    InvalidInputError: () => new errors.InvalidInputError('m', [], { cause }),
    UnauthorizedError: () => new errors.UnauthorizedError('m', [], { cause }),
    NotConfiguredError: () => new errors.NotConfiguredError('m', { cause }),
    NotFoundError: () => new errors.NotFoundError('m', { cause }),
    MethodNotAllowedError: () => new errors.MethodNotAllowedError('m', { cause }),
    ConflictError: () => new errors.ConflictError('NAME_TAKEN', 'm', [], { cause }),
    ForbiddenError: () => new errors.ForbiddenError('NOT_AN_APPROVER', 'm', { cause }),
    NotClosableError: () => new errors.NotClosableError('m', { cause }),
    PayloadTooLargeError: () => new errors.PayloadTooLargeError('m', { cause }),
    UnsupportedMediaTypeError: () => new errors.UnsupportedMediaTypeError('m', { cause }),
    OuNotFoundError: () => new errors.OuNotFoundError('m', { cause }),
    AccountQuotaExceededError: () => new errors.AccountQuotaExceededError('m', { cause }),
    RetryableAwsError: () => new errors.RetryableAwsError('m', 'ThrottlingException', { cause }),
    AwsRequestRejectedError: () => new errors.AwsRequestRejectedError('m', 'AccessDeniedException', { cause }),
    AccountCreationTimedOutError: () => new errors.AccountCreationTimedOutError('m', { cause }),
    EnvironmentStateError: () => new errors.EnvironmentStateError('m', { cause }),
    NotReadyError: () => new errors.NotReadyError('m', { cause }),
    RoleNotReadyError: () => new errors.RoleNotReadyError('m', { cause }),
    GrantCapacityError: () => new errors.GrantCapacityError('m', { cause }),
    InvalidStoredRecordError: () => new errors.InvalidStoredRecordError('m', { cause }),
  };

  it('has a row here for every class', () => {
    expect(Object.keys(withCause).sort()).toEqual([...errorClassNames].sort());
  });

  it.each(Object.entries(withCause))('%s keeps its name and the cause it is given', (className, make) => {
    const instance = make();
    expect(instance).toBeInstanceOf(Error);
    expect(instance.name).toBe(className);
    expect(instance.message).toBe('m');
    expect(instance.cause).toBe(cause);
  });

  it('keeps the name on an instance even when the class is renamed (as a minifier would)', () => {
    const Renamed = errors.RetryableAwsError;
    Object.defineProperty(Renamed, 'name', { value: 'a', configurable: true });
    try {
      expect(new Renamed('throttled').name).toBe('RetryableAwsError');
    } finally {
      Object.defineProperty(Renamed, 'name', { value: 'RetryableAwsError', configurable: true });
    }
  });

  it('lists as retryable only what the state machine retries, and as terminal only what it never does', () => {
    expect(errors.RETRYABLE_ERROR_NAMES).toEqual(['RetryableAwsError']);
    for (const name of errors.TERMINAL_ERROR_NAMES) expect(UNRECOVERABLE).toContain(name);
  });
});

describe('query language', () => {
  it('uses JSONPath everywhere: no JSONata, no Assign', () => {
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [name, state] of states) {
      expect({ name, queryLanguage: state.QueryLanguage ?? 'JSONPath' }).toEqual({ name, queryLanguage: 'JSONPath' });
      for (const field of ['Assign', 'Arguments', 'Output']) expect({ name, has: field in state }).toEqual({ name, has: false });
    }
    const jsonataExpressions: string[] = [];
    JSON.stringify(definition, (_key, value: unknown) => {
      if (typeof value === 'string' && /\{%[\s\S]*%\}/.test(value)) jsonataExpressions.push(value);
      return value;
    });
    expect(jsonataExpressions).toEqual([]);
  });
});
