import type { LocalEventBus } from '../shared/adapters/local/local-event-bus';
import type { FieldError } from '../shared/domain/errors';
import { MAX_JSON_DEPTH, tooDeep } from '../shared/domain/json-depth';
import type { LocalRoute } from './http-server';

/**
 * EventBridge's PutEvents (AWS JSON 1.1) at /_aws/events, so the real SDK client or
 * `aws events put-events --endpoint-url http://127.0.0.1:PORT/_aws/events` can drive the local bus.
 * Like EventBridge, a bad entry fails alone (MalformedDetail) while the others are accepted. A Detail
 * nested deeper than MAX_JSON_DEPTH fails the whole call (400) before anything is put: the bus and
 * the request function refuse it anyway, and walking it would overflow the stack.
 *
 * Faults carry AWS's `__type` and `message`, which the SDK reads, and Switchyard's `error` object.
 */
export function putEventsEndpoint(bus: LocalEventBus): LocalRoute {
  const reply = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
  const fault = (status: number, type: string, code: string, message: string, fields: FieldError[] = []) => ({
    ...reply(status, { __type: type, message, error: { code, message, ...(fields.length ? { fields } : {}) } }),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
  });
  return async (req, body) => {
    if (req.method !== 'POST') return fault(405, 'UnknownOperationException', 'METHOD_NOT_ALLOWED', 'PutEvents is a POST.');
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target !== 'AWSEvents.PutEvents') {
      return fault(400, 'UnknownOperationException', 'INVALID_INPUT', `The local bus serves AWSEvents.PutEvents only (got ${target || 'no X-Amz-Target'}).`, [
        { field: 'X-Amz-Target', message: 'must be AWSEvents.PutEvents' },
      ]);
    }
    let input: { Entries?: unknown };
    try {
      input = JSON.parse(body) as { Entries?: unknown };
    } catch {
      return fault(400, 'SerializationException', 'INVALID_INPUT', 'The body is not valid JSON.', [{ field: '(body)', message: 'is not valid JSON' }]);
    }
    if (!input || !Array.isArray(input.Entries) || input.Entries.length < 1 || input.Entries.length > 10) {
      return fault(400, 'ValidationException', 'INVALID_INPUT', 'Entries must hold 1 to 10 entries.', [{ field: 'Entries', message: 'must hold 1 to 10 entries' }]);
    }
    const parsed = input.Entries.map((raw: unknown) => {
      const entry = (raw ?? {}) as { Source?: unknown; DetailType?: unknown; Detail?: unknown };
      if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
        return { failed: { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required strings.' } };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { failed: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON.' } };
      }
      if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return { failed: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' } };
      return { put: { source: entry.Source, detailType: entry.DetailType, detail } };
    });
    const deep = parsed.findIndex((p) => p.put && tooDeep(p.put.detail));
    if (deep >= 0) {
      return fault(400, 'ValidationException', 'INVALID_INPUT', `Entries.${deep}.Detail nests deeper than ${MAX_JSON_DEPTH} levels.`, [
        { field: `Entries.${deep}.Detail`, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` },
      ]);
    }
    const entries = parsed.map((p) => (p.put ? { EventId: bus.put(p.put) } : p.failed!));
    return reply(200, { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries });
  };
}
