import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand, type SFNClientConfig } from '@aws-sdk/client-sfn';
import type { ExecutionInput, Workflow } from '../../ports';
import { errorName, mapUnlistedAwsError, rejectedError, retryableError } from './errors';

export function createSfnClient(config: Partial<SFNClientConfig> = {}): SFNClient {
  return new SFNClient({ retryMode: 'adaptive', maxAttempts: 5, ...config });
}

/** Named in every refusal this adapter reports, so the timeline says which service answered. */
const STEP_FUNCTIONS = { service: 'StepFunctions' } as const;
const REJECTED_NAMES = new Set(['StateMachineDoesNotExist', 'InvalidArn', 'InvalidName', 'InvalidExecutionInput', 'StateMachineDeleting']);
/** A task token that no longer waits: it timed out, or its execution ended. Nothing to do. */
const GONE_NAMES = new Set(['TaskTimedOut', 'TaskDoesNotExist']);
/** The account's open-execution limit frees up as running executions finish. */
const RETRYABLE_NAMES = new Set(['ExecutionLimitExceeded']);

export function mapStepFunctionsError(operation: string, error: unknown): Error {
  const name = errorName(error);
  if (RETRYABLE_NAMES.has(name)) return retryableError(operation, error, STEP_FUNCTIONS);
  if (REJECTED_NAMES.has(name)) return rejectedError(operation, error, STEP_FUNCTIONS);
  return mapUnlistedAwsError(operation, error, STEP_FUNCTIONS);
}

/**
 * `arn:<partition>:states:<region>:<account>:stateMachine:<name>[:<version or alias>]` names its
 * executions `arn:<partition>:states:<region>:<account>:execution:<name>:<execution name>`.
 */
export function executionArn(stateMachineArn: string, executionName: string): string {
  const [, partition, , region, account, , machine] = stateMachineArn.split(':');
  return `arn:${partition}:states:${region}:${account}:execution:${machine}:${executionName}`;
}

export class StepFunctionsWorkflow implements Workflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(executionName: string, input: ExecutionInput): Promise<{ executionId: string; alreadyStarted: boolean }> {
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName, input: JSON.stringify(input) }));
      return { executionId: out.executionArn ?? executionArn(this.stateMachineArn, executionName), alreadyStarted: false };
    } catch (error) {
      // The name is the environment id: an execution by that name already covers this environment.
      if (errorName(error) === 'ExecutionAlreadyExists') return { executionId: executionArn(this.stateMachineArn, executionName), alreadyStarted: true };
      throw mapStepFunctionsError('StartExecution', error);
    }
  }

  async sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
      return 'sent';
    } catch (error) {
      if (GONE_NAMES.has(errorName(error))) return 'gone';
      throw mapStepFunctionsError('SendTaskSuccess', error);
    }
  }
}
