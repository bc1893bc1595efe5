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
  /** Milliseconds to wait in a Wait state, or for a task token, instead of its own duration (tests set 0). */
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
/** The Resource of a Task that invokes a Lambda function and then waits for its task token (Parameters.FunctionName, Payload). */
import { WAIT_FOR_TASK_TOKEN } from '../../../statemachines/provision-environment.cjs';

export { WAIT_FOR_TASK_TOKEN };
/** What `$$.Task.Token` reads locally; each waiting task gets a token of its own in its place. */
const TOKEN_PLACEHOLDER = 'local-task-token';

interface Callback {
  execution: string;
  state: string;
  resolve: (output: Record<string, unknown>) => void;
  cancel: () => void;
}

export class LocalWorkflow implements Workflow {
  private readonly machine: StateMachine;
  /** Tasks waiting for their token, by token. */
  private readonly callbacks = new Map<string, Callback>();
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
    this.machine = new StateMachine(forTheEngine(definition), { validationOptions: { checkArn: false } });
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
      context: { Execution: { Id: executionId, Name: executionName, Input: input as never, StartTime: record.startedAt }, Task: { Token: TOKEN_PLACEHOLDER } },
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
        this.forgetCallbacks(executionName);
        this.running.delete(executionName);
        emit(`Execution${record.status === 'SUCCEEDED' ? 'Succeeded' : record.status === 'ABORTED' ? 'Aborted' : 'Failed'}`, { error: record.error });
      }
    })();
    this.running.set(executionName, { abort: execution.abort, done });
    return { executionId, alreadyStarted: false };
  }

  async sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<'sent' | 'gone'> {
    const callback = this.callbacks.get(token);
    if (!callback) return 'gone';
    callback.resolve(output);
    return 'sent';
  }

  /** Drops the tokens an ended execution's tasks waited with (a task that times out drops its own). */
  private forgetCallbacks(execution: string): void {
    for (const callback of [...this.callbacks.values()]) if (callback.execution === execution) callback.cancel();
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
      const waits = resource === WAIT_FOR_TASK_TOKEN;
      const key = waits ? (def as { Parameters?: { FunctionName?: string } }).Parameters?.FunctionName ?? '' : resource;
      const fn = functions[key];
      if (!fn) throw new Error(`State ${state} needs function ${key}, which is not bound`);
      const invoke = (event: unknown) => {
        const call = fn(event, lambdaContext(state, executionName));
        this.inFlight.add(call);
        void call.then(
          () => this.inFlight.delete(call),
          () => this.inFlight.delete(call),
        );
        return call;
      };
      bindings[state] = waits ? (input) => this.invokeAndWait(executionName, state, input, invoke) : invoke;
    }
    // The engine types task results as JSON values; the handlers return plain JSON-able data.
    return bindings as never;
  }

  /**
   * `lambda:invoke.waitForTaskToken` as Step Functions runs it: the function is invoked with the
   * Payload (its `$$.Task.Token` a token of this task's own), its answer is dropped, and the task ends
   * with what sendTaskSuccess is given for that token, or times out (TimeoutSecondsPath, which the
   * engine enforces; waitOverrideMs instead, when set).
   */
  private async invokeAndWait(execution: string, state: string, input: unknown, invoke: (event: unknown) => Promise<unknown>): Promise<unknown> {
    const token = `${TOKEN_PLACEHOLDER}:${execution}:${state}:${randomUUID()}`;
    const { Payload, [TIMEOUT_FIELD]: timeoutSeconds } = input as { Payload?: Record<string, unknown>; [TIMEOUT_FIELD]?: unknown };
    const payload = Object.fromEntries(Object.entries(Payload ?? {}).map(([k, v]) => [k, v === TOKEN_PLACEHOLDER ? token : v]));
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<Record<string, unknown>>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        this.callbacks.delete(token);
      };
      this.callbacks.set(token, {
        execution,
        state,
        resolve: (output) => (settle(), resolve(output)),
        // The execution ended (or was stopped) while this task waited.
        cancel: () => (settle(), reject(new Error('the execution ended while the task waited for its token'))),
      });
      const timeoutMs = this.options.waitOverrideMs ?? (typeof timeoutSeconds === 'number' ? timeoutSeconds * 1000 : undefined);
      if (timeoutMs !== undefined) timer = setTimeout(() => (settle(), reject(Object.assign(new Error('States.Timeout'), { name: 'States.Timeout' }))), timeoutMs);
    });
    try {
      await invoke(payload);
    } catch (error) {
      this.callbacks.get(token)?.cancel();
      answered.catch(() => undefined);
      throw error;
    }
    this.options.onEvent?.({ execution, type: 'TaskWaitingForToken', state });
    return answered;
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

/** Where the local engine is handed a waiting task's timeout (see forTheEngine). */
const TIMEOUT_FIELD = 'localTimeoutSeconds';
/** What the engine is told a waiting task may take: the binding keeps the real timeout itself. */
/** The longest a timer may be (2^31 - 1 ms, about 24.8 days): the engine times the task with setTimeout. */
const ENGINE_TIMEOUT_SECONDS = 24 * 24 * 3600;

/**
 * The definition as the local engine runs it. aws-local-stepfunctions resolves TimeoutSecondsPath
 * against a Task's Parameters rather than its input, as Step Functions does: for a task that waits
 * for its token, the path moves into the Parameters (as `localTimeoutSeconds.$`, which the binding
 * reads and enforces) and the engine gets a timeout it never reaches. The file itself stays as AWS
 * runs it.
 */
function forTheEngine(definition: StateMachineDefinition): StateMachineDefinition {
  const copy = JSON.parse(JSON.stringify(definition)) as StateMachineDefinition;
  for (const def of Object.values(copy.States)) {
    const task = def as { Type: string; Resource?: string; TimeoutSecondsPath?: string; TimeoutSeconds?: number; Parameters?: Record<string, unknown> };
    if (task.Type !== 'Task' || task.Resource !== WAIT_FOR_TASK_TOKEN || !task.TimeoutSecondsPath) continue;
    task.Parameters = { ...task.Parameters, [`${TIMEOUT_FIELD}.$`]: task.TimeoutSecondsPath };
    delete task.TimeoutSecondsPath;
    task.TimeoutSeconds = ENGINE_TIMEOUT_SECONDS;
  }
  return copy;
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
