import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, json, pageLimit } from '../../shared/lambda/http';
import { pageCursor, sealedCursor } from '../../shared/lambda/page-cursors';
import { lazy } from '../../shared/lambda/lazy';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';
import { environmentView } from '../../shared/use-cases/views';

/** GET /environments?limit=&cursor=: newest first, one page at a time. */
export const build = (deps: () => Pick<Deps, 'config' | 'environments'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const limit = pageLimit(req);
    const page = await d.environments.list({ limit, cursor: pageCursor(req, d.config) });
    const cursor = sealedCursor(page.cursor, d.config);
    const next = cursor ? `${d.config.PUBLIC_BASE_URL}/environments?limit=${limit}&cursor=${encodeURIComponent(cursor)}` : undefined;
    return json(200, {
      items: page.items.map((e) => environmentView(e, d.config)),
      ...(cursor ? { cursor } : {}),
      links: { self: `${d.config.PUBLIC_BASE_URL}/environments`, ...(next ? { next } : {}) },
    });
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, environments: awsEnvironments(config) };
  }),
);
