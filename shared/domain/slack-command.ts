/**
 * The `/env …` slash command: what a person typed, turned into one of four intents. Pure: the
 * handler decides what each intent does, this module only reads the text Slack sends.
 */

export interface SlackCreateBody {
  name: string;
  ou?: string;
  email?: string;
  color?: string;
}

export type SlackCommand =
  | { kind: 'create'; body: SlackCreateBody }
  | { kind: 'status'; target: string }
  | { kind: 'list' }
  /** `/env extend NAME [DURATION]`: DURATION is an ISO 8601 duration, P7D when left out. */
  | { kind: 'extend'; target: string; ttl: string }
  /** `/env close NAME`. */
  | { kind: 'close'; target: string }
  | { kind: 'help' }
  | { kind: 'usage'; problem: string };

export const SLACK_USAGE = [
  '*/env* requests AWS environments and follows them:',
  '• `/env create NAME [ou=PATH] [email=ADDR] [color=COLOUR]` — e.g. `/env create "Playground Ana" ou=Sandbox/Playground color=green`',
  '• `/env status ID|NAME` — e.g. `/env status Staging`',
  '• `/env list` — the newest environments and their state',
  '• `/env extend ID|NAME [DURATION]` — a longer lease, e.g. `/env extend Playground P7D` (P7D when left out)',
  '• `/env close ID|NAME` — close its AWS account, e.g. `/env close "Playground Ana"`',
  '• `/env help` — this text',
  'Quote a name that has spaces. Colours: red, orange, yellow, green, blue.',
].join('\n');

const CREATE_OPTIONS = ['ou', 'email', 'color'] as const;
type CreateOption = (typeof CREATE_OPTIONS)[number];
const OPTION_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Echoed user text stays short so a pasted paragraph does not flood the reply. */
const ECHO_LIMIT = 40;

/** Curly quotes come from clients that "smarten" typing (macOS, iOS); they mean the same as `"`. */
const SMART_DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g;

/**
 * Slack rewrites what people type: `&`, `<` and `>` arrive as entities, and anything that looks like
 * an address or link arrives wrapped, e.g. `<mailto:a@b.com|a@b.com>`. Real angle brackets can only
 * come from that wrapping, so they are unwrapped first and the entities decoded after.
 */
