/**
 * The switch-role colours the AWS console accepts in `color=`, written as it writes them (no `#`).
 * The parameter is undocumented, and the console accepts only its own palette, which AWS changes from
 * time to time: a value it no longer knows shows the role without any colour. These are the values
 * listed on AWS re:Post on 27 August 2024 ("Switch role link query parameters",
 * https://repost.aws/questions/QU2dDHOT34RH6LJYIrHLUJrw/switch-role-link-query-parameters).
 */
export const CONSOLE_PALETTE = {
  red: 'F2B0A9',
  orange: 'FBC8AA',
  yellow: 'EFDA95',
  green: 'B7CA9D',
  blue: '83D4E8',
} as const;

export type PaletteName = keyof typeof CONSOLE_PALETTE;

/**
 * The console's earlier values for the colours that changed (red and green did not). The console no
 * longer accepts them, but callers and environments recorded before the change still carry them, so
 * each one still means its colour and is served as that colour's current value.
 */
const EARLIER_PALETTE: Readonly<Record<string, PaletteName>> = {
  FBBF93: 'orange',
  FAD791: 'yellow',
  '99BCE3': 'blue',
};

const HEX_TO_NAME = new Map<string, PaletteName>([
  ...(Object.entries(CONSOLE_PALETTE) as Array<[PaletteName, string]>).map(([name, hex]) => [hex, name] as const),
  ...Object.entries(EARLIER_PALETTE),
]);

/** For error messages: `red, orange, …` and `F2B0A9, FBC8AA, …`, in palette order. */
export const PALETTE_NAMES = Object.keys(CONSOLE_PALETTE).join(', ');
export const PALETTE_HEXES = Object.values(CONSOLE_PALETTE).join(', ');

/**
 * Accepts a palette name (`green`), a current palette hex (`B7CA9D`, `#b7ca9d`) or an earlier one
 * (`FAD791`); returns the colour's current hex, or undefined for anything else.
 */
export function parseColor(input: string): string | undefined {
  const value = input.trim();
  const lower = value.toLowerCase();
  if (Object.hasOwn(CONSOLE_PALETTE, lower)) return CONSOLE_PALETTE[lower as PaletteName];
  const name = HEX_TO_NAME.get(value.replace(/^#/, '').toUpperCase());
  return name && CONSOLE_PALETTE[name];
}

/**
 * The hex to show for a recorded colour: the current value of its colour when it is a palette hex,
 * current or earlier; anything else unchanged.
 */
export function currentColor(hex: string): string {
  const name = HEX_TO_NAME.get(hex.toUpperCase());
  return name ? CONSOLE_PALETTE[name] : hex;
}

export function colorName(hex: string): string {
  return HEX_TO_NAME.get(hex.toUpperCase()) ?? hex;
}

/**
 * The colour a tier gets when the request names none, as the walk-through uses them:
 * production red, staging yellow, playground/sandbox green, anything else blue.
 */
export function defaultColor(name: string, ouPath: string): string {
  const words = `${name} ${ouPath}`.toLowerCase();
  if (/\bprod(uction)?\b/.test(words)) return CONSOLE_PALETTE.red;
  if (/\bstag(e|ing)\b/.test(words)) return CONSOLE_PALETTE.yellow;
  if (/\b(playground|sandbox)\b/.test(words)) return CONSOLE_PALETTE.green;
  return CONSOLE_PALETTE.blue;
}

/**
 * The colours the console can show for a whole account, as UpdateAccountCustomizations takes them in
 * `accountColor` (AWS User Experience Customization API Reference, UpdateAccountCustomizations,
 * "Valid Values"; GetAccountCustomizations answers `none` for an account never coloured).
 */
export const ACCOUNT_COLORS = ['none', 'pink', 'purple', 'darkBlue', 'lightBlue', 'teal', 'green', 'yellow', 'orange', 'red'] as const;

export type AccountColor = (typeof ACCOUNT_COLORS)[number];

export function isAccountColor(value: unknown): value is AccountColor {
  return typeof value === 'string' && (ACCOUNT_COLORS as readonly string[]).includes(value);
}

/**
 * The account colour each switch-role colour is painted as, so the console shows an account in the
 * same colour however someone signed in to it. The account palette has no plain blue: the
 * switch-role blue (83D4E8) is a light one.
 */
export const ACCOUNT_COLOR_OF: Readonly<Record<PaletteName, AccountColor>> = {
  red: 'red',
  orange: 'orange',
  yellow: 'yellow',
  green: 'green',
  blue: 'lightBlue',
};

/** The account colour for a recorded switch-role colour (current or earlier palette hex); undefined for a hex outside the palette. */
export function accountColorFor(hex: string): AccountColor | undefined {
  const name = HEX_TO_NAME.get(hex.replace(/^#/, '').toUpperCase());
  return name && ACCOUNT_COLOR_OF[name];
}
