import * as checkAccountStatus from '../functions/check-account-status/handler';
import * as checkDrift from '../functions/check-drift/handler';
import * as getDrift from '../functions/get-drift/handler';
import * as configureAccount from '../functions/configure-account/handler';
import * as createAccount from '../functions/create-account/handler';
import * as createEnvironment from '../functions/create-environment/handler';
import * as getEnvironment from '../functions/get-environment/handler';
import * as getSwitchRole from '../functions/get-switch-role/handler';
import * as grantAccess from '../functions/grant-access/handler';
import * as listEnvironments from '../functions/list-environments/handler';
import * as listRejections from '../functions/list-rejections/handler';
import * as listSwitchRoles from '../functions/list-switch-roles/handler';
import * as notifyAdmin from '../functions/notify-admin/handler';
import * as notifyFailure from '../functions/notify-failure/handler';
import * as placeAccount from '../functions/place-account/handler';
import * as provisionWebhook from '../functions/provision-webhook/handler';
import * as recordFailure from '../functions/record-failure/handler';
import * as recordReady from '../functions/record-ready/handler';
import * as requestFromEvent from '../functions/request-from-event/handler';
import * as slackCommand from '../functions/slack-command/handler';
import type { TaskFunction } from '../shared/adapters/local/local-workflow';
import type { Deps } from '../shared/use-cases/deps';

/**
 * Every function, keyed as in serverless.yml, built from the same `build` the Lambda entry point uses
 * but with the local runtime's ports.
 */
export function buildFunctions(deps: () => Deps & Pick<checkDrift.CheckDriftDeps, 'recheck' | 'settingsPerCheck'>): Record<string, TaskFunction> {
  const modules = {
    createEnvironment,
    getEnvironment,
    listEnvironments,
    listRejections,
    getSwitchRole,
    listSwitchRoles,
    slackCommand,
    provisionWebhook,
    requestFromEvent,
    createAccount,
    checkAccountStatus,
    placeAccount,
    grantAccess,
    configureAccount,
    notifyAdmin,
    notifyFailure,
    recordReady,
    recordFailure,
    checkDrift,
    getDrift,
  };
  return Object.fromEntries(Object.entries(modules).map(([key, mod]) => [key, mod.build(deps) as unknown as TaskFunction]));
}
