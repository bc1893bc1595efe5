import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, json, pageLimit } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { awsRegistry } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';
import { environmentView } from '../../shared/use-cases/views';

/** GET /environments?limit=&cursor=: newest first, one page at a time. */
export const build = (deps: () => Pick<Deps, 'config' | 'registry'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const limit = pageLimit(req);
    const page = await d.registry.list({ limit, cursor: req.query.cursor });
    const next = page.cursor ? `${d.config.PUBLIC_BASE_URL}/environments?limit=${limit}&cursor=${encodeURIComponent(page.cursor)}` : undefined;
    return json(200, {
      items: page.items.map((e) => environmentView(e, d.config)),
      ...(page.cursor ? { cursor: page.cursor } : {}),
      links: { self: `${d.config.PUBLIC_BASE_URL}/environments`, ...(next ? { next } : {}) },
    });
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, registry: awsRegistry(config) };
  }),
);
