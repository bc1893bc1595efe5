import { ACCOUNT_COLORS, isAccountColor, type AccountColor } from '../../../domain/colors';
import { SimulatedAwsError } from './errors';
import type { OrgState } from './state';

/**
 * AWS User Experience Customization as far as Switchyard uses it: each account's console colour,
 * set with UpdateAccountCustomizations from inside the account. It lives in the organization's state,
 * so it shares the file, the lock and a restart's memory with the accounts it belongs to.
 */

export interface UxcState {
  /** Account id → its colour; an account never coloured (or reset to `none`) has no entry. */
  accountColors: Record<string, Exclude<AccountColor, 'none'>>;
}

/** UXC's check of `accountColor`: one of the values its API reference lists, or a ValidationException. */
export function checkAccountColor(color: unknown): AccountColor {
  if (!isAccountColor(color)) {
    throw new SimulatedAwsError('ValidationException', `1 validation error detected: Value ${JSON.stringify(color)} at 'accountColor' failed to satisfy constraint: Member must satisfy enum value set: [${ACCOUNT_COLORS.join(', ')}]`);
  }
  return color;
}

/** UpdateAccountCustomizations with `accountColor`: idempotent; `none` takes the colour away. False when nothing changed. */
export function setAccountColor(s: OrgState, accountId: string, color: AccountColor): boolean {
  const colors = (s.uxc ??= { accountColors: {} }).accountColors;
  if (color === 'none') {
    if (!(accountId in colors)) return false;
    delete colors[accountId];
    return true;
  }
  if (colors[accountId] === color) return false;
  colors[accountId] = color;
  return true;
}

/** What GetAccountCustomizations answers: `none` for an account never coloured. */
export function accountColorOf(s: OrgState, accountId: string): AccountColor {
  return s.uxc?.accountColors[accountId] ?? 'none';
}
