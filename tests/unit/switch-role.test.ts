import { parse } from 'ini';
import { buildSwitchRoleDetails, DEFAULT_ROLE_NAME, type SwitchRoleInput } from '../../shared/domain/switch-role';

const input: SwitchRoleInput = {
  accountId: '123456789012',
  displayName: 'Staging',
  color: 'EFDA95',
  profileName: 'staging',
  sourceProfile: 'management',
};

/** ~/.aws/config and the extension's configuration, read by a real INI parser (the `ini` package). */
function parseIni(text: string): Record<string, Record<string, string>> {
  return parse(text) as Record<string, Record<string, string>>;
}

describe('console link', () => {
  it('is the switchrole URL with account, role, display name and colour', () => {
    expect(buildSwitchRoleDetails(input).consoleUrl).toBe(
      'https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=OrganizationAccountAccessRole&displayName=Staging&color=EFDA95',
    );
  });

  it.each([
    ['Playground Ana', 'Playground%20Ana'],
    ['R&D', 'R%26D'],
    ['a=b', 'a%3Db'],
    ['QA #2', 'QA%20%232'],
    ['team/dev', 'team%2Fdev'],
    ['50% off?', '50%25%20off%3F'],
    ['Zürich', 'Z%C3%BCrich'],
  ])('encodes the display name %j', (displayName, encoded) => {
    const url = buildSwitchRoleDetails({ ...input, displayName }).consoleUrl;
    expect(url).toBe(
      `https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=OrganizationAccountAccessRole&displayName=${encoded}&color=EFDA95`,
    );
  });

  it('round-trips every value through a URL parser', () => {
    const displayName = 'R&D = team/#1 + more';
    const url = new URL(buildSwitchRoleDetails({ ...input, displayName, roleName: 'admins/Break&Glass' }).consoleUrl);
    expect(url.origin).toBe('https://signin.aws.amazon.com');
    expect(url.pathname).toBe('/switchrole');
    expect(url.hash).toBe('');
    expect([...url.searchParams.keys()]).toEqual(['account', 'roleName', 'displayName', 'color']);
    expect(url.searchParams.get('account')).toBe('123456789012');
    expect(url.searchParams.get('roleName')).toBe('admins/Break&Glass');
    expect(url.searchParams.get('displayName')).toBe(displayName);
    expect(url.searchParams.get('color')).toBe('EFDA95');
  });

  it('names a custom role (with its path) instead of the default', () => {
    const url = new URL(buildSwitchRoleDetails({ ...input, roleName: 'ops/Admin' }).consoleUrl);
    expect(url.searchParams.get('roleName')).toBe('ops/Admin');
  });
});

describe('role ARN', () => {
  it('points at OrganizationAccountAccessRole in the new account by default', () => {
    const details = buildSwitchRoleDetails(input);
    expect(DEFAULT_ROLE_NAME).toBe('OrganizationAccountAccessRole');
    expect(details.roleName).toBe('OrganizationAccountAccessRole');
    expect(details.roleArn).toBe('arn:aws:iam::123456789012:role/OrganizationAccountAccessRole');
  });

  it('includes the path of a custom role', () => {
    expect(buildSwitchRoleDetails({ ...input, roleName: 'ops/Admin' }).roleArn).toBe('arn:aws:iam::123456789012:role/ops/Admin');
  });
});

describe('~/.aws/config profile', () => {
  it('parses as INI with role_arn and source_profile', () => {
    const ini = parseIni(buildSwitchRoleDetails(input).awsConfigProfile);
    expect(ini).toEqual({
      'profile staging': {
        role_arn: 'arn:aws:iam::123456789012:role/OrganizationAccountAccessRole',
        source_profile: 'management',
      },
    });
  });

  it('adds the region when one is given', () => {
    const ini = parseIni(buildSwitchRoleDetails({ ...input, region: 'eu-west-1' }).awsConfigProfile);
    expect(ini['profile staging']).toEqual({
      role_arn: 'arn:aws:iam::123456789012:role/OrganizationAccountAccessRole',
      source_profile: 'management',
      region: 'eu-west-1',
    });
  });

  it('ends with a newline so it can be appended to an existing file', () => {
    const existing = '[default]\nregion = us-east-1\n';
    const ini = parseIni(existing + buildSwitchRoleDetails(input).awsConfigProfile + '[profile other]\nregion = eu-west-1\n');
    expect(Object.keys(ini)).toEqual(['default', 'profile staging', 'profile other']);
  });
});

describe('browser-extension entry', () => {
  it('has aws_account_id, role_name and the colour as six hex digits', () => {
    const ini = parseIni(buildSwitchRoleDetails(input).extensionEntry);
    const entry = ini['profile staging'];
    expect(entry).toBeDefined();
    expect(entry!.aws_account_id).toBe('123456789012');
    expect(entry!.role_name).toBe('OrganizationAccountAccessRole');
    expect(entry!.color).toMatch(/^[0-9A-Fa-f]{6}$/);
    expect(entry!.color).toBe('EFDA95');
  });

  it.each([
    ['F2B0A9', 'red'],
    ['FBC8AA', 'orange'],
    ['EFDA95', 'yellow'],
    ['B7CA9D', 'green'],
    ['83D4E8', 'blue'],
  ])('keeps the palette colour %s and names it %s', (color, name) => {
    const details = buildSwitchRoleDetails({ ...input, color });
    expect(parseIni(details.extensionEntry)['profile staging']!.color).toBe(color);
    expect(new URL(details.consoleUrl).searchParams.get('color')).toBe(color);
    expect(details.colorName).toBe(name);
  });
});

describe('check command', () => {
  it('asks STS who the profile is', () => {
    expect(buildSwitchRoleDetails(input).checkCommand).toBe('aws sts get-caller-identity --profile staging');
  });

  it('uses the same profile name as the config entry', () => {
    const details = buildSwitchRoleDetails({ ...input, profileName: 'playground-ana' });
    expect(details.checkCommand.endsWith('--profile playground-ana')).toBe(true);
    expect(Object.keys(parseIni(details.awsConfigProfile))).toEqual(['profile playground-ana']);
  });
});
