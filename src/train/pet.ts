/**
 * Pattern-exploiting training (PET; Schick & Schütze, 2021): a BERT masked LM fine-tuned on labelled texts
 * asked as cloze questions (models/bert-cloze.ts), the loss the cross-entropy over the verbalizer words'
 * logits at the mask. Unlike `--objective classify` no new weights are added: the label's score is the
 * pretrained masked-LM head's own prediction of its word, so training starts from the zero-shot model.
 * Left out of the paper's recipe: the auxiliary masked-LM loss on unlabelled text, ensembles of patterns and
 * the distillation into a classifier (iPET).
 *
 * Data as `--objective classify` (JSONL `{"text", "label"}` or `spam`); `--shots k` trains on k examples
 * drawn at random from the training split by --seed (the same draw as `--objective classify --shots k`),
 * and then the test figures come from the last step's model: no model selection on held-out data (true
 * few-shot). The run is an ordinary training run (same loop, checkpoints, metrics, resume); its checkpoint
 * is a BERT masked-LM folder whose config.json holds `pet: {pattern, verbalizer}` (`lmkit classify DIR`).
 */
import { LmkitError } from '../errors.js';
import { classificationScores } from '../eval/classification.js';
import { ClozeClassifier, parseVerbalizer, type ClozeSpec } from '../models/bert-cloze.js';
import { BertMaskedLM } from '../models/bert.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';
import { readTrainingCheckpoint, type RunInfo } from './checkpoint.js';
import { CLASSIFY_DEFAULTS, fewShot, readLabelled, type LabelledItem } from './classify.js';
import { resolveTrainConfig } from './config.js';
import { trainLoop, type RunOptions, type TrainSummary } from './loop.js';

/** A labelled text as PET reads it: the text and its label id. */
interface ClozeExample {
  text: string;
  label: number;
}

/** What to fine-tune, with which cloze question, on what. */
export interface PETOptions extends RunOptions {
  /** The BERT masked LM to start from (not needed on resume). */
  init?: string;
  /** A JSONL file of {"text", "label"} or a labelled dataset (default on resume: the run's own). */
  data?: string;
  valid?: string;
  /** The cloze pattern, with {text} and one [MASK] (default on resume: the run's). */
  pattern?: string;
  /** LABEL=WORD pairs, comma-separated (default on resume: the run's). */
  verbalizer?: string;
  /** Train on this many examples drawn from the training split (default: all of it). */
  shots?: number;
}

/** A PET run's summary: the loop's, the held-out figures and the labels. */
export interface PETSummary extends TrainSummary {
  metrics: Record<string, number>;
  labels: readonly string[];
}

