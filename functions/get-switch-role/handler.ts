import { NotFoundError } from '../../shared/domain/errors';
import { parseFormat, SWITCH_ROLE_FORMATS } from '../../shared/domain/switch-role-file';
import { loadConfig } from '../../shared/lambda/config';
import { environmentIdParam, httpHandler } from '../../shared/lambda/http';
import { lazy } from '../../shared/lambda/lazy';
import { switchRoleReply } from '../../shared/lambda/replies';
import { awsEnvironments } from '../../shared/lambda/aws/registry';
import type { Deps } from '../../shared/use-cases/deps';
import { readySwitchRole } from '../../shared/use-cases/switch-roles';

/**
 * GET /environments/{id}/switch-role?format=json|url|aws-config|extension: one READY environment's
 * switch-role details, as JSON or as the text a browser, the AWS CLI or the extension takes as is.
 */
export const build = (deps: () => Pick<Deps, 'config' | 'environments'>) =>
  httpHandler(async (req) => {
    const d = deps();
    const id = environmentIdParam(req);
    // Checked before the read so a bad format costs no registry call.
    const format = parseFormat(req.query.format, SWITCH_ROLE_FORMATS, 'json');
    const env = await d.environments.get(id);
    if (!env) throw new NotFoundError(`No environment ${id}.`);
    return switchRoleReply(readySwitchRole(env, d.config), format);
  });

export const handler = build(
  lazy(() => {
    const config = loadConfig();
    return { config, environments: awsEnvironments(config) };
  }),
);
