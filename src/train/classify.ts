/**
 * Fine-tuning a BERT with a classification head (Devlin et al., 2019, §4; Hugging Face's
 * BertForSequenceClassification / BertForTokenClassification): `classify` labels whole texts (JSONL
 * `{"text", "label"}`, or a labelled dataset such as `spam`), `tag` labels each word (JSONL
 * `{"tokens", "tags"}` as Hugging Face's token-classification data, or `brown`'s part-of-speech tags). The
 * encoder starts from a BERT checkpoint (--init); the head is fresh. A text is framed [CLS] … [SEP] and cut
 * to block_size; a word's tag sits on its first token (the rest, [CLS], [SEP] and padding are ignored).
 * Each evaluation labels the whole validation set, or with `--max_eval_samples N` N examples of it spread
 * evenly over it (Hugging Face's example scripts' flag; Brown's 5,734 validation sentences take minutes a
 * time on a CPU): valid_loss, valid_accuracy and valid_macro_f1 (eval/classification.ts); a dataset with a
 * test split also gets test_accuracy and test_macro_f1, always on the whole test split, from the best model
 * at the end (with `--shots k`, k training examples drawn by --seed, from the last step's model: no
 * selection on held-out data). The run is an ordinary training run (same loop, checkpoints, metrics, resume),
 * recorded with `objective: "classify"` or `"tag"`.
 */
import { readFileSync } from 'node:fs';
import { brownTaggedSentences, partOfSpeech } from '../data/brown.js';
import { getDataset, isDatasetName } from '../data/datasets.js';
import { LmkitError } from '../errors.js';
import { classificationScores } from '../eval/classification.js';
import { BertClassifier, type ClassifierTask } from '../models/bert-classifier.js';
import { BertMaskedLM } from '../models/bert.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';
import { Rng } from '../util/rng.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { readTrainingCheckpoint, type RunInfo } from './checkpoint.js';
import { resolveTrainConfig, type TrainConfig } from './config.js';
import { trainLoop, type RunOptions, type TrainSummary } from './loop.js';

/** Fine-tuning defaults under the flags: BERT's small learning rate, a short run, whole-set evaluations. */
export const CLASSIFY_DEFAULTS: Partial<TrainConfig> = {
  learning_rate: 1e-4,
  min_lr: 1e-5,
  max_iters: 300,
  warmup_iters: 30,
  batch_size: 16,
  weight_decay: 0.01,
  eval_interval: 50,
  eval_iters: 1,
};

/** A labelled text (classify) or a sentence of tagged words (tag), with where it came from. */
export type LabelledItem =
  { text: string; label: string; where: string } | { words: string[]; tags: string[]; where: string };

/** The splits of a labelled data source. */
export interface LabelledSplits {
  train: LabelledItem[];
  valid: LabelledItem[];
  test: LabelledItem[];
  /** How the validation part was chosen, for the start note. */
  note: string;
  /** A built-in dataset's whole label set (its rare tags may miss the train split); absent: the training labels. */
  labels?: string[];
}

/** An encoded example: framed token ids and the target ids (one label, or one per position with −100). */
interface Encoded {
  ids: number[];
  target: number[];
}

/** What to fine-tune, on what. */
export interface ClassifyOptions extends RunOptions {
  objective: 'classify' | 'tag';
  /** The BERT checkpoint the encoder comes from (not needed on resume). */
  init?: string;
  /** A JSONL file or a dataset name (default on resume: the run's own). */
  data?: string;
  /** A JSONL file that validates (default: the dataset's valid split, or every 10th example of a file). */
  valid?: string;
  /** Train on this many examples drawn from the training split (default: all of it). */
  shots?: number;
  /** Validation examples per evaluation, spread evenly over the set (default on resume: the run's; absent: all). */
  maxEvalSamples?: number;
}

