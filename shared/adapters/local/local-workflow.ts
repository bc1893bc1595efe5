import '../../polyfills.cjs';
import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ExecutionInput, Workflow } from '../../ports';

/** A Lambda-style handler: what each Task's Resource names (a Serverless function key). */
export type TaskFunction = (event: unknown, context: unknown) => Promise<unknown>;

export interface ExecutionRecord {
  name: string;
  input: ExecutionInput;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startedAt: string;
  stoppedAt?: string;
  error?: string;
}

export interface StateEvent {
  execution: string;
  type: string;
  state?: string;
  error?: string;
}

export interface LocalWorkflowOptions {
  /** Milliseconds to wait in a Wait state instead of its own duration (tests set 0). */
  waitOverrideMs?: number;
  /** Milliseconds between Task retries instead of the definition's backoff (tests set 0). */
  retryOverrideMs?: number;
  onEvent?: (event: StateEvent) => void;
}

/**
 * Runs the real state machine definition in this process with aws-local-stepfunctions, binding each
 * Task to the same handler that runs on Lambda. Like Step Functions, starting a running execution's
 * name again is a no-op; unlike it, a finished name may run again (the local runtime relies on that to
 * resume environments after a restart: every step is idempotent).
 */
export class LocalWorkflow implements Workflow {
  private readonly machine: StateMachine;
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  /** Task invocations still running: an abort stops the execution, not a handler already called. */
  private readonly inFlight = new Set<Promise<unknown>>();
  readonly executions = new Map<string, ExecutionRecord>();

  /**
   * `functions` is read when an execution starts, so the handlers (which themselves need this
   * workflow to start executions) can be built after it.
   */
  constructor(
    private readonly definition: StateMachineDefinition,
    private readonly functions: () => Record<string, TaskFunction>,
    private readonly options: LocalWorkflowOptions = {},
  ) {
    this.machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
  }

  async start(executionName: string, input: ExecutionInput): Promise<{ executionId: string; alreadyStarted: boolean }> {
    const executionId = `local:${executionName}`;
    if (this.running.has(executionName)) return { executionId, alreadyStarted: true };

    const record: ExecutionRecord = { name: executionName, input, status: 'RUNNING', startedAt: new Date().toISOString() };
    this.executions.set(executionName, record);
    const emit = (type: string, extra: Partial<StateEvent> = {}) => this.options.onEvent?.({ execution: executionName, type, ...extra });

    const execution = this.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskBindings(executionName),
        ...(this.options.waitOverrideMs !== undefined ? { waitTimeOverrides: this.waitOverrides() } : {}),
        ...(this.options.retryOverrideMs !== undefined ? { retryIntervalOverrides: this.retryOverrides() } : {}),
      },
      noThrowOnAbort: true,
      context: { Execution: { Id: executionId, Name: executionName, Input: input as never, StartTime: record.startedAt } },
    });
    emit('ExecutionStarted');
    const done = (async () => {
      const logs = (async () => {
        for await (const event of execution.eventLogs) {
          const e = event as { type: string; state?: { name: string }; Error?: string };
          if (e.type === 'StateEntered' || e.type === 'StateRetried' || e.type === 'StateCaught') emit(e.type, { state: e.state?.name, error: e.Error });
        }
      })().catch(() => undefined);
      try {
        await execution.result;
        if (record.status !== 'ABORTED') record.status = 'SUCCEEDED';
      } catch (error) {
        record.status = 'FAILED';
        record.error = (error as Error).message;
      } finally {
        record.stoppedAt = new Date().toISOString();
        await logs;
        this.running.delete(executionName);
        emit(`Execution${record.status === 'SUCCEEDED' ? 'Succeeded' : record.status === 'ABORTED' ? 'Aborted' : 'Failed'}`, { error: record.error });
      }
    })();
    this.running.set(executionName, { abort: execution.abort, done });
    return { executionId, alreadyStarted: false };
  }

  /** Resolves when no execution is running (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Stops every running execution where it stands; a later start resumes the environment from its record. */
  async stop(): Promise<void> {
    for (const [name, run] of this.running) {
      const record = this.executions.get(name);
      if (record) record.status = 'ABORTED';
      run.abort();
    }
    await this.idle();
    // A handler called before the abort still finishes its writes: wait for it, so whatever the
    // caller closes next (the registry) is not closed under it.
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private taskBindings(executionName: string) {
    const functions = this.functions();
    const bindings: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [state, def] of Object.entries(this.definition.States)) {
      if (def.Type !== 'Task') continue;
      const resource = (def as { Resource: string }).Resource;
      const fn = functions[resource];
      if (!fn) throw new Error(`State ${state} needs function ${resource}, which is not bound`);
      bindings[state] = (input) => {
        const call = fn(input, lambdaContext(state, executionName));
        this.inFlight.add(call);
        void call.then(
          () => this.inFlight.delete(call),
          () => this.inFlight.delete(call),
        );
        return call;
      };
    }
    // The engine types task results as JSON values; the handlers return plain JSON-able data.
    return bindings as never;
  }

  private waitOverrides() {
    return Object.fromEntries(
      Object.entries(this.definition.States)
        .filter(([, def]) => def.Type === 'Wait')
        .map(([name]) => [name, this.options.waitOverrideMs!]),
    );
  }

  private retryOverrides() {
    return Object.fromEntries(
      Object.entries(this.definition.States)
        .filter(([, def]) => def.Type === 'Task')
        .map(([name]) => [name, this.options.retryOverrideMs!]),
    );
  }
}

/** Enough of a Lambda context for the handlers; no getRemainingTimeInMillis, so middy sets no timers. */
function lambdaContext(functionName: string, executionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: randomUUID(),
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    logGroupName: `/local/${functionName}`,
    logStreamName: executionName,
    callbackWaitsForEmptyEventLoop: false,
  };
}
