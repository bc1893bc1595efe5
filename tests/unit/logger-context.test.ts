/**
 * The logger is built when something is first logged, not when an invocation starts; the lines it
 * writes must still carry what Powertools' injectLambdaContext would have given them: the request id,
 * the function, and cold_start true on the process's first invocation only.
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
function fresh(): { mod: LoggerModule; lines: () => Array<Record<string, unknown>>; restore: () => void } {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
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
  return { mod, lines, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

async function invoke(mod: LoggerModule, requestId: string, body: () => void): Promise<void> {
  const middleware = mod.logContext<unknown, unknown>();
  await middleware.before!({ event: {}, context: context(requestId), response: undefined, error: undefined, internal: {} } as never);
  body();
  await middleware.after!({} as never);
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
