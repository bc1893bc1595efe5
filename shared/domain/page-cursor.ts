import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from './errors';

/** Longer than any cursor handed out (a registry key is well under 1 KB); longer ones are refused unread. */
export const MAX_CURSOR_LENGTH = 1024;

const invalid = () => new InvalidInputError('The cursor is not one this API returned; start again without it.', [{ field: 'cursor', message: 'is not a valid page cursor' }]);

function tag(key: string, cursor: string): Buffer {
  return createHmac('sha256', key).update(cursor, 'utf8').digest();
}

/**
 * The cursor a list route hands out: the registry's own cursor and its HMAC under the deployment's
 * key, so that only cursors the API made come back to the registry. A made-up or altered one (an
 * oversized key the database would refuse, another table's item) is a 400, never a database error.
 */
export function sealCursor(cursor: string, key: string): string {
  return `${cursor}.${tag(key, cursor).toString('base64url')}`;
}

/** The registry cursor inside a sealed one; InvalidInputError (field `cursor`) unless this key sealed it. */
export function openCursor(sealed: string, key: string): string {
  if (sealed.length > MAX_CURSOR_LENGTH) throw invalid();
  const dot = sealed.lastIndexOf('.');
  if (dot <= 0) throw invalid();
  const cursor = sealed.slice(0, dot);
  // Compared as text: base64url decoding forgives stray characters, the comparison should not.
  const given = Buffer.from(sealed.slice(dot + 1), 'utf8');
  const expected = Buffer.from(tag(key, cursor).toString('base64url'), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  return cursor;
}
