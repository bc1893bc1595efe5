import type { Context } from 'aws-lambda';
import type { MiddlewareObj } from './middy';

/**
 * One structured JSON logger for every function: a line per entry, with the keys Powertools for AWS
 * Lambda's Logger writes (`level`, `message`, `timestamp`, `service`, `cold_start`, `function_name`,
 * `function_arn`, `function_memory_size`, `function_request_id`, `xray_trace_id`, then the entry's own
 * keys), so CloudWatch Logs Insights queries written for Powertools read these lines unchanged.
 *
 * Written here rather than taken from Powertools: its Logger (module, formatter, console and
 * environment service) cost a function that logs during its first invocation some 23 million
 * instructions, a tenth of a whole handler's SDK floor, which bench/bundles.ts measures every cold
 * start against (docs/benchmarks.md). What Switchyard uses of it is this much: levels, the invocation's
 * context, errors written out with their cause, POWERTOOLS_LOGGER_LOG_EVENT.
 *
 * Emails are masked by callers; secrets are never passed in. Levels come from AWS_LAMBDA_LOG_LEVEL
 * (Lambda's advanced logging controls), then POWERTOOLS_LOG_LEVEL, then LOG_LEVEL (INFO when none is
 * set). WARN and above go to stderr, the rest to stdout; both reach CloudWatch Logs.
 */

const LEVELS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
export type LogLevel = keyof typeof LEVELS;
type Fields = Record<string, unknown>;

function levelFrom(value: string | undefined): LogLevel | undefined {
  const name = value?.trim().toUpperCase();
  return name && name in LEVELS ? (name as LogLevel) : undefined;
}

function configuredLevel(): LogLevel {
  return levelFrom(process.env.AWS_LAMBDA_LOG_LEVEL) ?? levelFrom(process.env.POWERTOOLS_LOG_LEVEL) ?? levelFrom(process.env.LOG_LEVEL) ?? 'INFO';
}

/** An error as Powertools writes one: name, where it was thrown, message, stack, and its cause the same way. */
function errorFields(error: Error): Fields {
  const location = /\((.*:\d+:\d+)\)|at (\/.*:\d+:\d+)/.exec(error.stack ?? '');
  return {
    name: error.name,
    location: location?.[1] ?? location?.[2] ?? '',
    message: error.message,
    stack: error.stack,
    ...(error.cause !== undefined ? { cause: error.cause instanceof Error ? errorFields(error.cause) : error.cause } : {}),
  };
}

/** JSON.stringify's replacer: errors written out, bigints as text, a reference back to an enclosing object as `[Circular]`. */
function replacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return errorFields(value);
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
}

class JsonLogger {
  private level: LogLevel = configuredLevel();
  private context: Fields = {};
  private invocations = 0;

  /** At the start of each invocation (logContext): its request id and function, and whether it is the process's first. */
  startInvocation(context: Context, event: unknown): void {
    this.invocations++;
    this.context = {
      cold_start: this.invocations === 1,
      function_arn: context.invokedFunctionArn,
      function_memory_size: Number(context.memoryLimitInMB),
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
    if (process.env.POWERTOOLS_LOGGER_LOG_EVENT?.trim().toLowerCase() === 'true') this.info('Lambda invocation event', { event });
  }

  setLogLevel(level: LogLevel | Lowercase<LogLevel>): void {
    this.level = levelFrom(level) ?? this.level;
  }

  getLevelName(): LogLevel {
    return this.level;
  }

  debug(message: string, fields?: Fields): void {
    this.write('DEBUG', message, fields);
  }

  info(message: string, fields?: Fields): void {
    this.write('INFO', message, fields);
  }

  warn(message: string, fields?: Fields): void {
    this.write('WARN', message, fields);
  }

  error(message: string, fields?: Fields): void {
    this.write('ERROR', message, fields);
  }

  private write(level: LogLevel, message: string, fields: Fields = {}): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    const trace = /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1];
    const entry = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: process.env.POWERTOOLS_SERVICE_NAME || 'switchyard',
      ...this.context,
      ...(trace ? { xray_trace_id: trace } : {}),
      ...fields,
    };
    let line: string;
    try {
      line = JSON.stringify(entry, replacer());
    } catch (error) {
      // A getter that throws, or a toJSON that does: the entry still says what happened.
      line = JSON.stringify({ level, message, timestamp: entry.timestamp, service: entry.service, ...this.context, logError: String(error) });
    }
    (LEVELS[level] >= LEVELS.WARN ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

export type Logger = JsonLogger;

export const logger: Logger = new JsonLogger();

/** Middleware: every line an invocation logs carries its request id, function and cold start. */
export function logContext<E, R>(): MiddlewareObj<E, R> {
  return {
    before: (request) => {
      logger.startInvocation(request.context, request.event);
    },
  };
}
