import { parseEnvironmentRequest, type EnvironmentRequest } from '../../shared/domain/request';
import { InvalidInputError } from '../../shared/domain/errors';

const defaults = { emailTemplate: 'admin+{slug}@example.com' };
const RED = 'F2B0A9';
const ORANGE = 'FBC8AA';
const YELLOW = 'EFDA95';
const GREEN = 'B7CA9D';
const BLUE = '83D4E8';

function parse(body: unknown): EnvironmentRequest {
  return parseEnvironmentRequest(body, defaults);
}

/** Parses a body that must be rejected and returns the error. */
function reject(body: unknown): InvalidInputError {
  try {
    parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
}

function badFields(body: unknown): string[] {
  return reject(body).fields.map((f) => f.field);
}

const base = { name: 'Staging', ou: 'Workloads/Staging' };

describe('a valid request', () => {
  it('accepts the minimal body and fills in the defaults', () => {
    const request = parse(base);
    expect(request).toMatchObject({
      name: 'Staging',
      email: 'admin+staging@example.com',
      ou: 'Workloads/Staging',
      color: YELLOW,
      tags: {},
    });
    // The slug of the name and eight hex digits.
    expect(request.id).toMatch(/^staging-[0-9a-f]{8}$/);
    expect(request.requestHash).toMatch(/^[0-9a-f]+$/);
  });

  it('gives an id usable as a Step Functions execution name', () => {
    const { id } = parse({ name: 'Playground Ana / QA #2 (temp)', ou: 'Sandbox', email: 'ana@example.com' });
    expect(id.length).toBeGreaterThanOrEqual(1);
    expect(id.length).toBeLessThanOrEqual(80);
    expect(id).toMatch(/^[0-9A-Za-z_-]+$/);
  });

  it('keeps the optional fields it was given', () => {
    const request = parse({ ...base, email: 'ops@example.com', color: 'blue', tags: { team: 'payments' }, requestedBy: 'ana' });
    expect(request).toMatchObject({ email: 'ops@example.com', color: BLUE, tags: { team: 'payments' }, requestedBy: 'ana' });
  });
});

describe('name', () => {
  it('is trimmed', () => {
    expect(parse({ ...base, name: '   Staging  ' }).name).toBe('Staging');
  });

  it.each(['', '   ', '\t\n'])('is rejected when blank (%j)', (name) => {
    expect(badFields({ ...base, name })).toEqual(['name']);
  });

  it('is required', () => {
    expect(badFields({ ou: 'Workloads' })).toEqual(['name']);
  });

  it('may be 50 characters but not 51', () => {
    const email = 'owner@example.com';
    expect(parse({ ...base, email, name: 'n'.repeat(50) }).name).toBe('n'.repeat(50));
    expect(badFields({ ...base, email, name: 'n'.repeat(51) })).toEqual(['name']);
  });

  it('counts its length after trimming', () => {
    expect(parse({ ...base, email: 'owner@example.com', name: `  ${'n'.repeat(50)}  ` }).name).toHaveLength(50);
  });

  it.each([
    ['non-ASCII letter', 'Café'],
    ['emoji', 'Staging 🚀'],
    ['inner newline', 'Sta\nging'],
    ['inner tab', 'Sta\tging'],
    ['bell', 'Sta\u0007ging'],
    ['DEL', 'Staging\u007F'],
  ])('rejects a %s', (_label, name) => {
    expect(badFields({ ...base, email: 'owner@example.com', name })).toEqual(['name']);
  });

  it('accepts every printable ASCII punctuation', () => {
    expect(parse({ ...base, email: 'owner@example.com', name: "QA: Ana's env (#2) [temp] {x} ~!" }).name).toBe("QA: Ana's env (#2) [temp] {x} ~!");
  });
});

describe('email', () => {
  it('defaults to the template filled with the slug of the name', () => {
    expect(parse({ name: 'Playground Ana', ou: 'Sandbox' }).email).toBe('admin+playground-ana@example.com');
  });

  it('reports on email when the address derived from a long name would be too long', () => {
    expect(badFields({ name: 'n'.repeat(50), ou: 'Sandbox' })).toEqual(['email']);
  });

  it('uses an explicit address as given, trimmed', () => {
    expect(parse({ ...base, email: '  team+stg@example.com ' }).email).toBe('team+stg@example.com');
  });

  const local52 = 'l'.repeat(52);
  it.each([
    ['6 characters', 'a@b.cd'],
    ['64 characters', `${local52}@example.com`],
    ['a plus-address', 'admin+staging@example.com'],
    ['dots, underscores and hyphens in the local part', 'first.last_x-y@example.com'],
    ['a hyphen inside the domain', 'admin@my-domain.example.com'],
    ['an upper-case domain', 'Admin@Example.COM'],
    ['digits in the domain', 'admin@123.example.com'],
  ])('accepts %s', (_label, email) => {
    expect(parse({ ...base, email }).email).toBe(email);
  });

  const forbidden = [' ', '"', "'", '(', ')', '<', '>', '[', ']', ':', ';', ',', '\\', '|', '%', '&'];
  it.each([
    ['5 characters', 'a@b.c'],
    ['65 characters', `${local52}x@example.com`],
    ['no @', 'admin.example.com'],
    ['two @', 'a@b@example.com'],
    ['an empty local part', '@example.com'],
    ['a local part starting with a dot', '.admin@example.com'],
    ...forbidden.map((c) => [`${JSON.stringify(c)} in the local part`, `ad${c}min@example.com`]),
    ['a non-ASCII character', 'adm\u00edn@example.com'],
    ['a control character', 'ad\u0001min@example.com'],
    ['an underscore in the domain', 'admin@exa_mple.com'],
    ['a space in the domain', 'admin@exa mple.com'],
    ['a non-ASCII domain', 'admin@ex\u00e4mple.com'],
    ['a "!" in the domain', 'admin@example!.com'],
    ['a domain without a dot', 'admin@localhost'],
    ['a domain starting with a hyphen', 'admin@-example.com'],
    ['a domain ending with a hyphen', 'admin@example.com-'],
    ['a domain starting with a dot', 'admin@.example.com'],
    ['a domain ending with a dot', 'admin@example.com.'],
    ['an empty string', ''],
  ])('rejects %s', (_label, email) => {
    const error = reject({ ...base, email });
    expect(error.fields.map((f) => f.field)).toEqual(['email']);
    expect(error.fields[0]!.message).not.toBe('');
  });

  it('rejects a non-string email', () => {
    expect(badFields({ ...base, email: 42 })).toEqual(['email']);
  });
});

describe('ou', () => {
  it.each([
    ['Workloads/Staging', 'Workloads/Staging'],
    ['/Workloads/Staging', 'Workloads/Staging'],
    ['Workloads/Staging/', 'Workloads/Staging'],
    ['//Workloads/Staging//', 'Workloads/Staging'],
    ['  Workloads/Staging  ', 'Workloads/Staging'],
    ['Sandbox', 'Sandbox'],
    ['A/B/C/D/E', 'A/B/C/D/E'],
    ['Team Ana/Dev Boxes', 'Team Ana/Dev Boxes'],
  ])('accepts the path %j as %j', (ou, expected) => {
    expect(parse({ ...base, ou }).ou).toBe(expected);
  });

  it.each(['ou-ab12-cdef3456', 'ou-abcd1234-0123456789abcdef'])('accepts the OU id %s as it is', (ou) => {
    expect(parse({ ...base, ou }).ou).toBe(ou);
  });

  it.each([
    ['an empty segment', 'a//b'],
    ['a parent segment', '..'],
    ['a parent segment inside a path', 'Workloads/../Prod'],
    ['a current segment', 'Workloads/./Prod'],
    ['six levels', 'A/B/C/D/E/F'],
    ['a blank value', '   '],
    ['only slashes', '/'],
    ['an OU name over 128 characters', `Workloads/${'x'.repeat(129)}`],
    ['an id with too short a root part', 'ou-ab1-cdef3456'],
    ['an id with too short an OU part', 'ou-ab12-cdef345'],
    ['an id with upper-case characters', 'ou-AB12-cdef3456'],
    ['an id with a missing part', 'ou-ab12'],
    ['an id with a trailing hyphen', 'ou-ab12-cdef3456-'],
    ['an id with an underscore', 'ou-ab12_cdef3456'],
  ])('rejects %s (%j)', (_label, ou) => {
    expect(badFields({ ...base, ou })).toEqual(['ou']);
  });

  it('is required', () => {
    expect(badFields({ name: 'Staging' })).toEqual(['ou']);
  });
});

describe('color', () => {
  it.each([
    ['red', RED],
    ['orange', ORANGE],
    ['yellow', YELLOW],
    ['green', GREEN],
    ['blue', BLUE],
    ['GREEN', GREEN],
    ['Blue', BLUE],
    ['B7CA9D', GREEN],
    ['b7ca9d', GREEN],
    ['#B7CA9D', GREEN],
    ['#f2b0a9', RED],
    ['FbC8aA', ORANGE],
    // The console's earlier palette: still accepted, recorded as today's colour.
    ['FBBF93', ORANGE],
    ['#fad791', YELLOW],
    ['99BCE3', BLUE],
  ])('turns %j into %s', (color, hex) => {
    expect(parse({ ...base, color }).color).toBe(hex);
  });

  it.each(['purple', '#123456', '000000', 'B7CA9', '##B7CA9D', 'green!', '', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'rejects %j',
    (color) => {
      expect(badFields({ ...base, color })).toEqual(['color']);
    },
  );

  it.each([
    ['Production', 'Workloads', RED],
    ['payments', 'Workloads/Prod', RED],
    ['prod', 'Workloads', RED],
    ['Staging', 'Workloads', YELLOW],
    ['payments', 'Workloads/Staging', YELLOW],
    ['Playground Ana', 'Workloads', GREEN],
    ['Sandbox', 'Workloads', GREEN],
    ['ana', 'Sandbox/Ana', GREEN],
    ['analytics', 'Workloads', BLUE],
    ['shared-services', 'ou-ab12-cdef3456', BLUE],
  ])('defaults %j in %j to %s', (name, ou, hex) => {
    expect(parse({ name, ou, email: 'owner@example.com' }).color).toBe(hex);
  });

  it('uses the requested colour over the tier default', () => {
    expect(parse({ name: 'Production', ou: 'Workloads/Prod', color: 'blue' }).color).toBe(BLUE);
  });
});

describe('tags', () => {
  const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, `value${i}`]));

  it('accepts 50 tags', () => {
    expect(Object.keys(parse({ ...base, tags: tags(50) }).tags)).toHaveLength(50);
  });

  it('rejects 51 tags', () => {
    expect(badFields({ ...base, tags: tags(51) })).toEqual(['tags']);
  });

  it('accepts letters from any script, spaces and the allowed punctuation', () => {
    const given = { 'cost center': 'Zürich', 'team/owner': 'ana@example.com', 'a.b_c:d=e+f-g': '1' };
    expect(parse({ ...base, tags: given }).tags).toEqual(given);
  });

  it.each(['aws:cloudformation:stack', 'AWS:owner', 'switchyard:id', 'Switchyard:Owner'])('rejects the reserved key %j', (key) => {
    const fields = badFields({ ...base, tags: { [key]: 'x' } });
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatch(/^tags/);
  });

  it.each(['constructor', 'prototype', '', 'k'.repeat(129), 'bad<key>'])('rejects the key %j', (key) => {
    const fields = badFields({ ...base, tags: { [key]: 'x' } });
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatch(/^tags/);
  });

  it.each(['v'.repeat(257), 'semi;colon', 42])('rejects the value %j', (value) => {
    const fields = badFields({ ...base, tags: { team: value } });
    expect(fields).toHaveLength(1);
    expect(fields[0]).toMatch(/^tags/);
  });

  it('never lets a __proto__ key reach an object prototype', () => {
    const body: unknown = JSON.parse('{"name":"Staging","ou":"Workloads","tags":{"__proto__":{"polluted":"yes"}}}');
    try {
      const request = parse(body);
      expect(Object.getPrototypeOf(request.tags)).toBe(Object.prototype);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  // JSON.parse makes `__proto__` an own key; the request parser must refuse it, never copy it.
  it('rejects a __proto__ key as it arrives in a JSON body', () => {
    const body: unknown = JSON.parse('{"name":"Staging","ou":"Workloads","tags":{"__proto__":"x"}}');
    expect(badFields(body)).toEqual([expect.stringMatching(/^tags/)]);
  });

  it('rejects tags that are not an object', () => {
    expect(badFields({ ...base, tags: ['team=payments'] })).toEqual(['tags']);
  });
});

describe('the body as a whole', () => {
  it('rejects unknown fields and names them', () => {
    const error = reject({ ...base, accountId: '123456789012', colour: 'red' });
    expect(error.fields).toHaveLength(1);
    expect(error.fields[0]!.message).toContain('accountId');
    expect(error.fields[0]!.message).toContain('colour');
    expect(error.message).toContain('accountId');
  });

  it.each([
    ['null', null],
    ['an array', [base]],
    ['a string', JSON.stringify(base)],
    ['a number', 42],
    ['undefined', undefined],
  ])('rejects %s', (_label, body) => {
    const error = reject(body);
    expect(error.fields).toEqual([{ field: '(body)', message: expect.any(String) }]);
    expect(error.status).toBe(400);
  });

  it('lists every bad field in one error', () => {
    const error = reject({ name: '  ', email: 'not-an-email', ou: 'a//b', color: 'purple', tags: { 'aws:x': 'y' }, requestedBy: '', extra: true });
    const fields = error.fields.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'email', 'ou', 'color', 'requestedBy', '(body)']));
    expect(fields.some((f) => f.startsWith('tags'))).toBe(true);
    for (const field of ['name', 'email', 'ou', 'color', 'requestedBy']) expect(error.message).toContain(field);
  });
});

