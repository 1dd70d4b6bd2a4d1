/** A value read from a user's file, shown briefly in an error message whatever its size or depth. */

/**
 * `v` as JSON cut to `max` characters; numbers as JavaScript writes them (NaN, Infinity), and a short
 * description for values too deeply nested to serialise.
 */
export function showValue(v: unknown, max = 80): string {
  let s: string | undefined;
  if (typeof v === 'number' || typeof v === 'bigint') s = String(v);
  else {
    try {
      s = JSON.stringify(v);
    } catch {
      s = Array.isArray(v) ? '[a list nested too deeply to show]' : '{an object nested too deeply to show}';
    }
  }
  s ??= String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
