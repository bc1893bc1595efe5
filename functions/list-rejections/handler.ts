import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, json, pageLimit } from '../../shared/lambda/http';
import { pageCursor, sealedCursor } from '../../shared/lambda/page-cursors';
import { lazy } from '../../shared/lambda/lazy';
import { awsRejections } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';

/** GET /rejections: requests from events that were refused, newest first, with the reason and the fields at fault. */
export const build = (deps: () => Pick<Deps, 'config' | 'rejections'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const limit = pageLimit(req);
    const page = await d.rejections.list({ limit, cursor: pageCursor(req, d.config) });
    const cursor = sealedCursor(page.cursor, d.config);
    return json(200, { items: page.items, ...(cursor ? { cursor } : {}) });
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, rejections: awsRejections(config) };
  }),
);
