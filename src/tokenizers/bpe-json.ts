/**
 * Hugging Face `tokenizer.json` for byte-level BPE, the file `transformers` and `tokenizers` load
 * for GPT-2: `model` {type "BPE", vocab token → id, merges in rank order}, a `ByteLevel`
 * pre-tokenizer (GPT-2's regex, no prefix space), a `ByteLevel` decoder, and `added_tokens` for the
 * special tokens. Reading accepts merges written as "a b" strings or as ["a", "b"] pairs (newer
 * files); writing uses strings, which every version reads. Files whose normalizer, pre-tokenizer or
 * model options would change how text is cut are refused with an error naming the option.
 */
import { LmkitError } from '../errors.js';
import { BPETokenizer, type Merge } from './bpe.js';
import { showValue } from '../util/show-value.js';

/** The fields of a Hugging Face `tokenizer.json` that lmkit reads and writes. */
export interface HFTokenizerJSON {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: HFAddedToken[];
  normalizer: null;
  pre_tokenizer: HFByteLevel;
  post_processor: HFByteLevel;
  decoder: HFByteLevel;
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: string;
    end_of_word_suffix: string;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: string[];
  };
}

/** One entry of `added_tokens`. */
export interface HFAddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

interface HFByteLevel {
  type: 'ByteLevel';
  add_prefix_space: boolean;
  trim_offsets: boolean;
  use_regex: boolean;
}

const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean): HFByteLevel => ({
  type: 'ByteLevel',
  add_prefix_space: addPrefixSpace,
  trim_offsets: trimOffsets,
  use_regex: true,
});

/** Whether `json` looks like a Hugging Face tokenizer file (it has a `model` object and no lmkit `kind`). */
export function isHFTokenizerJSON(json: unknown): boolean {
  const j = json as { kind?: unknown; model?: unknown } | null;
  return typeof j === 'object' && j !== null && j.kind === undefined && typeof j.model === 'object';
}

/** The `tokenizer.json` form of a byte-level BPE tokenizer, as GPT-2's own file has it. */
export function toTokenizerJSON(tokenizer: BPETokenizer): HFTokenizerJSON {
  const vocab: Record<string, number> = {};
  tokenizer.vocab.forEach((t, id) => (vocab[t] = id));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: tokenizer.specialTokens.map((content) => ({
      id: tokenizer.tokenToId(content) as number,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: tokenizer.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function bad(message: string): LmkitError {
  return new LmkitError(`not a byte-level BPE tokenizer.json: ${message}`, {
    hint: 'lmkit reads GPT-2-style files (model BPE, ByteLevel pre-tokenizer), e.g. from lmkit tokenizer train',
  });
}

/** Rebuilds a byte-level BPE tokenizer from a parsed `tokenizer.json`, checking every field it relies on. */
export function bpeFromTokenizerJSON(json: unknown): BPETokenizer {
  if (!isObj(json) || !isObj(json.model)) throw bad('no "model" object');
  const model = json.model;
  if (model.type !== 'BPE') throw bad(`model.type is ${showValue(model.type ?? null)}, not "BPE"`);
  checkOptions(json, model);
  const modelVocab = model.vocab;
  if (!isObj(modelVocab)) throw bad('model.vocab must be an object of token → id');
  if (!Array.isArray(model.merges)) throw bad('model.merges must be a list');
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) throw bad('added_tokens must be a list');

  const vocab: string[] = [];
  const place = (token: string, id: unknown, where: string) => {
    if (!(Number.isInteger(id) && (id as number) >= 0))
      throw bad(`${where}: the id of ${showValue(token)} must be a whole number ≥ 0 (got ${showValue(id)})`);
    const taken = vocab[id as number];
    if (taken !== undefined && taken !== token)
      throw bad(`${where}: id ${id} is given to both ${showValue(taken)} and ${showValue(token)}`);
    vocab[id as number] = token;
  };
  for (const [token, id] of Object.entries(modelVocab)) place(token, id, 'model.vocab');
  const specials: string[] = [];
  added.forEach((a: unknown, i) => {
    if (!isObj(a) || typeof a.content !== 'string') throw bad(`added_tokens[${i}] needs a "content" string`);
    const existing = modelVocab[a.content];
    if (existing !== undefined && existing !== a.id)
      throw bad(`added token ${showValue(a.content)} has id ${a.id} but model.vocab says ${existing}`);
    place(a.content, a.id, `added_tokens[${i}]`);
    specials.push(a.content);
  });
  for (let id = 0; id < vocab.length; id++)
    if (vocab[id] === undefined) throw bad(`no token has id ${id} (ids must run from 0 without gaps)`);

  const merges = (model.merges as unknown[]).map((m, i): Merge => {
    if (typeof m === 'string') {
      const parts = m.split(' ');
      if (parts.length === 2 && parts[0] && parts[1]) return [parts[0], parts[1]];
    } else if (Array.isArray(m) && m.length === 2 && m.every((p) => typeof p === 'string' && p))
      return [m[0] as string, m[1] as string];
    throw bad(`model.merges[${i}] must be "left right" or ["left", "right"] (got ${showValue(m)})`);
  });
  try {
    return new BPETokenizer(vocab, merges, specials);
  } catch (err) {
    if (err instanceof LmkitError) throw bad(err.message);
    throw err;
  }
}

/** Refuses options that would make lmkit cut text differently from the file's own tokenizer. */
function checkOptions(json: Obj, model: Obj): void {
  if (json.normalizer != null)
    throw bad(`normalizer ${showValue((json.normalizer as Obj).type ?? json.normalizer)} is not supported`);
  const pre = json.pre_tokenizer;
  if (!isObj(pre) || pre.type !== 'ByteLevel')
    throw bad(`pre_tokenizer must be ByteLevel (got ${showValue(isObj(pre) ? pre.type : (pre ?? null))})`);
  if (pre.add_prefix_space === true) throw bad('pre_tokenizer.add_prefix_space = true is not supported');
  if (pre.use_regex === false) throw bad('pre_tokenizer.use_regex = false is not supported');
  if (model.continuing_subword_prefix || model.end_of_word_suffix)
    throw bad('model.continuing_subword_prefix and end_of_word_suffix must be empty');
  if (model.ignore_merges === true) throw bad('model.ignore_merges = true is not supported');
  if (model.dropout != null && model.dropout !== 0) throw bad('model.dropout (BPE-dropout) is not supported');
}
