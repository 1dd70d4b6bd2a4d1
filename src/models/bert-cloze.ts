/**
 * Classification as a cloze question to a BERT masked LM (Schick & Schütze, 2021, "Exploiting Cloze
 * Questions for Few Shot Text Classification", PET): a pattern turns a text into a question with one
 * [MASK] ("{text} This message is [MASK]."), and a verbalizer gives each label one word of the
 * vocabulary (spam → "junk", ham → "fine"). The label's score is the masked LM's logit of its word at the
 * mask; zero-shot, the pretrained model answers as it is, and PET fine-tunes the whole masked LM on a few
 * labelled examples with cross-entropy over the verbalizer words' logits (`lmkit train --objective pet`).
 *
 * A text is cut (its end dropped) so that the pattern always fits block_size with [CLS] and [SEP]. With a
 * byte-level BPE the space before [MASK] belongs to the word (RoBERTa's lstrip, as in `fill-mask`): the
 * verbalizer word is looked up as " junk". A PET checkpoint is an ordinary BERT masked-LM folder whose
 * config.json also holds `pet: {pattern, verbalizer}`, so `lmkit classify DIR` needs no flags.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { gatherRows } from '../tensor/ops/gather.js';
import { reshape } from '../tensor/ops/shape.js';
import { IntTensor, noGrad, tidy, type Tensor } from '../tensor/tensor.js';
import { BERT_TOKENS } from './bert-masking.js';
import type { BertMaskedLM } from './bert.js';

/** Where a pattern puts the text. */
export const TEXT_SLOT = '{text}';

/** A label and the vocabulary word that stands for it at the mask. */
export interface VerbalizerEntry {
  label: string;
  word: string;
}

/** A pattern and verbalizer as saved in a PET checkpoint's config.json. */
export interface ClozeSpec {
  pattern: string;
  verbalizer: VerbalizerEntry[];
}

/** Texts framed as cloze questions, padded: ids (B,T), attention mask (B,T), and each row's mask position. */
export interface ClozeBatch {
  ids: IntTensor;
  mask: IntTensor;
  /** Flat positions b·T + t of each row's [MASK] (B). */
  at: Int32Array;
}

/** One part of a parsed pattern. */
type Piece = { literal: string } | { slot: 'text' | 'mask' };

/** Examples framed in one forward pass when predicting. */
const PREDICT_BATCH = 32;

/** Parses "spam=junk,ham=fine" (label=word pairs, comma-separated); errors say what is wrong. */
export function parseVerbalizer(spec: string): VerbalizerEntry[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const label = pair.slice(0, eq).trim();
      const word = pair.slice(eq + 1).trim();
      if (eq < 0 || !label || !word)
        throw new LmkitError(`--verbalizer: "${pair}" is not LABEL=WORD`, {
          hint: 'write one LABEL=WORD per label, comma-separated, e.g. --verbalizer spam=junk,ham=fine',
        });
      return { label, word };
    });
  if (entries.length < 2)
    throw new LmkitError(`--verbalizer needs a word for each of at least 2 labels (got "${spec}")`, {
      hint: 'e.g. --verbalizer spam=junk,ham=fine',
    });
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.label)) throw new LmkitError(`--verbalizer names the label "${e.label}" twice`);
    seen.add(e.label);
  }
  return entries;
}

/** Splits a pattern into literal text, the {text} slot and the [MASK]; exactly one of each slot. */
function parsePattern(pattern: string): Piece[] {
  const count = (s: string) => pattern.split(s).length - 1;
  if (count(BERT_TOKENS.mask) !== 1)
    throw new LmkitError(
      `the pattern must hold exactly one ${BERT_TOKENS.mask} (it holds ${count(BERT_TOKENS.mask)}): ${JSON.stringify(pattern)}`,
      { hint: `e.g. --pattern "${TEXT_SLOT} This message is ${BERT_TOKENS.mask}."` },
    );
  if (count(TEXT_SLOT) !== 1)
    throw new LmkitError(
      `the pattern must hold exactly one ${TEXT_SLOT} where the text goes (it holds ${count(TEXT_SLOT)}): ${JSON.stringify(pattern)}`,
      { hint: `e.g. --pattern "${TEXT_SLOT} This message is ${BERT_TOKENS.mask}."` },
    );
  const pieces: Piece[] = [];
  for (const part of pattern.split(/(\{text\}|\[MASK\])/)) {
    if (part === TEXT_SLOT) pieces.push({ slot: 'text' });
    else if (part === BERT_TOKENS.mask) pieces.push({ slot: 'mask' });
    else if (part !== '') pieces.push({ literal: part });
  }
  return pieces;
}

/** A BERT masked LM asked a cloze question per text: the labels' scores are its verbalizer words' logits. */
export class ClozeClassifier {
  readonly labels: readonly string[];
  /** The verbalizer words' token ids, in label order (K). */
  readonly wordIds: Int32Array;
  private readonly pieces: Piece[];
  private readonly lstrip: boolean;

