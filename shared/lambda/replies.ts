import type { Config } from './config';
import { json, type HttpReply } from './http';
import type { RequestOutcome } from '../use-cases/request-environment';
import { environmentView } from '../use-cases/views';

/** 202 for a new environment, 200 with the existing one for the same request again. */
export function requestReply({ environment, created }: RequestOutcome, config: Config): HttpReply {
  const view = environmentView(environment, config);
  return json(created ? 202 : 200, { id: environment.id, status: environment.status, environment: view, links: view.links }, { location: view.links.self });
}