export function unescapeSlackText(text: string): string {
  return text
    .replace(/<([^<>]*)>/g, (_match, inner: string) => {
      const bar = inner.indexOf('|');
      if (bar >= 0) return inner.slice(bar + 1);
      return inner.replace(/^mailto:/i, '');
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface Token {
  /** Set when the token is `key=value` with the key unquoted. */
  key?: string;
  value: string;
  quoted: boolean;
}

function echo(value: string): string {
  return value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT - 1)}…` : value;
}

function tokenText(token: Token): string {
  return token.key === undefined ? token.value : `${token.key}=${token.value}`;
}

/** Splits on spaces outside double quotes; `key="a b"` keeps its key. Returns a problem for an unclosed quote. */
function tokenize(text: string): Token[] | { problem: string } {
  const tokens: Token[] = [];
  let current: Token = { value: '', quoted: false };
  let started = false;
  let inQuote = false;
  const finish = () => {
    if (started) {
      if (current.key !== undefined && !OPTION_KEY.test(current.key)) current = { value: tokenText(current), quoted: current.quoted };
      tokens.push(current);
    }
    current = { value: '', quoted: false };
    started = false;
  };
  for (const ch of text) {
    if (inQuote) {
      if (ch === '"') inQuote = false;
      else current.value += ch;
    } else if (ch === ' ') {
      finish();
    } else if (ch === '"') {
      inQuote = true;
      current.quoted = true;
      started = true;
    } else if (ch === '=' && current.key === undefined && !current.quoted) {
      current.key = current.value;
      current.value = '';
      started = true;
    } else {
      current.value += ch;
      started = true;
    }
  }
  if (inQuote) return { problem: 'A double quote is not closed: put the name between two quotes, e.g. "Playground Ana".' };
  finish();
  return tokens;
}

function normalise(text: string): string {
  return unescapeSlackText(text).replace(SMART_DOUBLE_QUOTES, '"').replace(/\s+/g, ' ').trim();
}

function parseCreate(args: Token[]): SlackCommand {
  const options: Partial<Record<CreateOption, string>> = {};
  let name: string | undefined;
  for (const token of args) {
    if (token.key !== undefined) {
      const key = token.key.toLowerCase();
      if (!(CREATE_OPTIONS as readonly string[]).includes(key)) {
        return { kind: 'usage', problem: `Unknown option "${echo(token.key)}=": use ou=, email= or color=.` };
      }
      const option = key as CreateOption;
      if (options[option] !== undefined) return { kind: 'usage', problem: `The option ${option}= is given more than once.` };
      const value = option === 'email' ? token.value.replace(/^mailto:/i, '').trim() : token.value.trim();
      if (!value) return { kind: 'usage', problem: `The option ${option}= needs a value.` };
      options[option] = value;
    } else if (name === undefined) {
      name = token.value.trim();
    } else {
      // A second bare word is most often a forgotten `ou=`; guessing would create an account under the wrong name.
      return {
        kind: 'usage',
        problem: `Unexpected "${echo(token.value)}" after the name "${echo(name)}": quote a name that has spaces, and write options as ou=…, email=…, color=….`,
      };
    }
  }
  if (!name) return { kind: 'usage', problem: 'create needs a name, e.g. /env create Staging ou=Workloads/Staging.' };
  return { kind: 'create', body: { name, ...options } };
}

export function parseSlackCommand(text: string): SlackCommand {
  const tokens = tokenize(normalise(text));
  if (!Array.isArray(tokens)) return { kind: 'usage', problem: tokens.problem };
  const [first, ...rest] = tokens;
  if (!first) return { kind: 'help' };
  const verb = first.key === undefined && !first.quoted ? first.value.toLowerCase() : '';
  switch (verb) {
    case 'help':
      return { kind: 'help' };
    case 'list':
      return rest.length ? { kind: 'usage', problem: '"list" takes no arguments; use /env status NAME for one environment.' } : { kind: 'list' };
    case 'status': {
      const target = rest.map(tokenText).join(' ').trim();
      return target ? { kind: 'status', target } : { kind: 'usage', problem: 'status needs an environment id or name, e.g. /env status Staging.' };
    }
    case 'create':
      return parseCreate(rest);
    case 'extend': {
      const words = rest.map(tokenText);
      // The last word is the duration when it looks like one (`P7D`, `PT12H`); the rest names the environment.
      const last = words.at(-1) ?? '';
      const ttl = /^P[0-9WDTHMS.]+$/i.test(last) ? last : 'P7D';
      const target = (ttl === last && words.length > 1 ? words.slice(0, -1) : ttl === last ? [] : words).join(' ').trim();
      return target ? { kind: 'extend', target, ttl } : { kind: 'usage', problem: 'extend needs an environment, e.g. /env extend Playground P7D.' };
    }
    case 'close': {
      const target = rest.map(tokenText).join(' ').trim();
      return target ? { kind: 'close', target } : { kind: 'usage', problem: 'close needs an environment, e.g. /env close Playground.' };
    }
    default:
      return { kind: 'usage', problem: `Unknown command "${echo(tokenText(first))}".` };
  }
}

export interface SlashCommandForm {
  /** Everything after the command, as Slack escaped it; parseSlackCommand unescapes it. */
  text: string;
  userId: string;
  userName: string;
  /** A bearer capability (valid 30 minutes, 5 posts): never log it. */
  responseUrl: string;
  command: string;
  teamId: string;
  channelId: string;
}

/**
 * Reads the fields Switchyard uses from Slack's form body. Slack adds fields over time, so others
 * are ignored rather than refused; without `command` or `response_url` it is not a slash command.
 */
export function parseSlashCommandForm(rawBody: string): SlashCommandForm | undefined {
  const form = new URLSearchParams(rawBody);
  const command = form.get('command');
  const responseUrl = form.get('response_url');
  if (!command || !responseUrl) return undefined;
  return {
    text: form.get('text') ?? '',
    userId: form.get('user_id') ?? '',
    userName: form.get('user_name') ?? '',
    responseUrl,
    command,
    teamId: form.get('team_id') ?? '',
    channelId: form.get('channel_id') ?? '',
  };
}
