/**
 * Stored environments are read through one door: brought up to the current form version by version,
 * then checked against the schema. The records here are written out by hand, as earlier releases (or
 * a damaged table) would hold them.
 */
import { environmentFromRecord, environmentRecord, newEnvironment } from '../../shared/domain/environment';
import { InvalidStoredRecordError } from '../../shared/domain/errors';
import { requestHash } from '../../shared/domain/naming';
import { parseEnvironmentRequest } from '../../shared/domain/request';

const request = { name: 'Staging', email: 'admin+staging@example.com', ou: 'Workloads/Staging', color: 'FAD791', tags: {} };

/** A record as the release before schema versions wrote it: no schemaVersion, staging's earlier yellow. */
const earlier = {
  id: 'staging-1a2b3c4d',
  ...request,
  requestHash: requestHash(request),
  status: 'READY',
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:20:00.000Z',
  source: 'api',
  executionName: 'staging-1a2b3c4d',
  accountId: '222233334444',
  timeline: [{ at: '2024-05-01T10:00:00.000Z', status: 'REQUESTED', note: 'requested via api' }],
  version: 4,
};

function current() {
  const parsed = parseEnvironmentRequest({ name: 'Playground Ana', ou: 'Sandbox/Playground', color: 'green' }, { emailTemplate: 'admin+{slug}@example.com' });
  return newEnvironment(parsed, { now: new Date('2026-11-28T09:00:00Z'), source: 'api' });
}

function failure(record: Record<string, unknown>): InvalidStoredRecordError {
  try {
    environmentFromRecord(record);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStoredRecordError);
    return error as InvalidStoredRecordError;
  }
  throw new Error('the record was accepted');
}

describe('reading a stored environment', () => {
  it('takes a record without schemaVersion as version 1 and brings its colour to the current palette', () => {
    const env = environmentFromRecord(earlier);
    expect(env.color).toBe('EFDA95');
    // The digest follows the colour, so the original request sent again is still the same request.
    const again = parseEnvironmentRequest({ name: 'Staging', email: 'admin+staging@example.com', ou: 'Workloads/Staging', color: 'FAD791' }, { emailTemplate: 'admin+{slug}@example.com' });
    expect(again.color).toBe('EFDA95');
    expect(env.requestHash).toBe(again.requestHash);
    expect(env.requestHash).not.toBe(earlier.requestHash);
    expect(env).toMatchObject({ id: earlier.id, status: 'READY', accountId: '222233334444', version: 4 });
    expect(env).not.toHaveProperty('schemaVersion');
  });

  it('keeps a digest that was not made from the record’s own fields', () => {
    expect(environmentFromRecord({ ...earlier, requestHash: 'made-elsewhere' }).requestHash).toBe('made-elsewhere');
  });

  it('reads back what it writes, unchanged', () => {
    const env = { ...current(), accountId: '555566667777', notified: ['ready:email'], failure: { code: 'X', message: 'x', fix: 'y', state: 'CreateAccount' } };
    const written = environmentRecord(env);
    expect(written.schemaVersion).toBe(2);
    expect(environmentFromRecord(JSON.parse(JSON.stringify(written)))).toEqual(env);
  });

  it('does not migrate a record already at the current version', () => {
    // An earlier-palette hex in a current record is what was asked for, not a leftover to fix.
    const record = { ...environmentRecord(current()), color: 'FAD791' };
    expect(environmentFromRecord(record).color).toBe('FAD791');
  });

  it('drops attributes the schema does not know', () => {
    expect(environmentFromRecord({ ...earlier, leftover: 'x' })).not.toHaveProperty('leftover');
  });

  it('names the record and every field at fault when it does not match the schema', () => {
    const error = failure({ ...earlier, status: 'DONE', timeline: [{ at: 5 }], version: -1 });
    expect(error.name).toBe('InvalidStoredRecordError');
    expect(error.status).toBe(500);
    expect(error.message).toContain('staging-1a2b3c4d');
    for (const field of ['status', 'timeline.0.at', 'timeline.0.status', 'version']) expect(error.message).toContain(`${field}:`);
  });

  it('refuses a record from a newer release, or with a schemaVersion that is not one', () => {
    expect(failure({ ...earlier, schemaVersion: 3 }).message).toContain('newer release');
    failure({ ...earlier, schemaVersion: 0 });
    failure({ ...earlier, schemaVersion: '2' });
  });

  it('refuses a record that is missing what every environment has', () => {
    const { email: _email, timeline: _timeline, ...partial } = earlier;
    const error = failure(partial);
    expect(error.message).toContain('email:');
    expect(error.message).toContain('timeline:');
  });
});
