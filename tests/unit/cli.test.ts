import { CommandError, parseCommand, reportFailure, UsageError, usageText, wholeNumber, type CommandSpec } from '../../local/cli';

const SPEC = {
  command: 'try',
  invocation: 'npm run try --',
  synopsis: '[--json] [--port N] --count N FILE [FILE...]',
  description: 'Tries things.',
  options: {
    json: { type: 'boolean', description: 'print JSON' },
    port: { type: 'integer', value: 'N', min: 0, max: 65535, description: 'the port' },
    count: { type: 'integer', value: 'N', required: true, description: 'how many' },
    name: { type: 'string', short: 'n', value: 'NAME', description: 'a name' },
  },
  positionals: { names: ['FILE'], min: 1, max: 3 },
  exitCodes: [
    [0, 'tried'],
    [1, 'could not try'],
    [2, 'usage mistake'],
  ],
  failure: 'could not try',
} as const satisfies CommandSpec;

function usageMistake(argv: string[]): string {
  try {
    parseCommand(SPEC, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} parsed`);
}

describe('parseCommand', () => {
  it('gives typed values and the positionals', () => {
    expect(parseCommand(SPEC, ['--json', '--port', '8080', '--count=3', '-n', 'ana', 'a.txt', 'b.txt'])).toEqual({
      help: false,
      values: { json: true, port: 8080, count: 3, name: 'ana' },
      positionals: ['a.txt', 'b.txt'],
    });
  });

  it('answers --help and -h before checking anything else', () => {
    expect(parseCommand(SPEC, ['--help']).help).toBe(true);
    expect(parseCommand(SPEC, ['-h', '--port', '1']).help).toBe(true);
  });

  it.each([
    [['--count', '1', 'f', '--port', 'x'], '--port must be a whole number from 0 to 65535.'],
    [['--count', '1', 'f', '--port', '65536'], '--port must be a whole number from 0 to 65535.'],
    [['--count', '1', 'f', '--port', '-1'], '--port needs a value.'],
    [['--count', '1', 'f', '--port=-1'], '--port must be a whole number from 0 to 65535.'],
    [['--count', '1', 'f', '--port', ' 80'], '--port must be a whole number from 0 to 65535.'],
    [['--count', '1', 'f', '--port', '0x50'], '--port must be a whole number from 0 to 65535.'],
    [['--count', '1', 'f', '--port'], '--port needs a value.'],
    [['--count', '1.5', 'f'], '--count must be a whole number, 0 or more.'],
    [['f'], '--count is required.'],
    [['--count', '1'], 'Missing FILE.'],
    [['--count', '1', 'a', 'b', 'c', 'd'], 'Unexpected argument: d.'],
    [['--count', '1', 'f', '--yaml'], 'Unknown option --yaml.'],
    [['--count', '1', 'f', '--json=yes'], '--json takes no value.'],
  ])('refuses %j: %s', (argv, message) => {
    expect(usageMistake(argv)).toBe(message);
  });
});

describe('wholeNumber', () => {
  it.each([
    ['0', 0],
    ['65535', 65535],
    ['007', 7],
  ])('reads %j as %d', (raw, value) => {
    expect(wholeNumber('--port', raw, 0, 65535)).toBe(value);
  });

  it.each(['', 'x', '-1', '1.0', '1e3', '65536', ' 1', '9007199254740993'])('refuses %j', (raw) => {
    expect(() => wholeNumber('--port', raw, 0, 65535)).toThrow(new UsageError('--port must be a whole number from 0 to 65535.'));
  });
});

describe('usageText', () => {
  it('lists the usage line, the description, every option with --help, and the exit codes', () => {
    expect(usageText(SPEC)).toBe(
      [
        'Usage: npm run try -- [--json] [--port N] --count N FILE [FILE...]',
        '',
        'Tries things.',
        '',
        'Options:',
        '  --json           print JSON',
        '  --port N         the port',
        '  --count N        how many',
        '  -n, --name NAME  a name',
        '  -h, --help       print this help',
        '',
        'Exit codes:',
        '  0  tried',
        '  1  could not try',
        '  2  usage mistake',
        '',
      ].join('\n'),
    );
  });
});

describe('reportFailure', () => {
  const capture = () => {
    const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
    return io;
  };

  it('gives 2 for a usage mistake, with the usage and where the help is', () => {
    const io = capture();
    expect(reportFailure(SPEC, new UsageError('Missing FILE.'), io)).toBe(2);
    expect(io.err).toBe('switchyard try: Missing FILE.\nUsage: npm run try -- [--json] [--port N] --count N FILE [FILE...]\nFor the options and exit codes: npm run try -- --help\n');
    expect(io.out).toBe('');
  });

  it('gives 1 for a problem the user can fix, in its own words', () => {
    const io = capture();
    expect(reportFailure(SPEC, new CommandError('There is no FILE here.'), io)).toBe(1);
    expect(io.err).toBe('switchyard try: There is no FILE here.\n');
  });

  it('gives 1 for anything else, saying what it means', () => {
    const io = capture();
    expect(reportFailure(SPEC, new TypeError('x is undefined'), io)).toBe(1);
    expect(io.err).toBe('switchyard try: could not try: x is undefined\n');
  });
});
