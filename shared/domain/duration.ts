/**
 * ISO 8601 durations as settings and requests write them (`P3D`, `PT12H`, `P1W`, `P1DT30M`): days,
 * hours, minutes and seconds, or weeks alone. Years and months are refused: their length depends on
 * the date, and a lease or a timeout should mean the same number of seconds every time.
 */
const DURATION = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?)$/;

/** Seconds in the duration, or a problem string naming what is wrong. */
export function parseDuration(value: string): number | string {
  const text = value.trim().toUpperCase();
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    return /^P\d+[YM]/.test(text) ? 'must be in weeks, days, hours, minutes or seconds (years and months vary in length)' : 'must be an ISO 8601 duration such as P3D, PT12H or P1DT6H';
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const total = Number(weeks ?? 0) * 604_800 + Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  if (!Number.isFinite(total) || total > 10 * 365 * 86_400) return 'must be at most ten years';
  return total;
}

/** `P3D`-style text for a number of seconds, the largest whole units first (`P1DT6H`; `PT0S` for none). */
export function formatDuration(totalSeconds: number): string {
  let rest = Math.max(0, Math.round(totalSeconds));
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3_600);
  rest -= hours * 3_600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const date = days ? `${days}D` : '';
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!date && !time) return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}
