/**
 * Growing a GPT's vocabulary: a copy of the model for a larger tokenizer (e.g. with chat tokens added),
 * every old token's embedding row moved to its new id and every other weight unchanged. New rows start
 * at the mean of the old rows (Hewitt 2021's advice for added tokens: the tied output head then gives
 * them no extreme logits before fine-tuning).
 */
import { LmkitError } from '../errors.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { GPTModel } from './gpt.js';

/** The embedding table's parameter name (the output head is tied to it). */
const WTE = 'wte.weight';

/** A copy of `model` for `tokenizer`, whose ids are the old ones moved by `oldToNew` plus new ones. */
export function growGPTVocabulary(
  model: GPTModel,
  tokenizer: SavableTokenizer,
  oldToNew: Int32Array,
): GPTModel {
  const V0 = model.config.vocab_size;
  const V = tokenizer.vocabSize;
  if (oldToNew.length !== V0 || V < V0)
    throw new LmkitError(
      `cannot grow a vocabulary of ${V0} tokens into ${V} with ${oldToNew.length} old ids`,
    );
  const grown = new GPTModel({ ...model.config, vocab_size: V }, tokenizer);
  const values = new Map<string, { shape: readonly number[]; data: ArrayLike<number> }>();
  for (const { name, tensor } of model.net.namedParameters()) {
    if (name !== WTE) {
      values.set(name, { shape: tensor.shape, data: tensor.data });
      continue;
    }
    const C = tensor.shape[1];
    const old = tensor.data; // (V0, C)
    const rows = new Float32Array(V * C); // (V, C)
    const mean = new Float64Array(C);
    for (let i = 0; i < V0; i++) for (let c = 0; c < C; c++) mean[c] += old[i * C + c] / V0;
    const moved = new Uint8Array(V);
    for (let i = 0; i < V0; i++) {
      const j = oldToNew[i];
      if (j < 0 || j >= V || moved[j])
        throw new LmkitError(`vocabulary growth: old id ${i} maps to bad id ${j}`);
      moved[j] = 1;
      rows.set(old.subarray(i * C, (i + 1) * C), j * C);
    }
    for (let j = 0; j < V; j++) if (!moved[j]) for (let c = 0; c < C; c++) rows[j * C + c] = mean[c];
    values.set(name, { shape: [V, C], data: rows });
  }
  grown.net.loadStateDict(values);
  return grown;
}
