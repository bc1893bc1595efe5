import type { Environment } from '../domain/environment';
import type { SwitchRoleFormat } from '../domain/switch-role-file';
import type { SwitchRoleDetails } from '../domain/switch-role';
import type { Page } from '../ports';
import type { Config } from './config';
import { json, text, type HttpReply } from './http';
import { sealedCursor } from './page-cursors';
import type { RequestOutcome } from '../use-cases/request-environment';
import { environmentView } from '../use-cases/views';

/** 202 for a new environment, 200 with the existing one for the same request again. */
export function requestReply({ environment, created }: RequestOutcome, config: Config): HttpReply {
  const view = environmentView(environment, config);
  return json(created ? 202 : 200, { id: environment.id, status: environment.status, environment: view, links: view.links }, { location: view.links.self });
}

/** A page of environments: their views, the sealed cursor and the link to the next page while there is one. */
export function environmentsPage(page: Page<Environment>, limit: number, config: Config, status?: string): HttpReply {
  const cursor = sealedCursor(page.cursor, config);
  const filter = status ? `&status=${status}` : '';
  const next = cursor ? `${config.PUBLIC_BASE_URL}/environments?limit=${limit}${filter}&cursor=${encodeURIComponent(cursor)}` : undefined;
  return json(200, {
    items: page.items.map((e) => environmentView(e, config)),
    ...(cursor ? { cursor } : {}),
    links: { self: `${config.PUBLIC_BASE_URL}/environments`, ...(next ? { next } : {}) },
  });
}

/** Switch-role details as JSON, or as the text a browser (url), the AWS CLI (aws-config) or the extension takes as is. */
export function switchRoleReply(details: SwitchRoleDetails, format: SwitchRoleFormat): HttpReply {
  switch (format) {
    case 'url':
      return text(200, details.consoleUrl);
    case 'aws-config':
      return text(200, details.awsConfigProfile);
    case 'extension':
      return text(200, details.extensionEntry);
    default:
      return json(200, details);
  }
}
