import { InvalidInputError, type FieldError } from './errors';
import { MAX_JSON_DEPTH, tooDeep } from './json-depth';
import { ENVIRONMENT_ID_PATTERN } from './naming';
import { arrayOf, fieldErrors, object, optional, readShape, text, type Reader } from './record-shape';
import { APPROVAL_ACTIONS, LEASE_ACTIONS } from './slack-messages';

/**
 * A click on a button of a Switchyard message, as Slack posts it to the app's interactivity URL
 * (POST /slack/interactions): a form with one field, `payload`, holding JSON. Pure: this module only
 * reads what Slack sent; the use case decides. Only a verified request gets here (the route's
 * signature middleware), but a signed request is still refused field by field: it is Slack's word
 * about who clicked what, and nothing else in it is trusted.
 */

/** A Slack user id: `U…`, or `W…` for Enterprise Grid. The decider is whoever Slack says clicked. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** response_urls are about 100 characters; anything far longer is not one. */
const RESPONSE_URL_MAX = 2048;

/** Link buttons (the switch-role button of a ready message) open their URL; Slack still posts the click, which needs only a 200. */
const LINK_ACTIONS = new Set(['switch-role']);

export type ApprovalDecisionAction = keyof typeof APPROVAL_ACTIONS;

export type SlackInteraction =
  | {
      kind: 'decision';
      decision: ApprovalDecisionAction;
      environmentId: string;
      /** Who clicked, as Slack signed it. */
      userId: string;
      /** A bearer capability (30 minutes, 5 posts): never log it. */
      responseUrl: string;
    }
  /** The Extend button of a lease reminder. */
  | { kind: 'extend'; environmentId: string; userId: string; responseUrl: string }
  | { kind: 'link'; actionId: string };

/** A click is a block_actions payload (`type`), with its one action. */
const blockActions: Reader<'block_actions'> = (value, path, issues) => {
  if (value !== 'block_actions') issues.push({ path, message: 'must be block_actions (a button click)' });
  return value as 'block_actions';
};

const actionList = arrayOf(object({ action_id: text({ min: 1, max: 255 }), value: optional(text({ max: 2000 })) }));
const oneAction: typeof actionList = (value, path, issues) => {
  const read = actionList(value, path, issues);
  if (Array.isArray(value) && value.length !== 1) issues.push({ path, message: 'must hold exactly one action' });
  return read;
};

/**
 * Slack's block_actions payload, the fields Switchyard reads. Not strict: Slack sends dozens of
 * others (team, container, message, state…) and adds more over time; the unknown ones are dropped,
 * never copied, so a `__proto__` key in them goes nowhere. Read with the plain readers of
 * record-shape.ts (Slack's shape, not a user's rules), which cost a cold start nothing to build.
 */
export const SlackInteractionPayload = object({
  type: blockActions,
  user: object({ id: text({ pattern: SLACK_USER_ID, message: 'must be a Slack user id (U… or W…)' }) }),
  response_url: text({ min: 1, max: RESPONSE_URL_MAX }),
  actions: oneAction,
});

function refuse(message: string, fields: FieldError[]): never {
  throw new InvalidInputError(message, fields);
}


/**
 * Reads a button click from the raw form body; throws InvalidInputError naming the field at fault
 * (`payload`, `payload.type`, `payload.actions.0.value`…) for anything that is not a click Switchyard
 * can act on. A click on a link button is recognised and left alone.
 */
export function parseSlackInteraction(rawBody: string): SlackInteraction {
  const payloads = new URLSearchParams(rawBody).getAll('payload');
  if (payloads.length !== 1) {
    refuse('Not a Slack interaction: the form must carry one payload field.', [{ field: 'payload', message: payloads.length ? 'is given more than once' : 'is missing' }]);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(payloads[0]!);
  } catch {
    refuse('The Slack interaction payload is not valid JSON.', [{ field: 'payload', message: 'is not valid JSON' }]);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    refuse('The Slack interaction payload must be a JSON object.', [{ field: 'payload', message: 'must be a JSON object' }]);
  }
  if (tooDeep(payload)) {
    refuse(`The Slack interaction payload nests deeper than ${MAX_JSON_DEPTH} levels.`, [{ field: 'payload', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }]);
  }
  const read = readShape(SlackInteractionPayload, payload);
  if (!read.ok) {
    const fields = fieldErrors(read.issues, { root: 'payload', prefix: 'payload' });
    refuse(`The Slack interaction payload is not a button click Switchyard can act on (${fields.map((f) => f.field).join(', ')}).`, fields);
  }
  const { user, response_url: responseUrl, actions } = read.value;
  const action = actions[0]!;
  if (LINK_ACTIONS.has(action.action_id)) return { kind: 'link', actionId: action.action_id };
  if (action.action_id !== APPROVAL_ACTIONS.approve && action.action_id !== APPROVAL_ACTIONS.reject && action.action_id !== LEASE_ACTIONS.extend) {
    refuse('The Slack interaction is for a button Switchyard does not have.', [{ field: 'payload.actions.0.action_id', message: 'must be approve, reject or extend' }]);
  }
  if (action.value === undefined || !ENVIRONMENT_ID_PATTERN.test(action.value)) {
    refuse('The button does not name an environment.', [{ field: 'payload.actions.0.value', message: 'must be an environment id, e.g. staging-1a2b3c4d' }]);
  }
  if (action.action_id === LEASE_ACTIONS.extend) return { kind: 'extend', environmentId: action.value, userId: user.id, responseUrl };
  return { kind: 'decision', decision: action.action_id as ApprovalDecisionAction, environmentId: action.value, userId: user.id, responseUrl };
}
