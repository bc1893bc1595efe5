import { InvalidInputError } from './errors';

/** The longest comment a decision keeps (it goes into the timeline, events and Slack). */
export const MAX_COMMENT_LENGTH = 500;

/** `{ "comment"?: string }`, or no body at all; anything else is a 400 naming the field. */
export function parseDecisionBody(body: unknown): { comment?: string } {
  if (body === undefined) return {};
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidInputError('The body must be a JSON object, e.g. {"comment": "for the Q3 launch"}.', [{ field: '(body)', message: 'must be a JSON object' }]);
  }
  const { comment, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new InvalidInputError(`Unknown field ${unknown[0]}; a decision takes only comment.`, unknown.map((field) => ({ field, message: 'is not a known field' })));
  if (comment === undefined) return {};
  if (typeof comment !== 'string') throw new InvalidInputError('comment must be a string.', [{ field: 'comment', message: 'must be a string' }]);
  // Control characters would break the timeline's one-line notes and Slack's text.
  if (/[\u0000-\u001f\u007f]/.test(comment)) throw new InvalidInputError('comment may not contain control characters or line breaks.', [{ field: 'comment', message: 'contains control characters' }]);
  if (comment.length > MAX_COMMENT_LENGTH) throw new InvalidInputError(`comment is limited to ${MAX_COMMENT_LENGTH} characters.`, [{ field: 'comment', message: `is longer than ${MAX_COMMENT_LENGTH} characters` }]);
  return comment.trim() ? { comment: comment.trim() } : {};
}
