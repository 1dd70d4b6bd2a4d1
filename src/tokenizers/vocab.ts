/**
 * A token vocabulary built from counts. Ids: the special tokens first, in the order given, then the
 * other tokens by count (descending), ties in order of first occurrence (the order of the counts'
 * iteration, which for {@link Vocabulary.fromTokens} is corpus order). Tokens below `minCount` are
 * left out, and `maxSize` caps the total size, specials included.
 */
import { readFile } from 'node:fs/promises';
import { LmkitError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { SpecialTokens } from './tokenizer.js';

/** How a vocabulary is cut from counts. */
export interface VocabOptions {
  /** Keep tokens seen at least this often (default 1). */
  minCount?: number;
  /** At most this many ids, specials included (default: no cap). */
  maxSize?: number;
  /** Special tokens, given the first ids in this order (default `<unk>` only). */
  specials?: readonly string[];
}

/** The JSON form of a vocabulary. */
export interface VocabJSON {
  specials: string[];
  tokens: string[];
  /** counts[i] is how often tokens[i] was seen (0 for specials never seen). */
  counts: number[];
}

export const UNK_TOKEN = '<unk>';
export const BOS_TOKEN = '<s>';
export const EOS_TOKEN = '</s>';
export const PAD_TOKEN = '<pad>';

/** Token <-> id mapping with counts. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();

  private constructor(
    readonly tokens: readonly string[],
    readonly counts: readonly number[],
    readonly specials: readonly string[],
  ) {
    tokens.forEach((t, i) => this.ids.set(t, i));
  }

  /** Builds a vocabulary from (token, count) pairs; ties keep the pairs' order. */
  static fromCounts(counts: Iterable<readonly [string, number]>, opts: VocabOptions = {}): Vocabulary {
    const specials = [...(opts.specials ?? [UNK_TOKEN])];
    if (new Set(specials).size !== specials.length) throw new LmkitError('special tokens must be distinct');
    const minCount = opts.minCount ?? 1;
    const maxSize = opts.maxSize ?? Infinity;
    if (maxSize < specials.length) {
      throw new LmkitError(
        `the vocabulary size cap ${maxSize} is smaller than its ${specials.length} special tokens`,
      );
    }
    const specialCounts = specials.map(() => 0);
    const regular: [string, number][] = [];
    for (const [token, count] of counts) {
      const s = specials.indexOf(token);
      if (s >= 0) specialCounts[s] += count;
      else if (count >= minCount) regular.push([token, count]);
    }
    regular.sort((a, b) => b[1] - a[1]);
    const kept = regular.slice(0, maxSize - specials.length);
    return new Vocabulary(
      [...specials, ...kept.map((e) => e[0])],
      [...specialCounts, ...kept.map((e) => e[1])],
      specials,
    );
  }

  /** Counts a token stream (first occurrence fixes tie order) and builds a vocabulary from it. */
  static fromTokens(tokens: Iterable<string>, opts: VocabOptions = {}): Vocabulary {
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    return Vocabulary.fromCounts(counts, opts);
  }

  /** Number of ids, specials included. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of `token`, or undefined when it is not in the vocabulary. */
  id(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** The token with id `id`; an error for ids outside 0..size-1. */
  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined)
      throw new LmkitError(`token id ${id} is outside the vocabulary (0..${this.size - 1})`);
    return t;
  }

  /** Whether `id` is one of the special tokens. */
  isSpecial(id: number): boolean {
    return id < this.specials.length;
  }

  /** Ids of `<s>`, `</s>`, `<unk>` and `<pad>` among the specials. */
  specialTokens(): SpecialTokens {
    const of = (t: string) => (this.specials.includes(t) ? this.ids.get(t) : undefined);
    return { bos: of(BOS_TOKEN), eos: of(EOS_TOKEN), unk: of(UNK_TOKEN), pad: of(PAD_TOKEN) };
  }

  /** The plain-object form, for JSON. */
  toJSON(): VocabJSON {
    return { specials: [...this.specials], tokens: [...this.tokens], counts: [...this.counts] };
  }

  /** Rebuilds a vocabulary from {@link toJSON}'s output, checking its shape. */
  static fromJSON(json: unknown): Vocabulary {
    const j = json as Partial<VocabJSON> | null;
    const strings = (a: unknown): a is string[] => Array.isArray(a) && a.every((x) => typeof x === 'string');
    if (!j || !strings(j.tokens) || !strings(j.specials) || !Array.isArray(j.counts)) {
      throw new LmkitError(
        'not a vocabulary: expected {"specials": [...], "tokens": [...], "counts": [...]}',
      );
    }
    if (j.counts.length !== j.tokens.length || !j.counts.every((c) => Number.isInteger(c) && c >= 0)) {
      throw new LmkitError('not a vocabulary: "counts" must hold one whole number ≥ 0 per token');
    }
    if (new Set(j.tokens).size !== j.tokens.length)
      throw new LmkitError('not a vocabulary: a token appears twice');
    if (!j.specials.every((s, i) => j.tokens?.[i] === s)) {
      throw new LmkitError('not a vocabulary: the special tokens must come first, in order');
    }
    return new Vocabulary(j.tokens, j.counts, j.specials);
  }

  /** Writes the vocabulary as JSON to `path`, atomically. */
  save(path: string): void {
    writeFileAtomic(path, [JSON.stringify(this.toJSON()) + '\n']);
  }

  /** Reads a vocabulary written by {@link save}. */
  static async load(path: string): Promise<Vocabulary> {
    return Vocabulary.fromJSON(await readJSON(path));
  }
}

/** Reads and parses a JSON file, with one-line errors for a missing file or bad JSON. */
export async function readJSON(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LmkitError(
      code === 'ENOENT' ? `file not found: ${path}` : `cannot read ${path}: ${(err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LmkitError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}
