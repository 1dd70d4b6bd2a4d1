/**
 * A fine-tuned BERT classifier: the encoder of a BERT checkpoint with Hugging Face's sequence-classification
 * head (pooled [CLS] → label) or token-classification head (each token → tag). It labels texts; it does not
 * generate or score text, so it is not a `LanguageModel` and not in the kind registry (as a reward model).
 *
 * Its checkpoint is a folder like every other: config.json (the BERT's keys, `lmkit_kind: "bert-classifier"`,
 * `architectures: ["BertForSequenceClassification"]` or `["BertForTokenClassification"]`, Hugging Face's
 * `id2label` / `label2id`), model.safetensors under Hugging Face's names (`bert.*`, `bert.pooler.dense`,
 * `classifier`) and tokenizer.json.
 */
import { LmkitError } from '../errors.js';
import { BertForSequenceClassification, BertForTokenClassification } from '../nn/bert.js';
import type { BertConfig } from '../nn/bert-config.js';
import { IntTensor, noGrad, tidy, type Tensor } from '../tensor/tensor.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { BertMaskedLM, bertCheckpointConfig, bertConfigFromJSON } from './bert.js';
import { bertTokenIds, type BertTokenIds } from './bert-masking.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';

/** config.json's `lmkit_kind` of a BERT classifier. */
export const BERT_CLASSIFIER_KIND = 'bert-classifier';

/** What a classifier labels: whole texts, or each token. */
export type ClassifierTask = 'sequence' | 'token';

/** Examples labelled in one forward pass when predicting. */
const PREDICT_BATCH = 32;

/** Padded inputs of a batch of token sequences. */
export interface PaddedBatch {
  /** (B,T), [PAD] after each sequence's end. */
  ids: IntTensor;
  /** (B,T): 1 a token, 0 padding. */
  mask: IntTensor;
}

/** A BERT encoder with a classification head and the label names. */
export class BertClassifier {
  readonly kind = BERT_CLASSIFIER_KIND;
  readonly net: BertForSequenceClassification | BertForTokenClassification;
  readonly special: BertTokenIds;

  /** A classifier with a fresh head (seeded) over a fresh encoder; see {@link fromMaskedLM} to start from a pretrained one. */
  constructor(
    readonly config: BertConfig,
    readonly tokenizer: SavableTokenizer,
    readonly labels: readonly string[],
    readonly task: ClassifierTask,
    seed = 0,
  ) {
    if (labels.length < 2)
      throw new LmkitError(`a classifier needs at least 2 labels (got ${labels.length})`);
    this.special = bertTokenIds(tokenizer);
    this.net =
      task === 'sequence'
        ? new BertForSequenceClassification(config, labels.length, seed)
        : new BertForTokenClassification(config, labels.length, seed);
    this.net.eval();
  }

  /** A classifier whose encoder is a pretrained BERT's (the pooler, where there is one, and the head are fresh). */
  static fromMaskedLM(
    mlm: BertMaskedLM,
    labels: readonly string[],
    task: ClassifierTask,
    seed = 0,
  ): BertClassifier {
    const { mlm_probability: _p, whole_word_masking: _w, ...config } = mlm.config;
    const c = new BertClassifier(config, mlm.tokenizer, labels, task, seed);
    const encoder = new Map(mlm.net.namedParameters().map((p) => [p.name, p.tensor]));
    for (const { name, tensor } of c.net.namedParameters()) {
      const from = encoder.get(name);
      if (from) tensor.data.set(from.data);
    }
    return c;
  }

  /** The longest input, [CLS] and [SEP] included. */
  get blockSize(): number {
    return this.config.block_size;
  }

  /** [CLS] ids [SEP], the ids cut to block_size − 2. */
  frame(ids: readonly number[]): number[] {
    return [this.special.cls, ...ids.slice(0, this.config.block_size - 2), this.special.sep];
  }

  /** Sequences padded with [PAD] to the longest, and their attention mask. */
  pad(sequences: readonly (readonly number[])[]): PaddedBatch {
    const T = Math.max(...sequences.map((s) => s.length));
    const B = sequences.length;
    const ids = new Int32Array(B * T).fill(this.special.pad);
    const mask = new Int32Array(B * T);
    sequences.forEach((s, b) => {
      ids.set(s, b * T);
      mask.fill(1, b * T, b * T + s.length);
    });
    return { ids: new IntTensor(ids, [B, T]), mask: new IntTensor(mask, [B, T]) };
  }

  /** Logits of a padded batch: (B,L) per text, or (B,T,L) per token. */
  logits(batch: PaddedBatch): Tensor {
    return this.net.forward(batch.ids, { attentionMask: batch.mask });
  }

  /** Mean cross-entropy of a padded batch against label ids (B), or tag ids (B,T) with −100 where none. */
  loss(batch: PaddedBatch, targets: IntTensor): Tensor {
    return this.net.loss(batch.ids, targets, { attentionMask: batch.mask });
  }

  /**
   * The most probable label id of each framed sequence ({@link frame}): one per sequence, or (token task)
   * one per position of each sequence.
   */
  predict(sequences: readonly (readonly number[])[]): number[][] {
    const out: number[][] = [];
    const L = this.labels.length;
    for (let s = 0; s < sequences.length; s += PREDICT_BATCH) {
      const chunk = sequences.slice(s, s + PREDICT_BATCH);
      const batch = this.pad(chunk);
      const logits = noGrad(() => tidy(() => this.logits(batch).data.slice()));
      const T = batch.ids.shape[1];
      chunk.forEach((seq, b) => {
        const rows = this.task === 'sequence' ? [b] : Array.from({ length: seq.length }, (_, t) => b * T + t);
        out.push(
          rows.map((r) => {
            let best = 0;
            for (let l = 1; l < L; l++) if (logits[r * L + l] > logits[r * L + best]) best = l;
            return best;
          }),
        );
      });
    }
    return out;
  }

  /** Writes the checkpoint folder (see the module comment); `extra` adds config.json keys. */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    saveCheckpoint(dir, {
      kind: BERT_CLASSIFIER_KIND,
      net: this.net,
      tokenizer: this.tokenizer,
      config: bertCheckpointConfig(
        this.config,
        this.special.pad,
        [this.task === 'sequence' ? 'BertForSequenceClassification' : 'BertForTokenClassification'],
        {
          num_labels: this.labels.length,
          id2label: Object.fromEntries(this.labels.map((l, i) => [String(i), l])),
          label2id: Object.fromEntries(this.labels.map((l, i) => [l, i])),
          ...extra,
        },
      ),
      metadata,
    });
  }

  /** Loads a classifier checkpoint folder written by {@link save}. */
  static load(dir: string): BertClassifier {
    return loadCheckpoint(dir, {
      kind: BERT_CLASSIFIER_KIND,
      what: 'a BERT classifier',
      validate: (json) => {
        const { mlm_probability: _p, whole_word_masking: _w, ...c } = bertConfigFromJSON(json);
        return c as BertConfig;
      },
      build: (config, tokenizer, json) => {
        const id2label = json.id2label as Record<string, string> | undefined;
        if (!id2label || typeof id2label !== 'object')
          throw new LmkitError(`${dir}/config.json has no id2label: not a classifier checkpoint`);
        const labels = Object.keys(id2label)
          .sort((a, b) => Number(a) - Number(b))
          .map((k) => id2label[k]);
        const task = (json.architectures as string[] | undefined)?.includes('BertForTokenClassification')
          ? 'token'
          : 'sequence';
        return new BertClassifier(config, tokenizer, labels, task);
      },
    });
  }
}
