export interface ExecutionInput {
  id: string;
}

/** Starts the provisioning state machine. Idempotent by execution name, as Step Functions is. */
export interface Workflow {
  start(executionName: string, input: ExecutionInput): Promise<{ executionId: string; alreadyStarted: boolean }>;
}