  /** Checks the pattern and that each verbalizer word is one token of the model's vocabulary. */
  constructor(
    readonly mlm: BertMaskedLM,
    readonly spec: ClozeSpec,
  ) {
    this.pieces = parsePattern(spec.pattern);
    this.labels = spec.verbalizer.map((e) => e.label);
    // a byte-level BPE token carries its leading space: the space before the mask goes with the word
    this.lstrip = mlm.tokenizer.kind === 'bpe';
    const maskAt = this.pieces.findIndex((p) => 'slot' in p && p.slot === 'mask');
    const before = this.pieces[maskAt - 1];
    const spaced = this.lstrip && before !== undefined && 'literal' in before && /\s$/u.test(before.literal);
    if (spaced) before.literal = before.literal.replace(/\s+$/u, '');
    this.wordIds = Int32Array.from(spec.verbalizer, ({ label, word }) => {
      const ids = mlm.tokenizer.encode(spaced ? ` ${word}` : word);
      if (ids.length !== 1)
        throw new LmkitError(
          `the verbalizer word "${word}" (label ${label}) is ${ids.length} tokens in this BERT's vocabulary ` +
            `(${ids.map((t) => JSON.stringify(mlm.tokenizer.decode([t]))).join(' + ')}), not one`,
          {
            hint: 'choose a word the tokenizer keeps whole: lmkit fill-mask DIR "... [MASK] ..." lists single tokens',
          },
        );
      if (ids[0] === mlm.tokenizer.tokenToId('<unk>'))
        throw new LmkitError(
          `the verbalizer word "${word}" (label ${label}) is not in this BERT's vocabulary (it reads as <unk>)`,
          { hint: 'choose a word the tokenizer knows: lmkit fill-mask DIR "... [MASK] ..." lists some' },
        );
      return ids[0];
    });
    if (new Set(this.wordIds).size !== this.wordIds.length)
      throw new LmkitError('two labels of the verbalizer have the same word: give each label its own');
  }

  /** The id of a label, or a clear error for a label the verbalizer has no word for. */
  labelId(label: string, where: string): number {
    const i = this.labels.indexOf(label);
    if (i < 0)
      throw new LmkitError(
        `${where}: label ${JSON.stringify(label)} has no verbalizer word (the verbalizer maps ${this.labels.join(', ')})`,
        { hint: `add ${label}=WORD to --verbalizer` },
      );
    return i;
  }

  /** [CLS] pattern-with-text [SEP] as token ids, the text cut to fit block_size, and where the [MASK] is. */
  frame(text: string): { ids: number[]; maskAt: number } {
    const tok = this.mlm.tokenizer;
    const encoded = this.pieces.map((p) => ('literal' in p ? tok.encode(p.literal) : []));
    const fixed = encoded.reduce((n, e) => n + e.length, 0) + 3; // [CLS] [MASK] [SEP]
    const room = this.mlm.config.block_size - fixed;
    if (room < 1)
      throw new LmkitError(
        `the pattern alone is ${fixed} tokens with [CLS] and [SEP], no room for the text in block_size ${this.mlm.config.block_size}`,
        { hint: 'shorten the pattern' },
      );
    const ids = [this.mlm.vocab.ids.cls];
    let maskAt = -1;
    this.pieces.forEach((p, i) => {
      if ('literal' in p) ids.push(...encoded[i]);
      else if (p.slot === 'text') ids.push(...tok.encode(text).slice(0, room));
      else {
        maskAt = ids.length;
        ids.push(this.mlm.vocab.ids.mask);
      }
    });
    ids.push(this.mlm.vocab.ids.sep);
    return { ids, maskAt };
  }

  /** Framed texts padded with [PAD] to the longest (see {@link frame}). */
  batch(texts: readonly string[]): ClozeBatch {
    const framed = texts.map((t) => this.frame(t));
    const T = Math.max(...framed.map((f) => f.ids.length));
    const B = framed.length;
    const ids = new Int32Array(B * T).fill(this.mlm.vocab.ids.pad);
    const mask = new Int32Array(B * T);
    framed.forEach((f, b) => {
      ids.set(f.ids, b * T);
      mask.fill(1, b * T, b * T + f.ids.length);
    });
    return {
      ids: new IntTensor(ids, [B, T]),
      mask: new IntTensor(mask, [B, T]),
      at: Int32Array.from(framed, (f, b) => b * T + f.maskAt),
    };
  }

  /** The verbalizer words' logits at each text's mask: (B,K). */
  logits(batch: ClozeBatch): Tensor {
    const hidden = this.mlm.net.bert.forward(batch.ids, { attentionMask: batch.mask }); // (B,T,C)
    const [B, T, C] = hidden.shape;
    return this.mlm.net.headAt(gatherRows(reshape(hidden, [B * T, C]), batch.at), this.wordIds);
  }

  /** PET's loss: mean cross-entropy of the verbalizer logits against label ids (B). */
  loss(batch: ClozeBatch, labels: IntTensor): Tensor {
    return crossEntropy(this.logits(batch), labels);
  }

  /** Each text's label probabilities (softmax over the verbalizer words' logits), in label order. */
  probabilities(texts: readonly string[]): Float64Array[] {
    const out: Float64Array[] = [];
    const K = this.labels.length;
    for (let s = 0; s < texts.length; s += PREDICT_BATCH) {
      const chunk = texts.slice(s, s + PREDICT_BATCH);
      const z = noGrad(() => tidy(() => this.logits(this.batch(chunk)).data.slice()));
      chunk.forEach((_, b) => {
        const row = z.subarray(b * K, (b + 1) * K);
        const max = Math.max(...row);
        const e = Float64Array.from(row, (v) => Math.exp(v - max));
        const sum = e.reduce((a, v) => a + v, 0);
        out.push(e.map((v) => v / sum));
      });
    }
    return out;
  }

  /** The most probable label id of each text. */
  predict(texts: readonly string[]): number[] {
    return this.probabilities(texts).map((p) => p.indexOf(Math.max(...p)));
  }

  /** The pattern and verbalizer saved with a PET checkpoint (config.json `pet`), or undefined when it has none. */
  static savedSpec(dir: string): ClozeSpec | undefined {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { pet?: ClozeSpec };
      return json.pet;
    } catch {
      return undefined;
    }
  }
}
