import { SLACK_USAGE, parseSlackCommand, parseSlashCommandForm, unescapeSlackText } from '../../shared/domain/slack-command';

const create = (body: Record<string, string>) => ({ kind: 'create', body });

describe('create', () => {
  it.each([
    ['create Staging', { name: 'Staging' }],
    ['create Staging ou=Workloads/Staging', { name: 'Staging', ou: 'Workloads/Staging' }],
    ['create Staging ou=Workloads/Staging email=ops@example.com color=yellow', { name: 'Staging', ou: 'Workloads/Staging', email: 'ops@example.com', color: 'yellow' }],
    ['create color=red ou=Workloads/Production Production', { name: 'Production', ou: 'Workloads/Production', color: 'red' }],
    ['CREATE Staging OU=Workloads/Staging Color=yellow EMAIL=ops@example.com', { name: 'Staging', ou: 'Workloads/Staging', color: 'yellow', email: 'ops@example.com' }],
    ['  create \t Staging   ou=Workloads/Staging  ', { name: 'Staging', ou: 'Workloads/Staging' }],
    ['create\u00A0Staging', { name: 'Staging' }],
  ])('%j', (text, body) => {
    expect(parseSlackCommand(text)).toEqual(create(body));
  });

  it('takes a name with spaces in double quotes', () => {
    expect(parseSlackCommand('create "Playground Ana" ou=Sandbox/Playground')).toEqual(create({ name: 'Playground Ana', ou: 'Sandbox/Playground' }));
  });

  it('takes a name in smart quotes, as macOS and iOS type them', () => {
    expect(parseSlackCommand('create “Playground Ana” ou=Sandbox/Playground')).toEqual(create({ name: 'Playground Ana', ou: 'Sandbox/Playground' }));
    expect(parseSlackCommand('create „Playground Ana“')).toEqual(create({ name: 'Playground Ana' }));
  });

  it('collapses whitespace inside a quoted name', () => {
    expect(parseSlackCommand('create "  Playground    Ana "')).toEqual(create({ name: 'Playground Ana' }));
  });

  it('keeps an equals sign inside a quoted name', () => {
    expect(parseSlackCommand('create "a=b"')).toEqual(create({ name: 'a=b' }));
  });

  it('takes a quoted option value', () => {
    expect(parseSlackCommand('create Team ou="Workloads/Team One"')).toEqual(create({ name: 'Team', ou: 'Workloads/Team One' }));
  });

  it('unwraps an email Slack turned into a mailto link', () => {
    expect(parseSlackCommand('create Staging email=<mailto:ops+staging@example.com|ops+staging@example.com>')).toEqual(
      create({ name: 'Staging', email: 'ops+staging@example.com' }),
    );
  });

  it('unwraps a mailto link without a label', () => {
    expect(parseSlackCommand('create Staging email=<mailto:ops@example.com>')).toEqual(create({ name: 'Staging', email: 'ops@example.com' }));
  });

  it('unwraps a name Slack turned into a web link', () => {
    expect(parseSlackCommand('create <http://staging.example.com|staging.example.com>')).toEqual(create({ name: 'staging.example.com' }));
  });

  it('decodes the entities Slack escapes', () => {
    expect(parseSlackCommand('create "R&amp;D &lt;lab&gt;"')).toEqual(create({ name: 'R&D <lab>' }));
  });

  it('does not take a decoded &lt; for a link', () => {
    expect(parseSlackCommand('create "&lt;mailto:x|y&gt;"')).toEqual(create({ name: '<mailto:x|y>' }));
  });

  it.each([
    ['create', /needs a name/],
    ['create ou=Workloads/Staging', /needs a name/],
    ['create ""', /needs a name/],
    ['create Staging region=eu-west-1', /Unknown option "region="/],
    ['create Staging ou=A ou=B', /ou= is given more than once/],
    ['create Staging OU=A ou=B', /ou= is given more than once/],
    ['create Staging ou=', /ou= needs a value/],
    ['create Playground Ana', /Unexpected "Ana"/],
    ['create Staging Workloads/Staging', /Unexpected "Workloads\/Staging"/],
    ['create "Playground Ana', /double quote is not closed/],
  ])('explains what is wrong with %j', (text, problem) => {
    const result = parseSlackCommand(text);
    expect(result.kind).toBe('usage');
    expect(result.kind === 'usage' && result.problem).toMatch(problem);
  });

  it('keeps echoed text short', () => {
    const result = parseSlackCommand(`create Staging ${'x'.repeat(500)}=1`);
    expect(result.kind === 'usage' && result.problem.length).toBeLessThan(120);
  });
});

