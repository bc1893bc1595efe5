/**
 * How deeply a JSON value may nest at any edge (request bodies, event details). DynamoDB stores
 * documents up to 32 levels deep, and nothing Switchyard accepts needs more than 2; a deeper value is
 * refused before anything walks it recursively (JSON.stringify, SDK marshalling, schema errors),
 * which would otherwise overflow the stack.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * The nesting depth of a parsed JSON value, counted without recursion and given up on once past
 * `limit`: a scalar is 0, `{}` and `[]` are 1, `{"a":[1]}` is 2. Returns `limit + 1` for anything deeper.
 */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const here = depth + 1;
    if (here > limit) return limit + 1;
    if (here > deepest) deepest = here;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, here]);
    }
  }
  return deepest;
}

/** True when a value nests deeper than MAX_JSON_DEPTH. */
export function tooDeep(value: unknown): boolean {
  return jsonDepth(value) > MAX_JSON_DEPTH;
}
