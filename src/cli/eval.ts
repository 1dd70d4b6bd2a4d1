/** `lmkit eval`: perplexity / bits per character of a model of any kind (optionally mixed with another) on text. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDatasetName } from '../data/datasets.js';
import { loadSentences } from '../data/load.js';
import { loadText } from '../data/text.js';
import { UsageError } from '../errors.js';
import {
  defaultMode,
  EVAL_MODES,
  evaluatePerplexity,
  evaluateText,
  type EvalMode,
  type EvalOptions,
  type EvalResult,
} from '../eval/perplexity.js';
import { scoreConversationFile } from '../eval/conversations.js';
import type { LanguageModel } from '../lm.js';
import { loadLanguageModel } from '../models/load.js';
import { MixtureModel } from '../models/mixture.js';
import { checkSamePreprocessing, preprocessingOf } from '../models/preprocessing.js';
import { ProgressBar, readingBar } from '../util/progress.js';
import type { CommandGroup } from './args.js';
import { DATA_FLAGS } from './data-flags.js';

/** The eval command. */
export const EVAL: CommandGroup = {
  name: 'eval',
  summary: 'perplexity and bits per character of any model (n-gram, NPLM, RNN, GPT, or a mixture) on text',
  command: {
    name: 'eval',
    summary: 'perplexity and bits per character of any model (n-gram, NPLM, RNN, GPT, or a mixture) on text',
    details:
      'MODEL is an n-gram file or a checkpoint directory; DATA a dataset name (lmkit data list) or a text file,\n' +
      "prepared as the model was trained (an n-gram model's recorded lowercasing/cleaning, the model's tokenizer;\n" +
      'a GPT or RNN trained on text as written scores the text as written, as one stream, as nanoGPT measures).\n' +
      'A dataset is scored on its held-out test split unless --split says otherwise; a file is scored whole.\n' +
      "Scored tokens: each sentence's tokens plus one end of sentence (the line break token for character/BPE\n" +
      "tokenizers, </s> otherwise), <unk> included. --mode sentences scores each sentence from the model's start\n" +
      '(default for n-gram and NPLM); --mode stream scores the text as one stream (default for GPT and RNN).\n' +
      'A GPT scores text longer than its block with sliding windows: each window moves --stride tokens and scores\n' +
      'only tokens not yet scored, so each has at least block_size - stride tokens of context (stride 1: exact\n' +
      'full-block context, slowest). --mix MODEL2 interpolates token by token: w p(MODEL) + (1 - w) p(MODEL2).\n' +
      'JSON fields: model, mix, mix_weight, data, split, held_out (false: the run trained on it; null: unknown),\n' +
      'text (sentences | as-written), mode, stride, kind, tokenizer, sentences (null as written), tokens, oov,\n' +
      'characters, nats (-sum ln p), perplexity\n' +
      '(exp(nats/tokens); null when infinite), bits_per_token, bits_per_char, zero_prob_events, seconds;\n' +
      'with --mix, components: each model alone on the same tokens.\n' +
      'DATA ending in .jsonl is held-out conversations (the test.jsonl of lmkit data build-instruct): the model answers\n' +
      'each assistant turn greedily after the reference history (the first --per-task conversations of each task),\n' +
      'scored by exact match and token F1 per task (JSON: model, data, tasks [{task, turns, exact, f1}], turns,\n' +
      'exact, f1, samples, seconds).',
    json: true,
    flags: [
      ...DATA_FLAGS.map((f) =>
        f.name === 'split'
          ? { ...f, description: 'which part of the data (default: test for a dataset, all for a file)' }
          : f,
      ),
      {
        name: 'mode',
        type: 'string',
        choices: EVAL_MODES,
        description: 'sentence by sentence, or one stream',
      },
      {
        name: 'stride',
        type: 'integer',
        min: 1,
        description: 'GPT sliding-window stride (default block_size/2)',
      },
      { name: 'mix', type: 'string', value: 'MODEL2', description: 'interpolate with this model' },
      {
        name: 'mix-weight',
        type: 'number',
        min: 0,
        max: 1,
        default: 0.5,
        description: 'weight of MODEL in the mixture (MODEL2 gets 1 - w)',
      },
      { name: 'allow-oov', type: 'boolean', description: 'score even when most tokens are unknown' },
      {
        name: 'generic',
        type: 'boolean',
        description: "score through each model's step-by-step decoding state (slow; checks the fast paths)",
      },
      {
        name: 'per-task',
        type: 'integer',
        min: 1,
        default: 20,
        description: 'conversations (.jsonl DATA): how many of each task to score',
      },
      {
        name: 'max-tokens',
        type: 'integer',
        min: 1,
        default: 80,
        description: 'conversations (.jsonl DATA): longest reply in tokens',
      },
    ],
    positionals: [
      { name: 'MODEL', description: 'n-gram model file or checkpoint directory' },
      { name: 'DATA', description: 'dataset name or text file' },
    ],
    async run(a, io) {
      const path = a.positional('MODEL') as string;
      const data = a.positional('DATA') as string;
      const mixPath = a.string('mix');
      const weight = a.number('mix-weight') as number;
      let model: LanguageModel = loadLanguageModel(path);
      if (data.endsWith('.jsonl')) {
        if (mixPath !== undefined) throw new UsageError('--mix scores text, not conversations (.jsonl)');
        const t0 = performance.now();
        const r = scoreConversationFile(
          model,
          data,
          a.number('per-task') as number,
          a.number('max-tokens') as number,
        );
        const json = {
          model: path,
          data,
          ...r,
          seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
        };
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
      const input = await (asWritten ? loadText(data, load) : loadSentences(data, load)).finally(
        reading.done,
      );
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
      };
      if (a.json) {
        io.stdout.write(JSON.stringify(json) + '\n');
        return;
      }
      io.stdout.write(report(json.kind, model, mixPath, weight, r, data, split));
    },
  },
};

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
    `perplexity ${fmt(r.perplexity, 3)}${
      r.components ? ` (alone: ${r.components.map((c) => fmt(c.perplexity, 3)).join(' and ')})` : ''
    }`,
    `bits per token ${fmt(r.bitsPerToken, 4)}, bits per character ${fmt(r.bitsPerChar, 4)}, nats ${r.nats.toFixed(1)}`,
  ];
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
