import { awsFix, formatAwsProblem } from '../../domain/aws-problem';
import type { AccountColor } from '../../domain/colors';
import { RoleNotReadyError } from '../../domain/errors';
import type { AccountSetup, RoleProbe } from '../../ports';
import { mapUxcError, UxcCallError } from '../aws/uxc-errors';
import { SimulatedAwsError, type SimulatedOrganization } from './sim-org';

/**
 * Aliases and the console colour inside new accounts of the simulated organization, whose organization access role becomes
 * usable only a little after the account exists. (The admin's grants need no stand-in: the local
 * runtime runs IamAccessGrants itself against the simulated IAM, see sim-iam-transport.ts.)
 */
export class SimulatedAccess implements AccountSetup, RoleProbe {
  constructor(private readonly sim: SimulatedOrganization) {}

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
    this.assumeRole(accountId, roleName);
    if (this.sim.getAccountAlias(accountId) === alias) return 'already';
    try {
      this.sim.setAccountAlias(accountId, alias);
      return 'set';
    } catch (error) {
      if (error instanceof SimulatedAwsError && error.name === 'EntityAlreadyExists') return 'taken';
      throw error;
    }
  }

  async setAccountColor(accountId: string, roleName: string, color: AccountColor): Promise<void> {
    this.assumeRole(accountId, roleName);
    try {
      this.sim.setAccountColor(accountId, color);
    } catch (error) {
      // UXC's answer, worded as StsAccountSetup words it; the file lock held too long is "not now", as throttling would be.
      if (error instanceof SimulatedAwsError) throw mapUxcError(new UxcCallError(error.name, error.message, error.name === 'ConcurrentModificationException' ? 'server' : 'client', { cause: error }), color);
      throw error;
    }
  }

  private assumeRole(accountId: string, roleName: string): void {
    try {
      this.sim.assumeOrganizationRole(accountId, roleName);
    } catch (error) {
      if (error instanceof SimulatedAwsError && error.name === 'AccessDenied') {
        // As StsAccountSetup words it, so the local timeline reads as the deployed one does.
        throw new RoleNotReadyError(formatAwsProblem({ service: 'STS', code: error.name, message: error.message, fix: awsFix({ service: 'STS', operation: 'AssumeRole', roleName }, error.name) }), { cause: error });
      }
      throw error;
    }
  }
}
