/**
 * The plain readers that check stored records and task inputs for their shape. What a caller relies
 * on: every problem is reported with the path to it, fields the reader does not name are dropped,
 * refused or kept as asked, and a value that passes comes back with the type the reader declares.
 */
import { arrayOf, integer, nonEmptyString, number, object, oneOf, optional, present, readShape, recordOf, string, text, unknown } from '../../shared/domain/record-shape';
import { InvalidInputError } from '../../shared/domain/errors';
import { taskHandler } from '../../shared/lambda/task';
import { AwaitInput, IdInput, OutcomeInput, PollInput, RequestEvent } from '../../shared/lambda/task-inputs';
import type { Context } from 'aws-lambda';

function issuesOf(reader: Parameters<typeof readShape>[0], value: unknown) {
  const read = readShape(reader, value);
  if (read.ok) throw new Error(`accepted ${JSON.stringify(value)}`);
  return read.issues;
}

describe('record shapes', () => {
  const entry = object({ at: string, status: oneOf(['READY', 'FAILED']), note: optional(string) });
  const record = object({ id: nonEmptyString, version: integer(0), tags: recordOf(string), timeline: arrayOf(entry), score: optional(number) });

  it('returns the value it read, typed, without fields it does not name', () => {
    const read = readShape(record, { id: 'a', version: 2, tags: { team: 'x' }, timeline: [{ at: 't', status: 'READY' }], leftover: true });
    expect(read).toEqual({ ok: true, value: { id: 'a', version: 2, tags: { team: 'x' }, timeline: [{ at: 't', status: 'READY' }] } });
    if (read.ok) {
      // The type follows the reader: a required string, an optional number.
      const id: string = read.value.id;
      const score: number | undefined = read.value.score;
      expect([id, score]).toEqual(['a', undefined]);
      expect(read.value).not.toHaveProperty('score');
    }
  });

  it('reports every problem, each with its path', () => {
    const issues = issuesOf(record, { id: '', version: -1, tags: { a: 1 }, timeline: [{ at: 5 }, 'x'], score: Number.NaN });
    expect(issues.map((i) => i.path)).toEqual(['id', 'version', 'tags.a', 'timeline.0.at', 'timeline.0.status', 'timeline.1', 'score']);
    expect(issues[0]!.message).toBe('must not be empty');
    expect(issues[1]!.message).toBe('must be at least 0');
    expect(issues[2]!.message).toBe('expected a string, received number');
    expect(issues[4]!.message).toBe('required (expected one of READY, FAILED)');
    expect(issues[5]!.message).toBe('expected an object, received string');
  });

  it('names a missing field as required and a null one by what it is', () => {
    const issues = issuesOf(object({ a: string, b: string }), { b: null });
    expect(issues).toEqual([
      { path: 'a', message: 'required (expected a string)' },
      { path: 'b', message: 'expected a string, received null' },
    ]);
  });

  it('gives the value itself an empty path', () => {
    expect(issuesOf(record, [])).toEqual([{ path: '', message: 'expected an object, received array' }]);
    expect(issuesOf(record, null)).toEqual([{ path: '', message: 'expected an object, received null' }]);
  });

  it('refuses fields it does not name when asked, and keeps them when asked', () => {
    const strict = object({ id: string }, 'refuse');
    expect(issuesOf(strict, { id: 'a', extra: 1, more: 2 })).toEqual([{ path: '', message: 'unknown field(s): "extra", "more"' }]);
    const loose = object({ id: string }, 'keep');
    expect(readShape(loose, { id: 'a', extra: 1 })).toEqual({ ok: true, value: { id: 'a', extra: 1 } });
  });

  it('cuts a long unknown field name short in its message', () => {
    const [issue] = issuesOf(object({}, 'refuse'), { ['k'.repeat(5000)]: 1 });
    expect(issue!.message.length).toBeLessThan(120);
  });

  it('keeps a __proto__ key as data, never as the prototype', () => {
    const loose = object({ id: string }, 'keep');
    const read = readShape(loose, JSON.parse('{"id":"a","__proto__":{"polluted":true}}'));
    expect(read.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (read.ok) expect((read.value as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds text and integers at both ends, and checks a pattern last', () => {
    const code = text({ min: 2, max: 4, pattern: /^[A-Z]+$/, message: 'must be capitals' });
    expect(issuesOf(code, 'A')[0]!.message).toBe('must be at least 2 characters');
    expect(issuesOf(code, 'ABCDE')[0]!.message).toBe('must be at most 4 characters');
    expect(issuesOf(code, 'ab')[0]!.message).toBe('must be capitals');
    expect(readShape(code, 'ABC')).toEqual({ ok: true, value: 'ABC' });
    expect(issuesOf(integer(0, 10), 11)[0]!.message).toBe('must be at most 10');
    expect(issuesOf(integer(0, 10), 1.5)[0]!.message).toBe('expected an integer, received number');
  });

  it('tells anything-or-nothing from anything-but-nothing', () => {
    expect(readShape(object({ detail: unknown }), {})).toEqual({ ok: true, value: {} });
    expect(issuesOf(object({ detail: present }), {})).toEqual([{ path: 'detail', message: 'required' }]);
    expect(readShape(object({ detail: present }), { detail: null })).toEqual({ ok: true, value: { detail: null } });
    // Present means the field is there: an own key holding undefined counts (an event built in memory may hold one).
    expect(readShape(object({ detail: present }), { detail: undefined }).ok).toBe(true);
    expect(issuesOf(present, undefined)).toEqual([{ path: '', message: 'required' }]);
  });
});

describe('task inputs', () => {
  const lambdaContext = () => ({ functionName: 'switchyard-test-placeAccount', awsRequestId: 'req-1' }) as Context;
  const token = 'AQCEAAAAKgAAAAMAAAAAAAAAA' + 'x'.repeat(600);

  it('accept what the state machine sends', () => {
    expect(readShape(IdInput, { id: 'staging-1a2b3c4d' }).ok).toBe(true);
    expect(readShape(PollInput, { id: 'staging-1a2b3c4d', polls: 3 }).ok).toBe(true);
    expect(readShape(AwaitInput, { id: 'staging-1a2b3c4d', token }).ok).toBe(true);
    const state = { id: 'staging-1a2b3c4d', input: { id: 'staging-1a2b3c4d', create: { state: 'FAILED', failureReason: 'EMAIL_ALREADY_EXISTS', accountId: null }, error: { Error: 'X', Cause: '{}' } } };
    expect(readShape(OutcomeInput, state)).toEqual({ ok: true, value: state });
  });

  it('refuse what it never sends', () => {
    expect(issuesOf(IdInput, { id: 'Staging!' })).toEqual([{ path: 'id', message: 'must be an environment id' }]);
    expect(issuesOf(IdInput, { id: 'staging-1a2b3c4d', polls: 1 })).toEqual([{ path: '', message: 'unknown field(s): "polls"' }]);
    expect(issuesOf(PollInput, { id: 'staging-1a2b3c4d', polls: 100001 })).toEqual([{ path: 'polls', message: 'must be at most 100000' }]);
    expect(issuesOf(AwaitInput, { id: 'staging-1a2b3c4d', token: 'x'.repeat(1025) })).toEqual([{ path: 'token', message: 'must be at most 1024 characters' }]);
    expect(issuesOf(RequestEvent, { id: 'e-1', source: 's' })).toEqual([{ path: 'detail', message: 'required' }]);
  });

  it('make a task fail with a terminal InvalidInputError naming each field, before the step runs', async () => {
    const step = jest.fn(async () => 'ran');
    const handler = taskHandler('PlaceAccount', PollInput, step);
    const failure = handler({ id: 'NOT AN ID', polls: -1, extra: true }, lambdaContext());
    await expect(failure).rejects.toBeInstanceOf(InvalidInputError);
    await expect(failure).rejects.toMatchObject({
      message: 'PlaceAccount received invalid input: id must be an environment id; polls must be at least 0; (input) unknown field(s): "extra"',
      fields: [
        { field: 'id', message: 'must be an environment id' },
        { field: 'polls', message: 'must be at least 0' },
        { field: '(input)', message: 'unknown field(s): "extra"' },
      ],
    });
    expect(step).not.toHaveBeenCalled();
    await expect(handler({ id: 'staging-1a2b3c4d', polls: 0 }, lambdaContext())).resolves.toBe('ran');
    expect(step).toHaveBeenCalledWith({ id: 'staging-1a2b3c4d', polls: 0 });
  });
});