/** k items drawn at random without replacement, in a fixed order for a seed (few-shot training sets). */
export function fewShot<T>(items: readonly T[], k: number, seed: number): T[] {
  if (!Number.isInteger(k) || k < 1)
    throw new LmkitError(`--shots must be a positive whole number (got ${k})`);
  if (k > items.length)
    throw new LmkitError(
      `--shots ${k} asks for more examples than the training split holds (${items.length})`,
      {
        hint: `use at most --shots ${items.length}, or leave it out to train on all`,
      },
    );
  const rng = new Rng(seed);
  const order = items.map((_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(order.length - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, k).map((i) => items[i]);
}

/** A fine-tuning run's summary: the loop's, and the held-out figures. */
export interface ClassifySummary extends TrainSummary {
  metrics: Record<string, number>;
  labels: readonly string[];
}

/** Fine-tunes (or resumes) a BERT classifier and returns the run's summary. */
export async function trainClassifier(o: ClassifyOptions): Promise<ClassifySummary> {
  const saved = o.resume === undefined ? undefined : readTrainingCheckpoint(o.resume);
  if (saved && saved.run.objective !== o.objective)
    throw new LmkitError(`${o.resume} is not a --objective ${o.objective} run`, {
      hint: 'start fine-tuning from a BERT checkpoint with --init instead of --resume',
    });
  const init = saved?.run.init ?? o.init;
  if (init === undefined)
    throw new LmkitError(`--objective ${o.objective} fine-tunes a BERT: give --init BERT_DIR`, {
      hint: 'pretrain one with lmkit train --model bert, then pass its --out folder (or its best/)',
    });
  const data = o.data ?? saved?.run.data;
  if (data === undefined)
    throw new LmkitError(
      `no data given: --data FILE.jsonl (${o.objective === 'classify' ? '{"text", "label"}' : '{"tokens", "tags"}'} per line) or a dataset`,
    );
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const task: ClassifierTask = o.objective === 'classify' ? 'sequence' : 'token';
  const parts = await readLabelled(o.objective, data, valid);
  const labels = saved
    ? BertClassifier.load(o.resume as string).labels
    : (parts.labels ?? labelSet(parts.train));
  const model = saved
    ? BertClassifier.load(o.resume as string)
    : BertClassifier.fromMaskedLM(BertMaskedLM.load(init), labels, task);
  const config = resolveTrainConfig(saved ? saved.run : CLASSIFY_DEFAULTS, ...o.settings, {
    n_layer: model.config.n_layer,
    n_head: model.config.n_head,
    n_embd: model.config.n_embd,
    block_size: model.config.block_size,
    dropout: model.config.dropout,
  });
  const labelIds = new Map(labels.map((l, i) => [l, i]));
  const encode = (items: LabelledItem[]) => items.map((it) => encodeItem(model, it, labelIds));
  const shots = o.shots ?? saved?.run.shots;
  const pool = encode(parts.train);
  const train = shots === undefined ? pool : fewShot(pool, shots, config.seed);
  const validSet = encode(parts.valid);
  const testSet = encode(parts.test);
  if (!train.length || !validSet.length)
    throw new LmkitError(
      `${data}: ${train.length} training and ${validSet.length} validation examples; both need some`,
    );
  const cap = o.maxEvalSamples ?? saved?.run.max_eval_samples;
  if (cap !== undefined && !(Number.isInteger(cap) && cap >= 1))
    throw new LmkitError(`--max_eval_samples must be a whole number ≥ 1, not ${cap}`);
  const evalSet = spreadSample(validSet, cap ?? validSet.length);

  const run: RunInfo = {
    ...config,
    data,
    valid: valid ?? null,
    tokenizer: saved?.run.tokenizer ?? 'checkpoint',
    sentences: false,
    model: 'bert',
    objective: o.objective,
    init,
    ...(shots === undefined ? {} : { shots }),
    ...(cap !== undefined ? { max_eval_samples: cap } : {}),
  };
  const tokens = (s: Encoded[]) => s.reduce((n, e) => n + e.ids.length, 0);
  o.onStart?.({
    run,
    trainTokens: tokens(train),
    validTokens: tokens(validSet),
    parameters: model.net.parameterCount(),
    note:
      `${o.objective === 'classify' ? 'sequence' : 'token'} classification into ${labels.length} labels on ${train.length} examples` +
      `${shots === undefined ? '' : ` (--shots ${shots} of ${pool.length}, seed ${config.seed}; test figures from the last step)`}, ` +
      `validating on ${validSet.length} (${parts.note}${evalSet.length < validSet.length ? `; ${evalSet.length} of them per evaluation, --max_eval_samples` : ''})${testSet.length ? `, testing on ${testSet.length}` : ''}; ` +
      `texts cut to block_size ${config.block_size} tokens`,
  });

  const batchOf = (items: Encoded[]) => {
    const padded = model.pad(items.map((e) => e.ids));
    const T = padded.ids.shape[1];
    const targets =
      task === 'sequence'
        ? IntTensor.from(
            items.map((e) => e.target[0]),
            [items.length],
          )
        : new IntTensor(
            Int32Array.from(
              { length: items.length * T },
              (_, i) => items[Math.floor(i / T)].target[i % T] ?? -100,
            ),
            [items.length, T],
          );
    return { padded, targets };
  };
  /** Loss, accuracy and macro-F1 of a whole set, without gradients. */
  const score = (set: Encoded[]) => {
    let loss = 0;
    for (let i = 0; i < set.length; i += config.batch_size) {
      const chunk = set.slice(i, i + config.batch_size);
      loss +=
        noGrad(() =>
          tidy(() => {
            const { padded, targets } = batchOf(chunk);
            return model.loss(padded, targets).item();
          }),
        ) * chunk.length;
    }
    const { accuracy, macroF1 } = scoreSet(model, set, labels.length);
    return { loss: loss / set.length, accuracy, macroF1 };
  };
  const trainSample = spreadSample(train, evalSet.length);
  const metrics: Record<string, number> = {};
  let bestValLoss = Infinity;

  const summary = await trainLoop({
    model: {
      net: model.net,
      targetsPerWindow: Math.round(tokens(train) / train.length),
      save: (dir, extra, metadata) => model.save(dir, extra, metadata),
    },
    run,
    train: new Int32Array(0),
    valid: new Int32Array(0),
    objective: (split, rng) => {
      const set = split === 'train' ? train : validSet;
      const { padded, targets } = batchOf(
        Array.from({ length: config.batch_size }, () => set[rng.int(set.length)]),
      );
      return { loss: model.loss(padded, targets) };
    },
    evaluate: () => {
      const v = score(evalSet);
      const t = score(trainSample);
      Object.assign(metrics, { valid_loss: v.loss, valid_accuracy: v.accuracy, valid_macro_f1: v.macroF1 });
      if (v.loss < bestValLoss) {
        bestValLoss = v.loss;
        Object.assign(metrics, { best_valid_accuracy: v.accuracy, best_valid_macro_f1: v.macroF1 });
      }
      return {
        trainLoss: t.loss,
        valLoss: v.loss,
        metrics: {
          valid_loss: v.loss,
          valid_accuracy: v.accuracy,
          valid_macro_f1: v.macroF1,
          train_accuracy: t.accuracy,
        },
      };
    },
    out: o.out,
    resume: saved,
    signal: o.signal,
    maxSeconds: o.maxSeconds,
    onStep: o.onStep,
    onEval: o.onEval,
  });
  if (testSet.length) {
    // few-shot: the model as trained (no selection on held-out data); else the best by validation loss
    const tested = shots === undefined ? BertClassifier.load(summary.best) : model;
    const t = scoreSet(tested, testSet, labels.length);
    Object.assign(metrics, { test_accuracy: t.accuracy, test_macro_f1: t.macroF1 });
  }
  return { ...summary, metrics, labels };
}

/** At most `n` of `items`, spread evenly over them (all of them when n ≥ their number), in order. */
export function spreadSample<T>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

/** Accuracy and macro-F1 of a classifier's predictions on encoded examples (tags: over tagged positions). */
function scoreSet(model: BertClassifier, set: Encoded[], numLabels: number) {
  const pred = model.predict(set.map((e) => e.ids));
  const gold: number[] = [];
  const got: number[] = [];
  set.forEach((e, i) =>
    e.target.forEach((t, j) => {
      if (t === -100) return;
      gold.push(t);
      got.push(pred[i][j]);
    }),
  );
  return classificationScores(gold, got, numLabels);
}

/** The labels of the training items, sorted (a classifier's label ids). */
function labelSet(items: LabelledItem[]): string[] {
  const set = new Set<string>();
  for (const it of items) {
    if ('label' in it) set.add(it.label);
    else for (const t of it.tags) set.add(t);
  }
  return [...set].sort();
}

/** Frames an item's tokens and maps its labels to ids; a label outside the set is an error naming where it is. */
function encodeItem(model: BertClassifier, it: LabelledItem, labelIds: Map<string, number>): Encoded {
  const id = (label: string) => {
    const v = labelIds.get(label);
    if (v === undefined)
      throw new LmkitError(
        `${it.where}: label ${JSON.stringify(label)} is not one of the training labels (${[...labelIds.keys()].slice(0, 12).join(', ')}${labelIds.size > 12 ? ', ...' : ''})`,
        { hint: 'fix the label, or add examples of it to the training data' },
      );
    return v;
  };
  if ('label' in it) return { ids: model.frame(model.tokenizer.encode(it.text)), target: [id(it.label)] };
  const { ids, first } = encodeWords(model.tokenizer, it.words);
  const target: number[] = new Array<number>(ids.length).fill(-100);
  first.forEach((pos, w) => (target[pos] = id(it.tags[w])));
  const framed = model.frame(ids);
  return { ids: framed, target: [-100, ...target].slice(0, framed.length - 1).concat([-100]) };
}

/**
 * Token ids of words joined by spaces, as the tokenizer reads running text, and the position of each word's
 * first token that is not white space (where its tag goes).
 */
export function encodeWords(
  tokenizer: Tokenizer,
  words: readonly string[],
): { ids: number[]; first: number[] } {
  const ids: number[] = [];
  const first: number[] = [];
  words.forEach((w, i) => {
    const piece = tokenizer.encode(i === 0 ? w : ` ${w}`);
    let at = piece.findIndex((t) => tokenizer.decode([t]).trim() !== '');
    if (at < 0) at = 0;
    first.push(ids.length + at);
    ids.push(...piece);
  });
  return { ids, first };
}

/** The labelled data of a file or dataset, split (see the module comment). */
export async function readLabelled(
  objective: 'classify' | 'tag',
  data: string,
  valid: string | undefined,
): Promise<LabelledSplits> {
  const fromFile = (path: string) => readLabelledFile(objective, path);
  if (isDatasetName(data)) {
    let all: (LabelledItem & { split: string })[];
    if (objective === 'tag') {
      if (data !== 'brown')
        throw new LmkitError(`--objective tag has part-of-speech tags for the dataset brown, not ${data}`, {
          hint: 'use --data brown, or a JSONL file of {"tokens": [...], "tags": [...]}',
        });
      all = (await brownTaggedSentences()).map((s, i) => ({
        words: s.words,
        tags: s.tags.map((t) => partOfSpeech(t.toLowerCase()) || 'nil'),
        where: `brown sentence ${i + 1}`,
        split: i % 10 === 9 ? 'test' : i % 10 === 8 ? 'valid' : 'train',
      }));
    } else {
      const d = getDataset(data);
      if (!d.labelled)
        throw new LmkitError(`the dataset ${data} has no labels to classify`, {
          hint: 'use --data spam, or a JSONL file of {"text", "label"}',
        });
      all = (await d.labelled()).map((e, i) => ({ ...e, where: `${data} example ${i + 1}` }));
    }
    const part = (s: string) => all.filter((e) => e.split === s);
    return {
      train: part('train'),
      valid: valid === undefined ? part('valid') : fromFile(valid),
      test: part('test'),
      note: valid === undefined ? `the dataset's valid split` : valid,
      labels: labelSet(all),
    };
  }
  const items = fromFile(data);
  if (valid !== undefined) return { train: items, valid: fromFile(valid), test: [], note: valid };
  return {
    train: items.filter((_, i) => i % 10 !== 9),
    valid: items.filter((_, i) => i % 10 === 9),
    test: [],
    note: 'every 10th example',
  };
}

/** A JSONL file of `{"text", "label"}` (classify) or `{"tokens", "tags"}` (tag); errors name the file and line. */
export function readLabelledFile(objective: 'classify' | 'tag', path: string): LabelledItem[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LmkitError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const out: LabelledItem[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${path}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new LmkitError(`${where}: not valid JSON (${(err as Error).message})`);
    }
    const j = json as Record<string, unknown>;
    if (objective === 'classify') {
      if (typeof j?.text !== 'string' || (typeof j.label !== 'string' && typeof j.label !== 'number'))
        throw new LmkitError(`${where}: expected {"text": string, "label": string}`, {
          hint: 'each line of a classification file is one labelled text',
        });
      out.push({ text: j.text, label: String(j.label), where });
    } else {
      const strings = (v: unknown): v is string[] =>
        Array.isArray(v) && v.every((x) => typeof x === 'string');
      if (!strings(j?.tokens) || !strings(j.tags) || j.tokens.length !== j.tags.length || !j.tokens.length)
        throw new LmkitError(`${where}: expected {"tokens": [words], "tags": [one tag per word]}`, {
          hint: "each line of a tagging file is one sentence, as Hugging Face's token-classification data",
        });
      out.push({ words: j.tokens, tags: j.tags, where });
    }
  });
  if (!out.length) throw new LmkitError(`${path} has no examples`);
  return out;
}
