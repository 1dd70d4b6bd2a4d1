/** What `lmkit eval` does when it runs (its flags and help are in ../eval.ts). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDatasetName } from '../../data/datasets.js';
import { loadSentences } from '../../data/load.js';
import { loadText } from '../../data/text.js';
import { UsageError } from '../../errors.js';
import {
  defaultMode,
  evaluatePerplexity,
  evaluateText,
  type EvalMode,
  type EvalOptions,
  type EvalResult,
} from '../../eval/perplexity.js';
import { scoreConversationFile } from '../../eval/conversations.js';
import { scorePairFile } from '../../eval/text-to-text.js';
import type { LanguageModel } from '../../lm.js';
import { loadLanguageModel } from '../../models/load.js';
import { MixtureModel } from '../../models/mixture.js';
import { checkSamePreprocessing, preprocessingOf } from '../../models/preprocessing.js';
import { ProgressBar, readingBar } from '../../util/progress.js';

import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit eval`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const path = a.positional('MODEL') as string;
  const data = a.positional('DATA') as string;
  const mixPath = a.string('mix');
  const weight = a.number('mix-weight') as number;
  let model: LanguageModel = loadLanguageModel(path);
  if (data.endsWith('.jsonl')) {
    if (mixPath !== undefined) throw new UsageError('--mix scores text, not conversations (.jsonl)');
    const t0 = performance.now();
    // a model that answers its prompt (an encoder–decoder) reads input/target pairs, others conversations
    const r = (model.generates === 'answer' ? scorePairFile : scoreConversationFile)(
      model,
      data,
      a.number('per-task') as number,
      a.number('max-tokens') as number,
    );
    const json = { model: path, data, ...r, seconds: Number(((performance.now() - t0) / 1000).toFixed(3)) };
    if (a.json) io.stdout.write(JSON.stringify(json) + '\n');
    else {
      io.stdout.write(
        `${'task'.padEnd(24)} ${'turns'.padStart(6)} ${'exact'.padStart(7)} ${'F1'.padStart(6)}\n`,
      );
      for (const t of [...r.tasks, { task: 'all', turns: r.turns, exact: r.exact, f1: r.f1 }])
        io.stdout.write(
          `${t.task.padEnd(24)} ${String(t.turns).padStart(6)} ${(100 * t.exact).toFixed(1).padStart(6)}% ${t.f1.toFixed(3).padStart(6)}\n`,
        );
    }
    return;
  }
  const preprocessing = preprocessingOf(model);
  if (mixPath !== undefined) {
    const second = loadLanguageModel(mixPath);
    model = new MixtureModel(model, second, weight);
    checkSamePreprocessing(preprocessing, preprocessingOf(second));
  }
  const isDataset = isDatasetName(data) && !existsSync(data);
  const split = a.string('split') ?? (isDataset ? 'test' : 'all');
  const overlap = isDataset && split !== 'train' ? trainedOnAllOf(path, data) : false;
  if (overlap && !a.json)
    io.stderr.write(
      `note: ${path} was trained on all of ${data} (no --split), so its ${split} split is not held out; ` +
        `train with --split train for a clean test\n`,
    );
  const reading = readingBar(io.stderr);
  // the text prepared as the model's training text was: sentences, or as written
  const asWritten = !preprocessing.sentences;
  if (asWritten && a.string('format') !== undefined)
    throw new UsageError(`--format says how to read sentences, but ${path} read its text as written`);
  const load = {
    split,
    splitScheme: a.string('scheme'),
    format: a.string('format') as never,
    onRead: reading.update,
    ...preprocessing,
  };
  const input = await (asWritten ? loadText(data, load) : loadSentences(data, load)).finally(reading.done);
  let bar: ProgressBar | undefined;
  const options: EvalOptions = {
    mode: a.string('mode') as EvalMode | undefined,
    stride: a.number('stride'),
    generic: a.bool('generic'),
    allowOov: a.bool('allow-oov'),
    onProgress: (done, total) => {
      if (done === 0 && !a.json)
        io.stderr.write(
          `scoring ${total.toLocaleString('en-US')} tokens of ${data} (split ${split}${split === 'test' && !a.string('split') ? ', the held-out part' : ''}) ` +
            `in ${asWritten ? 'stream' : (a.string('mode') ?? defaultMode(model))} mode${asWritten ? ', as written' : ''}\n`,
        );
      bar ??= io.isTTY ? new ProgressBar(io.stderr, 'scoring', total, 'tokens') : undefined;
      bar?.update(done);
    },
  };
  const r =
    typeof input === 'string'
      ? evaluateText(model, input, options)
      : evaluatePerplexity(model, input, options);
  bar?.done();
  const kind = model instanceof MixtureModel ? `${model.first.kind}+${model.second.kind}` : model.kind;
  const json = {
    model: path,
    mix: mixPath ?? null,
    mix_weight: mixPath === undefined ? null : weight,
    data,
    split,
    held_out: overlap ? false : split === 'test' || split === 'valid' ? true : null,
    text: r.text,
    mode: r.mode,
    stride: r.stride,
    kind,
    tokenizer: model.tokenizer.kind,
    sentences: r.text === 'sentences' ? r.sentences : null,
    tokens: r.tokens,
    oov: r.oov,
    characters: r.characters,
    nats: r.nats,
    scoring: model.scoring ?? 'causal',
    perplexity: finite(r.perplexity),
    bits_per_token: finite(r.bitsPerToken),
    bits_per_char: finite(r.bitsPerChar),
    zero_prob_events: r.zeroProbEvents,
    seconds: Number(r.seconds.toFixed(3)),
    components: r.components?.map((c, i) => ({
      model: i === 0 ? path : mixPath,
      nats: c.nats,
      perplexity: finite(c.perplexity),
    })),
    readings: r.readings?.map((c) => ({ name: c.name, nats: c.nats, perplexity: finite(c.perplexity) })),
  };
  if (a.json) {
    io.stdout.write(JSON.stringify(json) + '\n');
    return;
  }
  io.stdout.write(report(json.kind, model, mixPath, weight, r, data, split));
}

/** The human-readable summary. */
function report(
  kind: string,
  model: LanguageModel,
  mix: string | undefined,
  w: number,
  r: EvalResult,
  data: string,
  split: string,
): string {
  const pct = r.tokens ? ((100 * r.oov) / r.tokens).toFixed(1) : '0';
  const lines = [
    `${kind} model, ${model.tokenizer.kind} tokens${mix === undefined ? '' : `, mixed ${w} / ${1 - w} with ${mix}`}`,
    `data ${data}, split ${split}`,
    `mode ${r.mode}: ${
      r.text === 'as-written'
        ? 'the text as written scored as one stream, line breaks and spacing kept'
        : r.mode === 'sentences'
          ? 'each sentence scored from the model start, ending in its end-of-sentence token'
          : 'the text scored as one stream, context crossing sentence ends'
    }${r.stride === null ? '' : `; GPT windows slide by ${r.stride} tokens`}`,
    `${r.text === 'as-written' ? '' : `sentences ${r.sentences}, `}tokens ${r.tokens} (OOV ${r.oov}, ${pct}%), characters ${r.characters}`,
    `${model.scoring === 'pseudo' ? 'pseudo-perplexity (each token masked in turn)' : model.scoring === 'infilling' ? 'pseudo-perplexity (each token hidden behind a sentinel in turn)' : 'perplexity'} ${fmt(r.perplexity, 3)}${
      r.components ? ` (alone: ${r.components.map((c) => fmt(c.perplexity, 3)).join(' and ')})` : ''
    }`,
    `bits per token ${fmt(r.bitsPerToken, 4)}, bits per character ${fmt(r.bitsPerChar, 4)}, nats ${r.nats.toFixed(1)}`,
  ];
  if (r.readings)
    lines.push(
      `readings: ${r.readings.map((c) => `${c.name} perplexity ${fmt(c.perplexity, 3)}`).join(', ')}`,
    );
  if (r.zeroProbEvents)
    lines.push(`zero-probability events: ${r.zeroProbEvents} (the model gives them probability 0)`);
  lines.push(`time ${r.seconds.toFixed(2)} s`);
  return lines.join('\n') + '\n';
}

/** Whether the checkpoint at `path` records training on the whole of dataset `data` (no --split). */
function trainedOnAllOf(path: string, data: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(path, 'config.json'), 'utf8')) as {
      training?: { data?: unknown; split?: unknown };
    };
    const t = config.training;
    return t?.data === data && (t.split === undefined || t.split === 'all');
  } catch {
    return false; // an n-gram file, or no record of the training data
  }
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function fmt(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'infinite';
}
