import type { LocalEventBus } from '../shared/adapters/local/local-event-bus';
import type { LocalRoute } from './http-server';

/**
 * EventBridge's PutEvents (AWS JSON 1.1) at /_aws/events, so the real SDK client or
 * `aws events put-events --endpoint-url http://127.0.0.1:PORT/_aws/events` can drive the local bus.
 * Like EventBridge, a bad entry fails alone (MalformedDetail) while the others are accepted.
 */
export function putEventsEndpoint(bus: LocalEventBus): LocalRoute {
  const reply = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
  const fault = (status: number, type: string, message: string) => ({ ...reply(status, { __type: type, message }), headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type } });
  return async (req, body) => {
    if (req.method !== 'POST') return fault(405, 'UnknownOperationException', 'PutEvents is a POST.');
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target !== 'AWSEvents.PutEvents') return fault(400, 'UnknownOperationException', `The local bus serves AWSEvents.PutEvents only (got ${target || 'no X-Amz-Target'}).`);
    let input: { Entries?: unknown };
    try {
      input = JSON.parse(body) as { Entries?: unknown };
    } catch {
      return fault(400, 'SerializationException', 'The body is not valid JSON.');
    }
    if (!Array.isArray(input.Entries) || input.Entries.length < 1 || input.Entries.length > 10) {
      return fault(400, 'ValidationException', 'Entries must hold 1 to 10 entries.');
    }
    const entries = input.Entries.map((raw: unknown) => {
      const entry = (raw ?? {}) as { Source?: unknown; DetailType?: unknown; Detail?: unknown };
      if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required strings.' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON.' };
      }
      if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
      return { EventId: bus.put({ source: entry.Source, detailType: entry.DetailType, detail }) };
    });
    return reply(200, { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries });
  };
}
