/** Number formatting shared by text model formats. */

/** The shortest decimal that reads back as the same float32 (as KenLM prints its ARPA numbers). */
export function shortestFloat32(v: number): string {
  const f = Math.fround(v);
  if (f === 0) return '0';
  if (!Number.isFinite(f)) return String(f);
  // Round-tripping is monotone in the number of digits, so binary-search the shortest precision.
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(f.toPrecision(mid))) === f) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(f.toPrecision(lo)));
}
