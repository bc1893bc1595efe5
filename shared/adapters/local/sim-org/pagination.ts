import { createHash } from 'node:crypto';
import { invalid } from './errors';
import type { OrgState } from './state';

/**
 * Pages of List* results as AWS hands them out: at most MaxResults (20 by default and at most), and
 * a NextToken that is opaque, tied to the operation and query it came from, and tamper-evident.
 */

const PAGE_LIMIT = 20;

export interface PageInput {
  NextToken?: string;
  MaxResults?: number;
}

/**
 * One page of `items` (already in a stable order by `key`). The token records the operation, the
 * query it belongs to and the last key returned, so items added or removed between pages neither
 * repeat nor shift the rest; it carries a checksum so that a made-up or altered token is refused.
 */
export function page<T>(
  s: OrgState,
  operation: string,
  scope: string,
  items: readonly T[],
  key: (item: T) => number | string,
  input: PageInput,
): { items: T[]; nextToken?: string } {
  const limit = maxResults(input.MaxResults);
  let remaining = items;
  if (input.NextToken !== undefined && input.NextToken !== null) {
    const after = decodeToken(s, input.NextToken, operation, scope);
    remaining = items.filter((item) => comesAfter(key(item), after));
  }
  const pageItems = remaining.slice(0, limit);
  if (remaining.length <= limit) return { items: pageItems };
  return { items: pageItems, nextToken: encodeToken(s, { o: operation, q: scope, a: key(pageItems[pageItems.length - 1]!) }) };
}

function maxResults(value: unknown): number {
  if (value === undefined || value === null) return PAGE_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid('INVALID_INPUT', 'MaxResults must be a whole number.');
  if (value < 1) throw invalid('MIN_VALUE_EXCEEDED', 'MaxResults must be at least 1.');
  if (value > PAGE_LIMIT) throw invalid('MAX_VALUE_EXCEEDED', `MaxResults must be at most ${PAGE_LIMIT}.`);
  return value;
}

interface TokenPayload {
  /** operation */
  o: string;
  /** the query the token belongs to (parent, filters) */
  q: string;
  /** the key of the last item returned */
  a: number | string;
}

function comesAfter(key: number | string, cursor: number | string): boolean {
  return typeof key === 'number' && typeof cursor === 'number' ? key > cursor : String(key) > String(cursor);
}

function tokenChecksum(s: OrgState, body: string): string {
  return createHash('sha256').update(`${s.organizationId}:${body}`).digest('base64url').slice(0, 16);
}

function encodeToken(s: OrgState, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${tokenChecksum(s, body)}`;
}

function decodeToken(s: OrgState, token: unknown, operation: string, scope: string): number | string {
  const refuse = () => invalid('INVALID_NEXT_TOKEN', 'The NextToken is not valid for this request; start again without one.');
  if (typeof token !== 'string') throw refuse();
  const [body, checksum, ...rest] = token.split('.');
  if (!body || rest.length > 0 || checksum !== tokenChecksum(s, body)) throw refuse();
  let payload: Partial<TokenPayload>;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<TokenPayload>;
  } catch {
    throw refuse();
  }
  if (payload.o !== operation || payload.q !== scope || (typeof payload.a !== 'number' && typeof payload.a !== 'string')) throw refuse();
  return payload.a;
}
