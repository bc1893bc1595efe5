import { LIVE_HUB_PATH } from '../../shared/domain/hub-page';
import { parseFormat, parseSourceProfile, SWITCH_ROLES_FORMATS, switchRoleFileName } from '../../shared/domain/switch-role-file';
import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, text } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { hubPage, switchRolesFile } from '../../shared/use-cases/switch-roles';

/**
 * The route key the local runtime gives this function for `GET /`, the live hub. API Gateway sets the
 * route key itself and this function has no such route there, so a deployment only ever serves the
 * snapshot.
 */
const LIVE_HUB_ROUTE_KEY = `GET ${LIVE_HUB_PATH}`;

/**
 * GET /switch-roles?format=aws-config|extension|html&source_profile=NAME: one file with a profile per
 * READY environment, ready to append to ~/.aws/config or paste into aws-extend-switch-roles, or the
 * switch-role hub as one self-contained HTML file. Locally it also serves the live hub at `GET /`.
 */
export const build = (deps: () => Pick<Deps, 'config' | 'environments' | 'clock'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const live = req.event.routeKey === LIVE_HUB_ROUTE_KEY;
    const format = live ? 'html' : parseFormat(req.query.format, SWITCH_ROLES_FORMATS, 'aws-config');
    const sourceProfile = parseSourceProfile(req.query.source_profile, d.config.SOURCE_PROFILE);
    if (format === 'html') {
      const page = await hubPage(d, { live, sourceProfile });
      return text(200, page.html, 'text/html; charset=utf-8', {
        'content-security-policy': page.headerPolicy,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        // The live page is shown in place; the snapshot is a file to keep.
        ...(live ? {} : { 'content-disposition': `attachment; filename="${switchRoleFileName(format)}"` }),
      });
    }
    const file = await switchRolesFile(d, { format, sourceProfile });
    return text(200, file.body, 'text/plain; charset=utf-8', {
      'content-disposition': `attachment; filename="${switchRoleFileName(format)}"`,
    });
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, environments: awsEnvironments(config), clock: systemClock };
  }),
);
