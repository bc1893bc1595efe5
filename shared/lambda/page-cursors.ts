import { randomBytes } from 'node:crypto';
import { openCursor, sealCursor } from '../domain/page-cursor';
import type { Config } from './config';
import type { HttpRequest } from './http';

let processCursorKey: string | undefined;

/** The key page cursors are sealed with: the deployment's CURSOR_KEY, else one drawn for this process. */
function cursorKey(config: Pick<Config, 'CURSOR_KEY'>): string {
  return config.CURSOR_KEY || (processCursorKey ??= randomBytes(32).toString('base64url'));
}

/** `?cursor=` for list routes, opened: the registry's cursor, or a 400 naming `cursor` unless this API sealed it. */
export function pageCursor(req: HttpRequest, config: Pick<Config, 'CURSOR_KEY'>): string | undefined {
  const cursor = req.query.cursor;
  return cursor ? openCursor(cursor, cursorKey(config)) : undefined;
}

/** The registry's cursor for the next page, sealed to hand out. */
export function sealedCursor(cursor: string | undefined, config: Pick<Config, 'CURSOR_KEY'>): string | undefined {
  return cursor === undefined ? undefined : sealCursor(cursor, cursorKey(config));
}
