/** Number formatting shared by text model formats. */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact in float64

/**
 * The shortest decimal that reads back as the same float32 (as KenLM prints its ARPA numbers),
 * in JavaScript's number syntax. Digits come from integer arithmetic; each candidate is checked by
 * dividing or multiplying by an exact power of ten, which rounds exactly as parsing the text would.
 */
export function shortestFloat32(v: number): string {
  const f = Math.fround(v);
  if (f === 0) return '0';
  if (!Number.isFinite(f)) return String(f);
  if (!shortestDigits(f)) return viaToPrecision(f);
  return (f < 0 ? '-' : '') + render(found.m, found.p, found.e);
}

/** The result of the last {@link shortestDigits}: f ≈ m · 10^(e−p+1), m of p digits. */
const found = { m: 0, p: 0, e: 0 };

/**
 * Finds the shortest digits of |f| that read back as f into `found`; false when f lies outside the
 * exponents handled exactly (then toPrecision is asked).
 */
function shortestDigits(f: number): boolean {
  const a = Math.abs(f);
  let e = Math.floor(Math.log10(a));
  if (10 ** e > a) e--;
  if (e < -12 || e > 12) return false; // outside the exact powers of ten used below
  // Round-tripping is monotone in the number of digits (a p-digit decimal is also a (p+1)-digit one),
  // so binary-search the shortest precision p; m is the p-digit mantissa.
  let lo = 1;
  let hi = 9;
  let best = digits(a, e, 9);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = digits(a, e, mid);
    if (roundTrips(m, e - mid + 1, a)) {
      hi = mid;
      best = m;
    } else {
      lo = mid + 1;
    }
  }
  if (lo === 9) best = digits(a, e, 9);
  found.m = best;
  found.p = lo;
  found.e = e;
  return true;
}

const digitScratch = new Uint8Array(24);

/**
 * Writes {@link shortestFloat32}(v) as ASCII bytes into `buf` at `pos` and returns the position after
 * it: the same text, without making a string (ARPA files hold millions of these).
 */
export function writeShortestFloat32(v: number, buf: Uint8Array, pos: number): number {
  const f = Math.fround(v);
  if (f === 0) {
    buf[pos] = 48;
    return pos + 1;
  }
  if (!Number.isFinite(f) || !shortestDigits(f)) {
    const s = shortestFloat32(f);
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    return pos;
  }
  if (f < 0) buf[pos++] = 45; // -
  let { p, e } = found;
  // Digits of m, least significant first.
  const d = digitScratch;
  let nd = 0;
  for (let x = found.m; x > 0; x = Math.floor(x / 10)) d[nd++] = x % 10;
  if (nd > p) {
    // Rounding carried into an extra digit (e.g. 9.99 → 10.0).
    e += nd - p;
    p = nd;
  }
  let low = 0; // trailing zeros are not written
  while (low < nd - 1 && d[low] === 0) low++;
  const count = nd - low;
  if (e >= 21 || e < -6) {
    buf[pos++] = 48 + d[nd - 1];
    if (count > 1) {
      buf[pos++] = 46; // .
      for (let i = nd - 2; i >= low; i--) buf[pos++] = 48 + d[i];
    }
    buf[pos++] = 101; // e
    buf[pos++] = e >= 0 ? 43 : 45;
    const x = Math.abs(e);
    if (x >= 10) buf[pos++] = 48 + Math.floor(x / 10);
    buf[pos++] = 48 + (x % 10);
  } else if (e < 0) {
    buf[pos++] = 48;
    buf[pos++] = 46;
    for (let i = 0; i < -e - 1; i++) buf[pos++] = 48;
    for (let i = nd - 1; i >= low; i--) buf[pos++] = 48 + d[i];
  } else {
    for (let i = nd - 1, k = 0; i >= low; i--, k++) {
      if (k === e + 1) buf[pos++] = 46;
      buf[pos++] = 48 + d[i];
    }
    for (let k = count; k < e + 1; k++) buf[pos++] = 48;
  }
  return pos;
}

/** The same result found by asking the number library for 1..9 significant digits. */
function viaToPrecision(f: number): string {
  for (let p = 1; p < 9; p++) {
    const s = String(Number(f.toPrecision(p)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(Number(f.toPrecision(9)));
}

/** The p significant digits of a (a ≈ m · 10^(e−p+1)), as an integer. */
function digits(a: number, e: number, p: number): number {
  const k = p - 1 - e;
  return Math.round(k >= 0 ? a * POW10[k] : a / POW10[-k]);
}

function roundTrips(m: number, exp: number, f: number): boolean {
  return Math.fround(exp >= 0 ? m * POW10[exp] : m / POW10[-exp]) === f;
}

/** Writes m · 10^(e−p+1) the way JavaScript's String(number) would. */
function render(m: number, p: number, e: number): string {
  let s = String(m);
  // Rounding may carry into an extra digit (e.g. 9.99 → 10.0): shift the exponent.
  if (s.length > p) {
    e += s.length - p;
    p = s.length;
  }
  s = s.replace(/0+$/, '') || '0';
  if (e >= 21 || e < -6) {
    const mant = s.length > 1 ? `${s[0]}.${s.slice(1)}` : s;
    return `${mant}e${e >= 0 ? '+' : '-'}${Math.abs(e)}`;
  }
  if (e < 0) return `0.${'0'.repeat(-e - 1)}${s}`;
  if (s.length <= e + 1) return s + '0'.repeat(e + 1 - s.length);
  return `${s.slice(0, e + 1)}.${s.slice(e + 1)}`;
}
