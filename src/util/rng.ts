/**
 * lmkit's one seeded random number generator (xoshiro128**, seeded through splitmix32): weight
 * initialization, dropout masks, data order, sampling and data builders all draw from it, so the same seed
 * gives the same numbers on every machine, and its 128-bit state is saved with a checkpoint.
 */

/** Seeded uniform and normal random numbers; the same seed gives the same sequence everywhere. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /** Seeds the generator from a 32-bit integer (expanded with splitmix32); without one, from Math.random. */
  constructor(seed: number = (Math.random() * 2 ** 32) >>> 0) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /**
   * The random source for sampling after `prompt` with `seed`: the seed mixed with a hash of the prompt's
   * tokens, so one seed gives reproducible samples yet different prompts do not share one stream of
   * draws (which made every prompt end in the same words once their contexts met); fresh without a seed.
   */
  static forPrompt(seed: number | undefined, prompt: readonly number[]): Rng {
    if (seed === undefined) return new Rng();
    let h = 0x811c9dc5 ^ (seed >>> 0); // FNV-1a over the token ids' 4 bytes each
    for (const t of prompt)
      for (let k = 0; k < 32; k += 8) h = Math.imul(h ^ ((t >>> k) & 0xff), 0x01000193) >>> 0;
    return new Rng(h);
  }

  /** A uniformly random unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal number (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** The generator's state, for checkpoints. */
  state(): number[] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Restores a state from state(). */
  setState(s: readonly number[]): void {
    [this.s0, this.s1, this.s2, this.s3] = s.map((v) => v >>> 0);
    this.spare = null;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
