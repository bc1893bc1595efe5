/**
 * The structured logger writes the lines Powertools' Logger would (its keys, in its order), so the
 * queries written for those read them: each carries the request id, the function, and cold_start
 * true on the process's first invocation only; levels filter; errors are written out with their cause.
 */
import type { Context } from 'aws-lambda';

type LoggerModule = typeof import('../../shared/lambda/logger');

const context = (requestId: string): Context =>
  ({
    awsRequestId: requestId,
    functionName: 'switchyard-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:switchyard-test-fn',
    memoryLimitInMB: '256',
    getRemainingTimeInMillis: () => 10_000,
  }) as unknown as Context;

/** A fresh module (no logger built yet, no invocation seen) and the JSON lines written meanwhile (warnings and errors go to stderr). */
function fresh(): { mod: LoggerModule; lines: () => Array<Record<string, unknown>>; stderr: () => string; restore: () => void } {
  const written: string[] = [];
  const toStderr: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    into.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture([])), jest.spyOn(process.stderr, 'write').mockImplementation(capture(toStderr))];
  let mod!: LoggerModule;
  jest.isolateModules(() => {
    mod = require('../../shared/lambda/logger') as LoggerModule;
  });
  const lines = () =>
    written
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { mod, lines, stderr: () => toStderr.join(''), restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

async function invoke(mod: LoggerModule, requestId: string, body: () => void): Promise<void> {
  const middleware = mod.logContext<unknown, unknown>();
  await middleware.before!({ event: {}, context: context(requestId), response: undefined, error: undefined, internal: {} } as never);
  body();
}

const saved = { ...process.env };
beforeEach(() => {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  process.env.POWERTOOLS_DEV = '';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
});
afterEach(() => {
  process.env = { ...saved };
});

test('a line logged during the first invocation carries its request id and cold_start true', async () => {
  const { mod, lines, restore } = fresh();
  try {
    await invoke(mod, 'req-1', () => mod.logger.info('first'));
    await invoke(mod, 'req-2', () => mod.logger.info('second'));
  } finally {
    restore();
  }
  expect(lines()).toEqual([
    expect.objectContaining({ message: 'first', function_request_id: 'req-1', cold_start: true, function_name: 'switchyard-test-fn' }),
    expect.objectContaining({ message: 'second', function_request_id: 'req-2', cold_start: false }),
  ]);
});

test('a logger first needed in a later invocation does not call that invocation a cold start', async () => {
  const { mod, lines, restore } = fresh();
  try {
    await invoke(mod, 'req-1', () => undefined);
    await invoke(mod, 'req-2', () => mod.logger.warn('only now'));
  } finally {
    restore();
  }
  expect(lines()).toEqual([expect.objectContaining({ message: 'only now', function_request_id: 'req-2', cold_start: false })]);
});

test('with POWERTOOLS_LOGGER_LOG_EVENT set, every event is logged from the first invocation on', async () => {
  process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
  const { mod, lines, restore } = fresh();
  try {
    await invoke(mod, 'req-1', () => undefined);
  } finally {
    restore();
  }
  expect(lines()).toEqual([expect.objectContaining({ message: 'Lambda invocation event', function_request_id: 'req-1', cold_start: true })]);
});

test('a line has the keys Powertools writes, in its order, then the entry’s own', async () => {
  process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
  const { mod, lines, restore } = fresh();
  try {
    await invoke(mod, 'req-1', () => mod.logger.info('organization index', { accounts: 3 }));
  } finally {
    restore();
  }
  const [line] = lines();
  expect(Object.keys(line!)).toEqual(['level', 'message', 'timestamp', 'service', 'cold_start', 'function_arn', 'function_memory_size', 'function_name', 'function_request_id', 'xray_trace_id', 'accounts']);
  expect(line).toMatchObject({
    level: 'INFO',
    service: 'switchyard',
    function_arn: 'arn:aws:lambda:us-east-1:111122223333:function:switchyard-test-fn',
    function_memory_size: 256,
    xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    accounts: 3,
  });
  expect(Number.isNaN(Date.parse(String(line!.timestamp)))).toBe(false);
});

test('levels filter, from the environment and from setLogLevel; warnings and errors go to stderr', async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  const { mod, lines, stderr, restore } = fresh();
  try {
    await invoke(mod, 'req-1', () => {
      mod.logger.debug('hidden');
      mod.logger.info('hidden too');
      mod.logger.warn('shown');
      mod.logger.setLogLevel('DEBUG');
      mod.logger.debug('now shown');
      mod.logger.setLogLevel('SILENT');
      mod.logger.error('silenced');
    });
  } finally {
    restore();
  }
  expect(lines().map((l) => l.message)).toEqual(['shown', 'now shown']);
  expect(stderr()).toContain('"message":"shown"');
  expect(stderr()).not.toContain('now shown');
});

test('an error is written out with its name, message, stack and cause; a circular value does not break the line', async () => {
  const { mod, lines, restore } = fresh();
  const circular: Record<string, unknown> = { id: 'x' };
  circular.self = circular;
  try {
    await invoke(mod, 'req-1', () => {
      const cause = new Error('AccessDenied on MoveAccount');
      mod.logger.error('Unhandled error', { error: new TypeError('cannot read x', { cause }), circular, big: 10n });
    });
  } finally {
    restore();
  }
  const [line] = lines();
  expect(line!.error).toMatchObject({ name: 'TypeError', message: 'cannot read x', stack: expect.stringContaining('TypeError: cannot read x'), cause: { name: 'Error', message: 'AccessDenied on MoveAccount' } });
  expect(line!.circular).toEqual({ id: 'x', self: '[Circular]' });
  expect(line!.big).toBe('10');
});
