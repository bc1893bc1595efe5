/** What AWS's CreateAccountResult said of a creation: enough to wake the workflow, which reads the status itself. */
export interface CreationResult {
  state: 'SUCCEEDED' | 'FAILED';
  accountId?: string;
}

/**
 * The meeting point of a workflow waiting for its account and the organization's CreateAccountResult
 * event, one item per creation (its `car-` id). Each side writes its half atomically and reads the
 * other's in the same write, so whichever comes second wakes the workflow, and exactly one does.
 */
export interface CreationWakeStore {
  /** CreateAccount started this creation for `environmentId`: events of any other creation are not for us. */
  expect(requestId: string, environmentId: string, now: Date): Promise<void>;
  /** The workflow waits with this task token; the result, when the event came first. */
  awaitResult(requestId: string, token: string): Promise<{ result?: CreationResult }>;
  /** The event's result; the task token of a workflow already waiting. Undefined `expected` when the creation is not Switchyard's. */
  deliverResult(requestId: string, result: CreationResult): Promise<{ expected: boolean; token?: string }>;
}
