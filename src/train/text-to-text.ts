/**
 * Text-to-text fine-tuning (T5's): a model that learns from input/target pairs (a kind whose models have
 * `encodePair`) trains on JSONL pairs, fresh (`--model t5`) or from a pretrained checkpoint (`--init DIR`),
 * with teacher forcing on the target. Each evaluation adds the held-out pairs' mean loss and
 * `valid_exact_match`: `exact_match_examples` held-out inputs (spread evenly over the file) answered greedily, the answer
 * compared with the target after trimming whitespace (also per task, as `valid_exact_match/TASK`).
 */
import { LmkitError } from '../errors.js';
import { greedyAnswer } from '../eval/text-to-text.js';
import { checkpointKind, readConfigJSON } from '../models/checkpoint.js';
import { modelKind, type NeuralModel } from '../models/kinds.js';
import { noGrad, tidy, type IntTensor } from '../tensor/tensor.js';
import { CharTokenizer } from '../tokenizers/char.js';
import { resolveTokenizer } from '../tokenizers/tokenizer-file.js';
import type { Rng } from '../util/rng.js';
import { readTrainingCheckpoint, type RunInfo } from './checkpoint.js';
import { resolveTrainConfig } from './config.js';
import { trainLoop, type RunOptions, type TrainSummary } from './loop.js';
import { splitSFT } from './sft-data.js';
import { readTextPairs, type TextPair } from './text-to-text-data.js';

/** What to train, on what. */
export interface TextToTextOptions extends RunOptions {
  /** A pretrained checkpoint to start from (absent: a fresh model of `model`). */
  init?: string;
  /** The kind of a fresh model (default t5). */
  model?: string;
  /** A fresh model's tokenizer: char (over the pairs' text), gpt2 or a tokenizer file. */
  tokenizer?: string;
  /** JSONL pairs (default on resume: the run's own). */
  data?: string;
  /** JSONL pairs that validate (default: every 10th pair of `data`). */
  valid?: string;
}

/** A run's summary and its held-out figures. */
export interface TextToTextSummary extends TrainSummary {
  metrics: Record<string, number>;
}

/** A model that learns from pairs. */
type PairModel = NeuralModel & {
  encodePair(input: number[], target: number[]): { input: number[]; target: number[] };
  pairBatch(pairs: readonly { input: number[]; target: number[] }[]): { x: IntTensor; y: IntTensor };
};

/** Whether a run is text-to-text: `--init` holds, or `--model` is, a kind that learns from pairs, on JSONL data. */
export function isTextToTextRun(o: {
  model?: string;
  init?: string;
  data?: string;
  resume?: string;
}): boolean {
  if (o.resume !== undefined) return false;
  const kind = o.init !== undefined ? checkpointKind(readConfigJSON(o.init)) : o.model;
  return (
    kind !== undefined &&
    kind !== null &&
    learnsFromPairs(kind) &&
    (o.init !== undefined || !!o.data?.endsWith('.jsonl'))
  );
}

/** Whether models of this kind name learn from input/target pairs. */
export function learnsFromPairs(kind: string): boolean {
  try {
    return modelKind(kind).textToText === true;
  } catch {
    return false;
  }
}

