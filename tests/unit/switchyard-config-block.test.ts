import { BLOCK_BEGIN, BLOCK_END, ConfigBlockError, EMPTY_BLOCK_NOTE, parseProfileSections, syncConfigBlock, type ProfileSection } from '../../shared/domain/aws-config-block';

/** What GET /switch-roles?format=aws-config answers: a dated header, then a section per READY environment. */
const API_FILE = [
  '# Switchyard switch roles, generated 2026-01-02T03:04:05.000Z',
  '',
  '[profile staging]',
  'role_arn = arn:aws:iam::111111111111:role/OrganizationAccountAccessRole',
  'source_profile = admin',
  '',
  '[profile prod]',
  'role_arn = arn:aws:iam::222222222222:role/OrganizationAccountAccessRole',
  'source_profile = admin',
  'region = eu-west-1',
  '',
].join('\n');

const STAGING: ProfileSection = {
  profile: 'staging',
  accountId: '111111111111',
  lines: ['[profile staging]', 'role_arn = arn:aws:iam::111111111111:role/OrganizationAccountAccessRole', 'source_profile = admin'],
};
const PROD: ProfileSection = {
  profile: 'prod',
  accountId: '222222222222',
  lines: ['[profile prod]', 'role_arn = arn:aws:iam::222222222222:role/OrganizationAccountAccessRole', 'source_profile = admin', 'region = eu-west-1'],
};

/** The block as the test expects it, written out here rather than rendered by the code under test. */
function block(eol: string, ...sections: ProfileSection[]): string {
  const body = sections.length ? sections.flatMap((s, i) => [...(i ? [''] : []), ...s.lines]) : [EMPTY_BLOCK_NOTE];
  return [BLOCK_BEGIN, ...body, BLOCK_END].join(eol);
}

describe('parseProfileSections', () => {
  it("reads the API's file as sections, without its dated header or blank lines", () => {
    expect(parseProfileSections(API_FILE)).toEqual([STAGING, PROD]);
  });

  it('reads extension entries (aws_account_id) and CRLF text alike, and ignores other sections', () => {
    const text = '[sso-session corp]\r\nsso_region = us-east-1\r\n[profile sandbox]\r\naws_account_id = 333333333333\r\nrole_name = Admin\r\n';
    expect(parseProfileSections(text)).toEqual([{ profile: 'sandbox', accountId: '333333333333', lines: ['[profile sandbox]', 'aws_account_id = 333333333333', 'role_name = Admin'] }]);
  });
});

describe('syncConfigBlock', () => {
  const USER = '[default]\nregion = eu-west-1\n\n[profile mine]\nsso_session = corp\n';

  it('appends the block at the end the first time, keeping every byte before it', () => {
    const sync = syncConfigBlock(USER, [STAGING, PROD]);
    expect(sync.text).toBe(`${USER}${block('\n', STAGING, PROD)}\n`);
    expect(sync).toMatchObject({ changed: true, profiles: ['staging', 'prod'], added: ['staging', 'prod'], removed: [], skipped: [] });
  });

  it('ends a last line that has no line ending before appending, and writes a new file as the block alone', () => {
    expect(syncConfigBlock('[default]\nregion = x', [STAGING]).text).toBe(`[default]\nregion = x\n${block('\n', STAGING)}\n`);
    expect(syncConfigBlock('', [STAGING]).text).toBe(`${block('\n', STAGING)}\n`);
  });

  it('changes nothing when run again with the same answer', () => {
    const first = syncConfigBlock(USER, [STAGING, PROD]).text;
    const second = syncConfigBlock(first, [STAGING, PROD]);
    expect(second.changed).toBe(false);
    expect(second.text).toBe(first);
    expect(second).toMatchObject({ added: [], removed: [] });
  });

  it('rewrites the block where it is, leaving the lines before and after it exactly as they were', () => {
    const before = '# my settings\n[default]\nregion = eu-west-1\n\n';
    const after = '\n\n[profile later]   \nregion = us-west-2\n; a comment\n';
    const current = `${before}${block('\n', STAGING)}${after}`;
    const sync = syncConfigBlock(current, [PROD]);
    expect(sync.text).toBe(`${before}${block('\n', PROD)}${after}`);
    expect(sync).toMatchObject({ changed: true, profiles: ['prod'], added: ['prod'], removed: ['staging'] });
  });

  it('keeps CRLF line endings: the rest of the file as is, the block in CRLF too', () => {
    const before = '[default]\r\nregion = eu-west-1\r\n';
    const first = syncConfigBlock(before, [STAGING]).text;
    expect(first).toBe(`${before}${block('\r\n', STAGING)}\r\n`);
    const after = '[profile later]\r\nregion = us-west-2\r\n';
    const second = syncConfigBlock(`${first}${after}`, [STAGING, PROD]).text;
    expect(second).toBe(`${before}${block('\r\n', STAGING, PROD)}\r\n${after}`);
  });

  it('empties the block, keeping its markers, when no environment is READY', () => {
    const current = `${USER}${block('\n', STAGING)}\n`;
    const sync = syncConfigBlock(current, []);
    expect(sync.text).toBe(`${USER}${block('\n')}\n`);
    expect(sync.removed).toEqual(['staging']);
  });

  it('skips a profile the user defines outside the block, naming its line, and never defines it twice', () => {
    const user = '[profile staging]\nrole_arn = arn:aws:iam::999999999999:role/Mine\n';
    const sync = syncConfigBlock(user, [STAGING, PROD]);
    expect(sync.text).toBe(`${user}${block('\n', PROD)}\n`);
    expect(sync.skipped).toEqual([{ profile: 'staging', accountId: '111111111111', line: 1, reason: expect.stringContaining('staging') }]);
    expect(sync.profiles).toEqual(['prod']);
  });

  it('counts lines after the block in the numbering of the whole file, and [default] as the profile default', () => {
    const current = `[default]\nregion = x\n${block('\n', STAGING)}\n\n[profile  prod ]\nregion = y\n`;
    const defaultSection: ProfileSection = { profile: 'default', lines: ['[profile default]', 'region = z'] };
    const sync = syncConfigBlock(current, [STAGING, PROD, defaultSection]);
    // [default] is line 1; the block takes lines 3 to 7; "[profile  prod ]" is line 9.
    expect(sync.skipped.map(({ profile, line }) => ({ profile, line }))).toEqual([
      { profile: 'prod', line: 9 },
      { profile: 'default', line: 1 },
    ]);
    expect(sync.changed).toBe(false);
  });

  it.each([
    ['two blocks', `${block('\n', STAGING)}\n${block('\n', PROD)}\n`, /more than one switchyard block/],
    ['a begin marker alone', `x\n${BLOCK_BEGIN}\n[profile a]\n`, /begin marker on line 2 but no end marker/],
    ['an end marker alone', `${BLOCK_END}\n`, /end marker on line 1 but no begin marker/],
    ['the end before the begin', `${BLOCK_END}\n${BLOCK_BEGIN}\n`, /end marker \(line 1\) before its begin marker \(line 2\)/],
  ])('refuses %s, naming the lines, rather than guess', (_, text, message) => {
    expect(() => syncConfigBlock(text, [STAGING], '/home/u/.aws/config')).toThrow(ConfigBlockError);
    expect(() => syncConfigBlock(text, [STAGING], '/home/u/.aws/config')).toThrow(message);
  });
});
