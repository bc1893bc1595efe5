import { parseFormat, parseSourceProfile, SWITCH_ROLE_FILE_FORMATS, switchRoleFileName } from '../../shared/domain/switch-role-file';
import { loadConfig } from '../../shared/lambda/config';
import { httpHandler, text } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import { systemClock } from '../../shared/ports';
import type { Deps } from '../../shared/use-cases/deps';
import { switchRolesFile } from '../../shared/use-cases/switch-roles';

/**
 * GET /switch-roles?format=aws-config|extension&source_profile=NAME: one file with a profile per
 * READY environment, ready to append to ~/.aws/config or paste into aws-extend-switch-roles.
 */
export const build = (deps: () => Pick<Deps, 'config' | 'environments' | 'clock'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const format = parseFormat(req.query.format, SWITCH_ROLE_FILE_FORMATS, 'aws-config');
    const sourceProfile = parseSourceProfile(req.query.source_profile, d.config.SOURCE_PROFILE);
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