/** Trains (or resumes) a text-to-text model on pairs and returns the run's summary. */
export async function trainTextToText(o: TextToTextOptions): Promise<TextToTextSummary> {
  const saved = o.resume === undefined ? undefined : readTrainingCheckpoint(o.resume);
  const init = saved?.run.init ?? o.init;
  const data = o.data ?? saved?.run.data;
  if (data === undefined)
    throw new LmkitError('no data given: --data FILE.jsonl of {"input", "target"} pairs');
  const valid = o.valid ?? saved?.run.valid ?? undefined;
  const all = readTextPairs(data);
  const parts = valid === undefined ? splitSFT(all) : { train: all, valid: readTextPairs(valid) };
  if (!parts.valid.length)
    throw new LmkitError(`${data} has too few pairs to hold any out (every 10th validates)`, {
      hint: 'give --valid FILE.jsonl',
    });

  const kindName = saved
    ? (saved.run.model ?? 't5')
    : init !== undefined
      ? (checkpointKind(readConfigJSON(init)) as string)
      : (o.model ?? 't5');
  const kind = modelKind(kindName);
  if (!kind.textToText)
    throw new LmkitError(`${kind.label({})} does not learn from input/target pairs`, {
      hint: 'text-to-text fine-tuning is for --model t5 (or --init a T5 checkpoint)',
    });
  const arch = init !== undefined ? architectureOf(kind.load(init), kind.architectureKeys) : {};
  for (const layer of o.settings)
    for (const k of init !== undefined ? kind.architectureKeys : [])
      if (layer[k] !== undefined && layer[k] !== arch[k])
        throw new LmkitError(
          `fine-tuning keeps the architecture of ${init}: ${k} is ${String(arch[k])} there`,
          {
            hint: `drop --${k}`,
          },
        );
  const config = resolveTrainConfig(...(saved ? [saved.run] : []), ...o.settings, arch, { model: kindName });
  const tokenizerName =
    saved?.run.tokenizer ?? (init !== undefined ? initTokenizerName(init) : (o.tokenizer ?? 'char'));
  const model = (
    saved
      ? kind.load(o.resume as string)
      : init !== undefined
        ? kind.load(init)
        : kind.create(
            config,
            tokenizerName === 'char'
              ? CharTokenizer.train(all.flatMap((p) => [p.input, p.target]))
              : await resolveTokenizer(tokenizerName),
            config.seed,
          )
  ) as PairModel;
  const encode = (p: TextPair) =>
    model.encodePair(model.tokenizer.encode(p.input), model.tokenizer.encode(p.target));
  const train = parts.train.map(encode);
  const held = parts.valid.map(encode);
  const cap = Math.min(held.length, (config.exact_match_examples as number | undefined) ?? 100);
  // the pairs answered: spread evenly over the held-out file (its tasks may come one after another)
  const checked = Array.from({ length: cap }, (_, k) => Math.floor((k * held.length) / cap));

  const run: RunInfo = {
    ...config,
    data,
    valid: valid ?? null,
    tokenizer: tokenizerName,
    sentences: false,
    objective: 'text2text',
    ...(init !== undefined ? { init } : {}),
  };
  const tokens = (s: typeof train) => s.reduce((n, p) => n + p.target.length, 0);
  o.onStart?.({
    run,
    trainTokens: tokens(train),
    validTokens: tokens(held),
    parameters: model.net.parameterCount(),
    note:
      `text-to-text on ${train.length} pairs (${new Set(parts.train.map((p) => p.task)).size} tasks), validating on ${held.length}` +
      (valid === undefined ? ' (every 10th pair)' : ` from ${valid}`) +
      `; exact match on ${cap} held-out pairs (spread over the file) at each evaluation` +
      (init !== undefined ? `; starting from ${init}` : ''),
  });
  const draw = (set: typeof train, rng: Rng) =>
    model.pairBatch(Array.from({ length: config.batch_size }, () => set[rng.int(set.length)]));
  // --group_by_length: a training batch is a run of pairs of similar input length (less padding)
  const sorted = config.group_by_length ? [...train].sort((a, b) => a.input.length - b.input.length) : null;
  const drawGrouped = (rng: Rng) => {
    const s = sorted as typeof train;
    const start = rng.int(Math.max(1, s.length - config.batch_size + 1));
    return model.pairBatch(s.slice(start, start + config.batch_size));
  };
  let metrics: Record<string, number> = {};
  const summary = await trainLoop({
    model,
    run,
    train: new Int32Array(0),
    valid: new Int32Array(0),
    batch: (split, rng) =>
      split === 'train' && sorted ? drawGrouped(rng) : draw(split === 'train' ? train : held, rng),
    evaluate: () => {
      const loss = (set: typeof train, n: number) => {
        let total = 0;
        let count = 0;
        for (let i = 0; i < n; i += config.batch_size) {
          const chunk = set.slice(i, Math.min(n, i + config.batch_size));
          const w = chunk.reduce((s, p) => s + p.target.length, 0);
          total += w * noGrad(() => tidy(() => model.net.loss(...pairTensors(model, chunk)).item()));
          count += w;
        }
        return total / count;
      };
      const answers = checked.map((i) => ({
        task: parts.valid[i].task,
        ok: greedyAnswer(model, held[i].input, model.contextLength) === parts.valid[i].target.trim(),
      }));
      metrics = exactMatch(answers);
      return {
        trainLoss: loss(train, Math.min(train.length, held.length)),
        valLoss: loss(held, held.length),
        metrics,
      };
    },
    out: o.out,
    resume: saved,
    signal: o.signal,
    maxSeconds: o.maxSeconds,
    onStep: o.onStep,
    onEval: o.onEval,
  });
  return { ...summary, metrics };
}

/** A batch's tensors for the loss. */
function pairTensors(
  model: PairModel,
  chunk: readonly { input: number[]; target: number[] }[],
): [IntTensor, IntTensor] {
  const { x, y } = model.pairBatch(chunk);
  return [x, y];
}

/** `valid_exact_match` over every answer and `valid_exact_match/TASK` per task. */
function exactMatch(answers: readonly { task: string; ok: boolean }[]): Record<string, number> {
  const out: Record<string, number> = {};
  const mean = (xs: readonly { ok: boolean }[]) => xs.filter((a) => a.ok).length / xs.length;
  out.valid_exact_match = answers.length ? mean(answers) : NaN;
  for (const task of [...new Set(answers.map((a) => a.task))].sort())
    out[`valid_exact_match/${task}`] = mean(answers.filter((a) => a.task === task));
  return out;
}

/** The architecture settings of a loaded model (from its config). */
function architectureOf(model: NeuralModel, keys: readonly string[]): Record<string, unknown> {
  const c = (model as unknown as { config: Record<string, unknown> }).config;
  return Object.fromEntries(keys.map((k) => [k, c[k]]));
}

/** The tokenizer name the checkpoint's run recorded, or "checkpoint". */
function initTokenizerName(dir: string): string {
  const run = readConfigJSON(dir).training as RunInfo | undefined;
  return run?.tokenizer ?? 'checkpoint';
}
