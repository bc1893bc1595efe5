export interface ExecutionInput {
  id: string;
}

/** Starts the provisioning state machine. Idempotent by execution name, as Step Functions is. */
export interface Workflow {
  start(executionName: string, input: ExecutionInput): Promise<{ executionId: string; alreadyStarted: boolean }>;
  /**
   * Ends a task that waits for its token (`.waitForTaskToken`) with `output`: 'sent', or 'gone' when
   * the task no longer waits (it timed out, or its execution ended), which is nobody's error.
   */
  sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<'sent' | 'gone'>;
}