describe('the same request again', () => {
  const body = { name: 'Staging', ou: 'Workloads/Staging', email: 'stg@example.com', tags: { team: 'payments', cost: '42' } };

  it('has the same id and requestHash', () => {
    const a = parse(structuredClone(body));
    const b = parse(structuredClone(body));
    expect(b.id).toBe(a.id);
    expect(b.requestHash).toBe(a.requestHash);
  });

  it('does not depend on the order of tags or on OU slashes', () => {
    const a = parse(body);
    const b = parse({ ...body, ou: '/Workloads/Staging/', tags: { cost: '42', team: 'payments' } });
    expect(b.requestHash).toBe(a.requestHash);
  });

  it('with a different OU has the same id but a different requestHash', () => {
    const a = parse(body);
    const b = parse({ ...body, ou: 'Workloads/Production' });
    expect(b.id).toBe(a.id);
    expect(b.requestHash).not.toBe(a.requestHash);
  });

  it.each(['staging', 'STAGING', '  Staging ', 'sTaGiNg'])('with the name written as %j has the same id', (name) => {
    expect(parse({ ...body, name }).id).toBe(parse(body).id);
  });

  it('with the inner spacing of the name changed has the same id', () => {
    expect(parse({ name: 'Playground  Ana', ou: 'Sandbox' }).id).toBe(parse({ name: 'Playground Ana', ou: 'Sandbox' }).id);
  });

  it('for a different name has a different id', () => {
    expect(parse({ ...body, name: 'Staging 2' }).id).not.toBe(parse(body).id);
    expect(parse({ ...body, name: 'Staging-EU' }).id).not.toBe(parse({ ...body, name: 'Staging EU' }).id);
  });
});
