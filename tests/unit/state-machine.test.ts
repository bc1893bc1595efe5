import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import validator from 'asl-validator';
import * as errors from '../../shared/domain/errors';
import { ERROR_CLASS_NAMES, PLATFORM_ERROR_NAMES, RETRYABLE_ERROR_NAMES, TERMINAL_ERROR_NAMES } from '../../shared/domain/errors';

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
const knownNames = new Set<string>([...ERROR_CLASS_NAMES, ...PLATFORM_ERROR_NAMES]);
const lambdaServiceErrors = PLATFORM_ERROR_NAMES.filter((n) => n.startsWith('Lambda.'));

describe('the provisioning state machine definition', () => {
  it('has the steps of the design', () => {
    const names = states.map(([n]) => n);
    expect(names).toEqual(
      expect.arrayContaining(['CreateAccount', 'WaitForAccount', 'CheckAccountStatus', 'PlaceAccount', 'NotifyAdmin', 'RecordReady', 'RecordFailure', 'NotifyFailure']),
    );
    expect(definition.StartAt).toBe('CreateAccount');
    expect(tasks.length).toBeGreaterThan(0);
  });

  it('names Lambda functions by their Serverless function key, not by ARN', () => {
    for (const [name, task] of tasks) {
      expect({ name, resource: task.Resource }).toEqual({ name, resource: expect.stringMatching(/^[a-z][A-Za-z0-9]*$/) });
    }
  });

  it('is valid Amazon States Language once each Resource is an ARN', () => {
    const copy = structuredClone(definition);
    for (const [, state] of allStates(copy)) if (state.Type === 'Task') state.Resource = DUMMY_LAMBDA_ARN;
    const result = validator(copy);
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is reported invalid by the validator when a transition target is missing (the check is live)', () => {
    const copy = structuredClone(definition);
    for (const [, state] of allStates(copy)) if (state.Type === 'Task') state.Resource = DUMMY_LAMBDA_ARN;
    (copy.States as Record<string, State>).PlaceAccount!.Next = 'NoSuchState';
    expect(validator(copy).isValid).toBe(false);
  });
});

describe('error handling', () => {
  const everyErrorEquals = states.flatMap(([name, s]) =>
    [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals.map((error) => ({ state: name, error }))),
  );

  it('only names errors that errors.ts defines or the platform raises', () => {
    expect(everyErrorEquals.length).toBeGreaterThan(0);
    const unknown = everyErrorEquals.filter(({ error }) => !knownNames.has(error));
    expect(unknown).toEqual([]);
  });

  it.each(tasks)('%s retries every retryable error', (_name, task) => {
    const retried = new Set((task.Retry ?? []).flatMap((r) => r.ErrorEquals));
    for (const error of RETRYABLE_ERROR_NAMES) expect(retried).toContain(error);
  });

  it.each(tasks)('%s retries the Lambda service errors', (_name, task) => {
    expect(lambdaServiceErrors).toEqual(
      expect.arrayContaining(['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException']),
    );
    const retried = new Set((task.Retry ?? []).flatMap((r) => r.ErrorEquals));
    for (const error of lambdaServiceErrors) expect(retried).toContain(error);
  });

  it.each(tasks)('%s retries with full jitter and a bounded number of attempts', (_name, task) => {
    expect(task.Retry?.length).toBeGreaterThan(0);
    for (const retrier of task.Retry ?? []) {
      expect(retrier.JitterStrategy).toBe('FULL');
      expect(Number.isInteger(retrier.MaxAttempts)).toBe(true);
      expect(retrier.MaxAttempts).toBeGreaterThanOrEqual(1);
      expect(retrier.MaxAttempts).toBeLessThanOrEqual(10);
      expect(retrier.BackoffRate ?? 2).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(tasks)('%s never retries a terminal error or everything', (_name, task) => {
    const retried = (task.Retry ?? []).flatMap((r) => r.ErrorEquals);
    for (const error of [...TERMINAL_ERROR_NAMES, 'States.ALL']) expect(retried).not.toContain(error);
  });

  it.each(tasks)('%s catches whatever is left and moves on to a real state', (_name, task) => {
    expect(task.Catch?.length).toBeGreaterThan(0);
    const caught = (task.Catch ?? []).flatMap((c) => c.ErrorEquals);
    expect(caught).toContain('States.ALL');
    for (const catcher of task.Catch ?? []) expect(states.map(([n]) => n)).toContain(catcher.Next);
  });

  it('sends every failure of the provisioning steps to RecordFailure', () => {
    for (const name of ['CreateAccount', 'CheckAccountStatus', 'PlaceAccount']) {
      const task = states.find(([n]) => n === name)?.[1];
      expect(task?.Catch?.map((c) => c.Next)).toEqual(['RecordFailure']);
    }
  });
});

describe('error classes', () => {
  type ErrorClass = new (...args: unknown[]) => Error;
  const exported = Object.entries(errors as Record<string, unknown>).filter(
    (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  );
  /** The abstract base every concrete error extends; it is never thrown itself. */
  const ABSTRACT = new Set(['SwitchyardError']);

  it('lists every concrete exported error class in ERROR_CLASS_NAMES, and only those', () => {
    const concrete = exported.map(([name]) => name).filter((name) => !ABSTRACT.has(name));
    expect([...concrete].sort()).toEqual([...ERROR_CLASS_NAMES].sort());
  });

  it.each([...ERROR_CLASS_NAMES])('%s sets name to exactly that string', (className) => {
    const ErrorClass = (errors as unknown as Record<string, ErrorClass>)[className];
    expect(ErrorClass).toBeDefined();
    const instance = new ErrorClass!('dummy', 'dummy message', []);
    expect(instance).toBeInstanceOf(Error);
    expect(instance.name).toBe(className);
    expect(className).toMatch(/Error$/);
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

  it('classifies each Switchyard error as either retryable or terminal, never both', () => {
    const retryable = new Set<string>(RETRYABLE_ERROR_NAMES);
    for (const name of TERMINAL_ERROR_NAMES) expect(retryable.has(name)).toBe(false);
    for (const name of [...RETRYABLE_ERROR_NAMES, ...TERMINAL_ERROR_NAMES]) expect(ERROR_CLASS_NAMES).toContain(name);
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