describe('status', () => {
  it.each([
    ['status staging-1a2b3c4d', 'staging-1a2b3c4d'],
    ['status Staging', 'Staging'],
    ['status Playground Ana', 'Playground Ana'],
    ['status "Playground Ana"', 'Playground Ana'],
    ['status “Playground Ana”', 'Playground Ana'],
    ['STATUS   Playground   Ana ', 'Playground Ana'],
    ['status R&amp;D', 'R&D'],
  ])('%j', (text, target) => {
    expect(parseSlackCommand(text)).toEqual({ kind: 'status', target });
  });

  it('needs a target', () => {
    expect(parseSlackCommand('status')).toEqual({ kind: 'usage', problem: expect.stringMatching(/needs an environment id or name/) });
  });
});

describe('list, help and the rest', () => {
  it.each(['list', 'LIST', ' list '])('%j lists', (text) => {
    expect(parseSlackCommand(text)).toEqual({ kind: 'list' });
  });

  it('refuses arguments to list', () => {
    expect(parseSlackCommand('list all').kind).toBe('usage');
  });

  it.each(['', '   ', 'help', 'HELP', 'help create'])('%j shows help', (text) => {
    expect(parseSlackCommand(text)).toEqual({ kind: 'help' });
  });

  it.each(['delete Staging', 'crate Staging', '"create" Staging', 'ou=x'])('%j is not a command', (text) => {
    expect(parseSlackCommand(text)).toEqual({ kind: 'usage', problem: expect.stringMatching(/^Unknown command/) });
  });

  it('usage lists the four commands with an example each', () => {
    for (const command of ['/env create', '/env status', '/env list', '/env help']) expect(SLACK_USAGE).toContain(command);
    expect(SLACK_USAGE).toMatch(/e\.g\. `\/env create "Playground Ana" ou=Sandbox\/Playground/);
    expect(SLACK_USAGE).not.toMatch(/[<>&]/);
  });
});

describe('unescapeSlackText', () => {
  it('uses the label of a labelled link and the target of a bare one', () => {
    expect(unescapeSlackText('<mailto:a@b.com|a@b.com> <https://example.com> <#C123|general>')).toBe('a@b.com https://example.com general');
  });

  it('decodes &amp; last, so an escaped entity stays literal', () => {
    expect(unescapeSlackText('&amp;lt;')).toBe('&lt;');
  });
});

describe('parseSlashCommandForm', () => {
  const body = new URLSearchParams({
    token: 'legacy-token',
    team_id: 'T1DC2JH3J',
    team_domain: 'example',
    channel_id: 'C0123',
    channel_name: 'platform',
    user_id: 'U2CERLKJA',
    user_name: 'ana',
    command: '/env',
    text: 'create “Playground Ana” email=<mailto:a@b.com|a@b.com>',
    response_url: 'https://hooks.slack.com/commands/T1DC2JH3J/1/abc',
    trigger_id: '1.2.3',
    api_app_id: 'A1',
  }).toString();

  it('reads the fields Switchyard uses and ignores the others', () => {
    expect(parseSlashCommandForm(body)).toEqual({
      text: 'create “Playground Ana” email=<mailto:a@b.com|a@b.com>',
      userId: 'U2CERLKJA',
      userName: 'ana',
      responseUrl: 'https://hooks.slack.com/commands/T1DC2JH3J/1/abc',
      command: '/env',
      teamId: 'T1DC2JH3J',
      channelId: 'C0123',
    });
  });

  it('decodes + and %20 as spaces, as Slack encodes them', () => {
    expect(parseSlashCommandForm('command=%2Fenv&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&text=status+Playground%20Ana')?.text).toBe('status Playground Ana');
  });

  it('defaults an absent text to empty (the bare command means help)', () => {
    const form = parseSlashCommandForm('command=%2Fenv&response_url=https%3A%2F%2Fhooks.slack.com%2Fx');
    expect(form?.text).toBe('');
    expect(parseSlackCommand(form!.text)).toEqual({ kind: 'help' });
  });

  it.each([
    ['no command', 'response_url=https%3A%2F%2Fhooks.slack.com%2Fx&text=list'],
    ['no response_url', 'command=%2Fenv&text=list'],
    ['an empty command', 'command=&response_url=https%3A%2F%2Fhooks.slack.com%2Fx'],
    ['an empty body', ''],
    ['JSON', '{"command":"/env","response_url":"https://hooks.slack.com/x"}'],
  ])('is undefined with %s', (_label, raw) => {
    expect(parseSlashCommandForm(raw)).toBeUndefined();
  });
});
