import { RoleNotReadyError } from '../../domain/errors';
import type { GrantPolicy } from '../../domain/access-policy';
import type { AccessGrants, AccountSetup, AdminPrincipal } from '../../ports';
import { SimulatedAwsError, type SimulatedOrganization } from './sim-org';

/**
 * Grants and aliases against the simulated organization, which enforces IAM's limits (document
 * size, five versions, ten attached policies) and makes a new account's role usable only after a delay.
 */
export class SimulatedAccess implements AccessGrants, AccountSetup {
  constructor(private readonly sim: SimulatedOrganization) {}

  async apply(principal: AdminPrincipal, policies: GrantPolicy[]): Promise<{ changed: string[] }> {
    const changed: string[] = [];
    for (const policy of policies) {
      const { arn, changed: didChange } = this.sim.putManagedPolicy(policy.name, policy.document);
      if (didChange) changed.push(policy.name);
      this.sim.attachPolicy(`${principal.type}/${principal.name}`, arn);
    }
    return { changed };
  }

  async roleProblem(accountId: string, roleName: string): Promise<string | undefined> {
    try {
      this.sim.assumeOrganizationRole(accountId, roleName);
      return undefined;
    } catch (error) {
      if (error instanceof SimulatedAwsError && error.name === 'AccessDenied') return `AssumeRole on ${roleName} was denied`;
      throw error;
    }
  }

  async setAlias(accountId: string, roleName: string, alias: string): Promise<'set' | 'already' | 'taken'> {
    try {
      this.sim.assumeOrganizationRole(accountId, roleName);
    } catch (error) {
      if (error instanceof SimulatedAwsError && error.name === 'AccessDenied') throw new RoleNotReadyError(`The ${roleName} role in ${accountId} cannot be assumed yet.`);
      throw error;
    }
    if (this.sim.getAccountAlias(accountId) === alias) return 'already';
    try {
      this.sim.setAccountAlias(accountId, alias);
      return 'set';
    } catch (error) {
      if (error instanceof SimulatedAwsError && error.name === 'EntityAlreadyExists') return 'taken';
      throw error;
    }
  }
}
