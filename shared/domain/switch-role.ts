import { colorName } from './colors';

export const DEFAULT_ROLE_NAME = 'OrganizationAccountAccessRole';

export interface SwitchRoleInput {
  accountId: string;
  /** Shown in the console's role history and the extension menu. */
  displayName: string;
  /** Palette hex without `#`. */
  color: string;
  roleName?: string;
  /** Profile name in ~/.aws/config; defaults to the display name's slug. */
  profileName: string;
  /** The admin's own profile in the management account. */
  sourceProfile: string;
  region?: string;
  /** When the environment's lease ends, for one that has a lease: the account is closed then. */
  expiresAt?: string;
}

export interface SwitchRoleDetails {
  accountId: string;
  roleName: string;
  roleArn: string;
  displayName: string;
  color: string;
  colorName: string;
  consoleUrl: string;
  awsConfigProfile: string;
  extensionEntry: string;
  checkCommand: string;
  /** When the lease ends (the account is closed then); absent for an environment without a lease. */
  expiresAt?: string;
}

/** Everything the admin needs to switch into an account, in the three forms the tools accept. */
export function buildSwitchRoleDetails(input: SwitchRoleInput): SwitchRoleDetails {
  const roleName = input.roleName ?? DEFAULT_ROLE_NAME;
  const roleArn = `arn:aws:iam::${input.accountId}:role/${roleName}`;
  const query = [
    ['account', input.accountId],
    ['roleName', roleName],
    ['displayName', input.displayName],
    ['color', input.color],
  ]
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&');
  const region = input.region ? `region = ${input.region}\n` : '';
  const profileHeader = `[profile ${input.profileName}]`;
  return {
    accountId: input.accountId,
    roleName,
    roleArn,
    displayName: input.displayName,
    color: input.color,
    colorName: colorName(input.color),
    consoleUrl: `https://signin.aws.amazon.com/switchrole?${query}`,
    awsConfigProfile: `${profileHeader}\nrole_arn = ${roleArn}\nsource_profile = ${input.sourceProfile}\n${region}`,
    extensionEntry: `${profileHeader}\naws_account_id = ${input.accountId}\nrole_name = ${roleName}\ncolor = ${input.color}\n`,
    checkCommand: `aws sts get-caller-identity --profile ${input.profileName}`,
    ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
  };
}