/** Fine-tunes (or resumes) a BERT masked LM on cloze questions and returns the run's summary. */
export async function trainPET(o: PETOptions): Promise<PETSummary> {
  const saved = o.resume === undefined ? undefined : readTrainingCheckpoint(o.resume);
  if (saved && saved.run.objective !== 'pet')
    throw new LmkitError(`${o.resume} is not a --objective pet run`, {
      hint: 'start PET from a BERT masked LM with --init instead of --resume',
    });
  const init = saved?.run.init ?? o.init;
  if (init === undefined)
    throw new LmkitError('--objective pet fine-tunes a BERT masked LM: give --init BERT_DIR', {
      hint: 'pretrain one with lmkit train --model bert, then pass its --out folder (or its best/)',
    });
  const data = o.data ?? saved?.run.data;
  if (data === undefined)
    throw new LmkitError('no data given: --data FILE.jsonl ({"text", "label"} per line) or a dataset');
  const savedSpec = saved ? ClozeClassifier.savedSpec(o.resume as string) : undefined;
  const pattern = o.pattern ?? savedSpec?.pattern;
  const verbalizer = o.verbalizer === undefined ? savedSpec?.verbalizer : parseVerbalizer(o.verbalizer);
  if (pattern === undefined || verbalizer === undefined)
    throw new LmkitError('--objective pet asks a cloze question: give --pattern and --verbalizer', {
      hint: '--pattern "{text} This message is [MASK]." --verbalizer spam=junk,ham=fine',
    });
  const spec: ClozeSpec = { pattern, verbalizer };
  const cloze = new ClozeClassifier(BertMaskedLM.load(saved ? (o.resume as string) : init), spec);
  const mlm = cloze.mlm;
  const config = resolveTrainConfig(saved ? saved.run : CLASSIFY_DEFAULTS, ...o.settings, {
    n_layer: mlm.config.n_layer,
    n_head: mlm.config.n_head,
    n_embd: mlm.config.n_embd,
    block_size: mlm.config.block_size,
    dropout: mlm.config.dropout,
  });
  const shots = o.shots ?? saved?.run.shots;
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const parts = await readLabelled('classify', data, valid);
  const encode = (items: LabelledItem[]): ClozeExample[] =>
    items.map((it) => {
      if (!('label' in it)) throw new Error('unreachable: classify data holds texts');
      return { text: it.text, label: cloze.labelId(it.label, it.where) };
    });
  const pool = encode(parts.train);
  const train = shots === undefined ? pool : fewShot(pool, shots, config.seed);
  const validSet = encode(parts.valid);
  const testSet = encode(parts.test);
  if (!train.length || !validSet.length)
    throw new LmkitError(
      `${data}: ${train.length} training and ${validSet.length} validation examples; both need some`,
    );

  const run: RunInfo = {
    ...config,
    data,
    valid: valid ?? null,
    tokenizer: saved?.run.tokenizer ?? 'checkpoint',
    sentences: false,
    model: 'bert',
    objective: 'pet',
    init,
    ...(shots === undefined ? {} : { shots }),
  };
  o.onStart?.({
    run,
    trainTokens: train.length,
    validTokens: validSet.length,
    parameters: mlm.net.parameterCount(),
    note:
      `PET: the cloze ${JSON.stringify(pattern)} with ${verbalizer.map((e) => `${e.label} → "${e.word}"`).join(', ')}; ` +
      `${train.length} training examples${shots === undefined ? '' : ` (--shots ${shots} of ${pool.length}, seed ${config.seed})`}, ` +
      `validating on ${validSet.length} (${parts.note})${testSet.length ? `, testing on ${testSet.length}` : ''}` +
      (shots === undefined ? '' : '; test figures from the last step (no model selection)'),
  });

  const batchOf = (items: ClozeExample[]) => ({
    batch: cloze.batch(items.map((e) => e.text)),
    labels: IntTensor.from(
      items.map((e) => e.label),
      [items.length],
    ),
  });
  const K = cloze.labels.length;
  /** Loss, accuracy and macro-F1 of a whole set, without gradients. */
  const score = (set: ClozeExample[]) => {
    let loss = 0;
    for (let i = 0; i < set.length; i += config.batch_size) {
      const chunk = set.slice(i, i + config.batch_size);
      loss +=
        noGrad(() =>
          tidy(() => {
            const { batch, labels } = batchOf(chunk);
            return cloze.loss(batch, labels).item();
          }),
        ) * chunk.length;
    }
    const { accuracy, macroF1 } = scoreCloze(cloze, set, K);
    return { loss: loss / set.length, accuracy, macroF1 };
  };
  const metrics: Record<string, number> = {};
  const summary = await trainLoop({
    model: {
      net: mlm.net,
      targetsPerWindow: 1,
      save: (dir, extra, metadata) => mlm.save(dir, { ...extra, pet: spec }, metadata),
    },
    run,
    train: new Int32Array(0),
    valid: new Int32Array(0),
    objective: (split, rng) => {
      const set = split === 'train' ? train : validSet;
      const { batch, labels } = batchOf(
        Array.from(
          { length: Math.min(config.batch_size, split === 'train' ? config.batch_size : set.length) },
          () => set[rng.int(set.length)],
        ),
      );
      return { loss: cloze.loss(batch, labels) };
    },
    evaluate: () => {
      const v = score(validSet);
      const t = score(train.length > validSet.length ? train.slice(0, validSet.length) : train);
      Object.assign(metrics, { valid_loss: v.loss, valid_accuracy: v.accuracy, valid_macro_f1: v.macroF1 });
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
    const tested = shots === undefined ? new ClozeClassifier(BertMaskedLM.load(summary.best), spec) : cloze;
    const t = scoreCloze(tested, testSet, K);
    Object.assign(metrics, { test_accuracy: t.accuracy, test_macro_f1: t.macroF1 });
  }
  return { ...summary, metrics, labels: cloze.labels };
}

/** Accuracy and macro-F1 of a cloze classifier on labelled texts. */
export function scoreCloze(cloze: ClozeClassifier, set: readonly ClozeExample[], numLabels: number) {
  const pred = cloze.predict(set.map((e) => e.text));
  return classificationScores(
    set.map((e) => e.label),
    pred,
    numLabels,
  );
}
