import { SimulatedCrashError, type FaultKind, type SimulatedFaults } from '../sim-faults';
import { SimulatedAwsError } from './errors';

/**
 * The AWS operations the simulator answers, and what may happen to a call on its way in and out
 * regardless of the state: the injected faults (SWITCHYARD_SIM_FAULTS) that refuse it before it
 * does anything, or crash the caller after CreateAccount was accepted. How long a call takes and
 * how many a second are answered (latency, the request rate) are in pacing.ts, applied by the
 * transport before the call gets here.
 */

/** The operations the transport may dispatch to; each is a method of SimulatedOrganization. */
export const SIMULATED_OPERATIONS = [
  'CreateAccount',
  'DescribeCreateAccountStatus',
  'ListCreateAccountStatus',
  'ListAccounts',
  'ListAccountsForParent',
  'DescribeAccount',
  'ListRoots',
  'ListOrganizationalUnitsForParent',
  'CreateOrganizationalUnit',
  'DescribeOrganizationalUnit',
  'ListParents',
  'ListChildren',
  'MoveAccount',
  'CloseAccount',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
  'DescribeOrganization',
] as const;
export type SimulatedOperation = (typeof SIMULATED_OPERATIONS)[number];

export function isSimulatedOperation(name: string): name is SimulatedOperation {
  return (SIMULATED_OPERATIONS as readonly string[]).includes(name);
}

/**
 * List* and Describe* change nothing but the call counts, so they need not rewrite the file: a
 * drift walk over 10,000 accounts makes hundreds of them and the file is megabytes.
 */
export function isReadOnly(name: SimulatedOperation): boolean {
  return name.startsWith('List') || name.startsWith('Describe');
}

export interface InjectedFault {
  kind: FaultKind;
  error: Error;
}

/** Throttling and concurrent-modification faults, rolled before the call does anything. */
export function injectedRefusal(name: SimulatedOperation, faults: SimulatedFaults, random: () => number): InjectedFault | undefined {
  if (faults.throttle > 0 && random() < faults.throttle) {
    return {
      kind: 'throttle',
      error: new SimulatedAwsError('TooManyRequestsException', 'AWS Organizations can\'t complete your request because another request is already in progress. Try again later. (injected)'),
    };
  }
  if (faults.conflict > 0 && !isReadOnly(name) && random() < faults.conflict) {
    return {
      kind: 'conflict',
      error: new SimulatedAwsError('ConcurrentModificationException', 'The target of the operation is currently being modified by a different request. Try again later. (injected)'),
    };
  }
  return undefined;
}

/** The crash after a CreateAccount the organization accepted: the step never learns the request's id. */
export function injectedCrash(name: SimulatedOperation, faults: SimulatedFaults, random: () => number): InjectedFault | undefined {
  if (name === 'CreateAccount' && faults.crashAfterCreate > 0 && random() < faults.crashAfterCreate) {
    return {
      kind: 'crash-after-create',
      error: new SimulatedCrashError('Injected crash-after-create: the organization accepted CreateAccount, then the calling Lambda timed out.'),
    };
  }
  return undefined;
}
