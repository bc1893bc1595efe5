/** The switch-role colours the AWS console offers, written as it writes them (no `#`). */
export const CONSOLE_PALETTE = {
  red: 'F2B0A9',
  orange: 'FBBF93',
  yellow: 'FAD791',
  green: 'B7CA9D',
  blue: '99BCE3',
} as const;

export type PaletteName = keyof typeof CONSOLE_PALETTE;
const HEX_TO_NAME = new Map<string, string>(Object.entries(CONSOLE_PALETTE).map(([name, hex]) => [hex, name]));

/** Accepts a palette name (`green`) or a palette hex (`B7CA9D`, `#b7ca9d`); returns the hex or undefined. */
export function parseColor(input: string): string | undefined {
  const value = input.trim();
  const named = Object.hasOwn(CONSOLE_PALETTE, value.toLowerCase()) ? CONSOLE_PALETTE[value.toLowerCase() as PaletteName] : undefined;
  if (named) return named;
  const hex = value.replace(/^#/, '').toUpperCase();
  return HEX_TO_NAME.has(hex) ? hex : undefined;
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
