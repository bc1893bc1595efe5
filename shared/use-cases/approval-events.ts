import type { Environment } from '../domain/environment';
import type { Deps } from './deps';

/**
 * The event notifyApprovers turns into a question on every channel, for a request in a protected OU
 * or for closing an environment in one (`action`). Recorded is what counts: a lost event is asked
 * again by the lifecycle check, which asks every environment awaiting approval not yet asked.
 */
export async function publishApprovalRequested(deps: Pick<Deps, 'events'>, env: Environment): Promise<void> {
  const approval = env.approval;
  try {
    await deps.events.publish([
      {
        detailType: 'Environment Approval Requested',
        detail: {
          id: env.id,
          name: env.name,
          ou: env.ou,
          action: approval?.action ?? 'create',
          requestedBy: approval?.action === 'close' ? approval.requester : env.requestedBy,
          requester: approval?.requester,
          approvers: approval?.approvers,
          expiresAt: approval?.expiresAt,
        },
      },
    ]);
  } catch {
    // The lifecycle check asks the approvers of every environment awaiting approval not yet asked.
  }
}
