/** `lmkit ngram ...`: train, evaluate, query, sample from and inspect n-gram language models. */
import { statSync } from 'node:fs';
import { prepareText } from '../data/clean.js';
import { getDataset, isDatasetName } from '../data/datasets.js';
import { loadSentences, streamSentences } from '../data/load.js';
import type { ReadProgress } from '../data/text-lines.js';
import { LmkitError, UsageError } from '../errors.js';
import { generateTokens, neverSampled } from '../generate/sample.js';
import type { BackoffModel } from '../ngram/backoff-model.js';
import type { Discount } from '../ngram/discounts.js';
import { Evaluator, scoreSentence, type EvalSummary } from '../ngram/evaluate.js';
import { NGramModel } from '../ngram/ngram-model.js';
import { tokenizeSentence } from '../ngram/tokenize.js';
import { trainNGramStream, type Smoothing } from '../ngram/train.js';
import { shortestFloat32 } from '../util/float-format.js';
import { ProgressBar, readingBar } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import type { CommandGroup, CommandSpec, ParsedArgs } from './args.js';
import { DATA_FLAGS } from './data-flags.js';
import { SAMPLING_FLAGS, samplingOptions } from './sampling-flags.js';

const train: CommandSpec = {
  name: 'train',
  summary: 'estimate an n-gram model from text and write it as ARPA (or binary with --out *.bin)',
  details:
    'TRAIN is a text file (one sentence per line; gzip accepted) or a dataset name (lmkit data list).\n' +
    'Kneser-Ney (kn) is interpolated modified Kneser-Ney exactly as KenLM lmplz; mle is maximum likelihood,\n' +
    'addk adds k to every count (k = 1 is Laplace), stupid is Brants et al. (2007) stupid backoff.',
  json: true,
  flags: [
    {
      name: 'order',
      short: 'o',
      type: 'integer',
      min: 1,
      default: 3,
      description: 'n-gram order (any N ≥ 1)',
    },
    {
      name: 'smoothing',
      type: 'string',
      choices: ['kn', 'mle', 'addk', 'stupid'],
      default: 'kn',
      description: 'estimator',
    },
    { name: 'k', type: 'number', min: 0, description: 'add-k constant (default 1)' },
    { name: 'alpha', type: 'number', min: 0, max: 1, description: 'stupid backoff factor (default 0.4)' },
    {
      name: 'prune',
      type: 'string',
      value: 'T1,T2,...',
      description: 'kn: drop n-grams with count ≤ T per order (first must be 0; last repeats)',
    },
    {
      name: 'discounts',
      type: 'string',
      value: 'D1,D2,D3[;...]',
      description: 'kn: explicit discounts, one set per order from unigrams (last repeats)',
    },
    {
      name: 'discount-fallback',
      type: 'string',
      value: 'D1,D2,D3',
      description: 'kn: discounts for orders that cannot be estimated (default 0.5,1,1.5)',
    },
    {
      name: 'level',
      type: 'string',
      choices: ['word', 'char'],
      default: 'word',
      description: 'tokens are words or characters',
    },
    {
      name: 'lowercase',
      type: 'boolean',
      description: 'lowercase the text (recorded in the model and applied when scoring)',
    },
    {
      name: 'clean',
      type: 'boolean',
      description: 'classic cleaning: lowercase, letters only, drop words shorter than 3',
    },
    {
      name: 'tokenize',
      type: 'boolean',
      description:
        'split punctuation off words first, for raw text such as sotu (recorded and applied when scoring)',
    },
    {
      name: 'skip-symbols',
      type: 'boolean',
      description: 'drop <s>, </s>, <unk> found in the text instead of failing',
    },
    {
      name: 'unk-in-text',
      type: 'boolean',
      description: 'count <unk> in the text as the unknown word (on by itself for the bengio split)',
    },
    {
      name: 'out',
      type: 'string',
      value: 'MODEL',
      description: 'where to write the model (.arpa, or .bin for the binary format)',
    },
    ...DATA_FLAGS,
  ],
  positionals: [{ name: 'TRAIN', description: 'training text file or dataset name' }],
  async run(a, io) {
    const out = a.string('out');
    if (!out) throw new UsageError('--out MODEL is required (e.g. --out model.arpa or --out model.bin)');
    const started = performance.now();
    const source = a.positional('TRAIN') as string;
    const preprocess = {
      lowercase: a.bool('lowercase'),
      clean: a.bool('clean'),
      tokenize: a.bool('tokenize'),
    };
    // Sentences are counted as the file is read and then dropped: memory holds the counts, not the text.
    // A file shows a reading bar; a dataset, which comes as one batch, a counting bar.
    const reading = readingBar(io.stderr);
    let read = false;
    let counting: ProgressBar | undefined;
    let loaded = started;
    const sentences = whenDone(
      streamSentences(source, {
        split: a.string('split'),
        splitScheme: a.string('scheme'),
        format: a.string('format') as never,
        onRead: (bytes, size) => {
          read = true;
          reading.update(bytes, size);
        },
        ...preprocess,
      }),
      () => {
        loaded = performance.now();
        reading.done();
        counting?.done();
      },
      (batch) => {
        if (!read) counting ??= new ProgressBar(io.stderr, 'counting', batch.length, 'sentences');
      },
    );
    const {
      model,
      warnings,
      sentences: counted,
    } = await trainNGramStream(sentences, {
      onProgress: (done) => counting?.update(done),
      order: a.number('order') as number,
      smoothing: a.string('smoothing') as Smoothing,
      level: a.string('level') as 'word' | 'char',
      k: a.number('k'),
      alpha: a.number('alpha'),
      prune:
        a.string('prune') === undefined ? undefined : parseNumbers(a.string('prune') as string, '--prune'),
      discounts:
        a.string('discounts') === undefined
          ? undefined
          : (a.string('discounts') as string).split(';').map((s) => parseDiscount(s, '--discounts')),
      fallback:
        a.string('discount-fallback') === undefined
          ? undefined
          : parseDiscount(a.string('discount-fallback') as string, '--discount-fallback'),
      skipSymbols: a.bool('skip-symbols'),
      unkInText: a.bool('unk-in-text') || mapsRareWords(source, a),
      preprocessing: preprocess,
    });
    for (const w of warnings) io.stderr.write(`lmkit: warning: ${w}\n`);
    const estimated = performance.now();
    new NGramModel(model).save(out);
    const done = performance.now();
    const summary = {
      model: out,
      order: model.order,
      smoothing: model.info.estimator,
      level: model.info.level,
      sentences: counted,
      ngrams: Array.from({ length: model.order }, (_, i) => model.size(i + 1)),
      bytes: statSync(out).size,
      seconds: {
        load: (loaded - started) / 1000,
        estimate: (estimated - loaded) / 1000,
        write: (done - estimated) / 1000,
      },
      warnings,
    };
    if (a.json) {
      io.stdout.write(JSON.stringify(summary) + '\n');
    } else {
      io.stderr.write(
        `trained ${model.info.estimator} ${model.order}-gram (${model.info.level} level) on ${counted} sentences: ` +
          `${summary.ngrams.map((c, i) => `${c} ${i + 1}-grams`).join(', ')}\n` +
          `wrote ${out} (${formatBytes(summary.bytes)}) in ${((done - started) / 1000).toFixed(2)} s\n`,
      );
    }
  },
};

const evaluate: CommandSpec = {
  name: 'eval',
  summary: 'perplexity of a model on a test text (whole file, with and without OOV tokens)',
  details:
    'The text is preprocessed as the model was (lowercasing, cleaning) and split at its level.\n' +
    'Perplexity is infinite (null in JSON) when a token has probability 0, e.g. an unseen n-gram under MLE;\n' +
    'zero_prob_events counts them.',
  json: true,
  flags: [
    { name: 'allow-oov', type: 'boolean', description: 'score even when most tokens are out of vocabulary' },
    ...DATA_FLAGS,
  ],
  positionals: [
    { name: 'MODEL', description: 'ARPA or binary model' },
    { name: 'TEST', description: 'test text file or dataset name' },
  ],
  async run(a, io) {
    const model = NGramModel.load(a.positional('MODEL') as string);
    const ev = new Evaluator(model.backoff);
    const reading = readingBar(io.stderr);
    for await (const batch of whenDone(testSentences(model.backoff, a, reading.update), reading.done))
      for (const s of batch) ev.add(tokenizeSentence(s, model.backoff.info.level));
    const s = ev.summary();
    checkTokenization(s, a.bool('allow-oov'));
    if (a.json) {
      io.stdout.write(JSON.stringify(summaryJson(s)) + '\n');
      return;
    }
    io.stdout.write(
      `sentences ${s.sentences}, tokens ${s.tokens}, OOVs ${s.oov} (${((100 * s.oov) / s.tokens).toFixed(1)}%)\n` +
        `perplexity including OOVs: ${fmtPpl(s.perplexity)}\n` +
        `perplexity excluding OOVs: ${fmtPpl(s.perplexityExclOov)}\n` +
        (s.zeroProbEvents
          ? `zero-probability events: ${s.zeroProbEvents} (the model gives them probability 0)\n`
          : ''),
    );
  },
};

const query: CommandSpec = {
  name: 'query',
  summary: 'score text word by word, like KenLM query: word=id matched-length log10p, per-sentence totals',
  json: true,
  flags: [{ name: 'summary-only', type: 'boolean', description: 'print only the perplexity summary' }],
  positionals: [
    { name: 'MODEL', description: 'ARPA or binary model' },
    { name: 'FILE', description: 'text to score (default: standard input)', optional: true },
  ],
  async run(a, io) {
    const model = NGramModel.load(a.positional('MODEL') as string);
    const file = a.positional('FILE');
    const text = file ? (await loadSentences(file, { format: 'lines' })).join('\n') : await readAll(io.stdin);
    const ev = new Evaluator(model.backoff);
    const lines = text.split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      const scores = scoreSentence(
        model.backoff,
        tokenizeSentence(preprocess(model.backoff, line), model.backoff.info.level),
      );
      ev.addScored(scores);
      if (a.bool('summary-only')) continue;
      const total = scores.reduce((t, w) => t + w.log10p, 0);
      const oov = scores.filter((w) => w.oov).length;
      if (a.json) {
        io.stdout.write(
          JSON.stringify({
            words: scores.map((w) => ({ ...w, log10p: w.log10p === -Infinity ? null : w.log10p })),
            total: finite(total),
            oov,
          }) + '\n',
        );
      } else {
        io.stdout.write(
          scores.map((w) => `${w.word}=${w.id} ${w.matched} ${shortestFloat32(w.log10p)}\t`).join('') +
            `Total: ${shortestFloat32(total)} OOV: ${oov}\n`,
        );
      }
    }
    const s = ev.summary();
    if (a.json) io.stdout.write(JSON.stringify(summaryJson(s)) + '\n');
    else
      io.stdout.write(
        `Perplexity including OOVs:\t${s.perplexity}\nPerplexity excluding OOVs:\t${s.perplexityExclOov}\nOOVs:\t${s.oov}\nTokens:\t${s.tokens}\n`,
      );
  },
};

const generate: CommandSpec = {
  name: 'generate',
  summary: 'sample sentences: each starts at <s> (after an optional prompt) and stops at </s>',
  json: true,
  flags: [
    { name: 'prompt', short: 'p', type: 'string', description: 'text the sentences start with' },
    { name: 'n', type: 'integer', min: 1, default: 5, description: 'number of sentences' },
    { name: 'max-tokens', type: 'integer', min: 1, default: 100, description: 'longest sentence' },
    ...SAMPLING_FLAGS,
  ],
  positionals: [{ name: 'MODEL', description: 'ARPA or binary model' }],
  async run(a, io) {
    const model = NGramModel.load(a.positional('MODEL') as string);
    const prompt = preprocess(model.backoff, a.string('prompt') ?? '');
    const promptIds = model.tokenizer.encode(prompt);
    const rng = new Rng(a.number('seed'));
    const options = { ...samplingOptions(a), suppressTokens: neverSampled(model.tokenizer) };
    for (let i = 0; i < (a.number('n') as number); i++) {
      const ids = [...generateTokens(model, promptIds, options, rng)];
      const text = model.tokenizer.decode([...promptIds, ...ids]);
      io.stdout.write(a.json ? JSON.stringify({ text, tokens: ids.length }) + '\n' : text + '\n');
    }
  },
};

const next: CommandSpec = {
  name: 'next',
  summary: 'the most likely next tokens after a context, with their probabilities',
  json: true,
  flags: [{ name: 'top', type: 'integer', min: 1, default: 10, description: 'how many tokens to list' }],
  positionals: [
    { name: 'MODEL', description: 'ARPA or binary model' },
    { name: 'CONTEXT', description: 'the words so far (the sentence start is implied)', optional: true },
  ],
  async run(a, io) {
    const model = NGramModel.load(a.positional('MODEL') as string);
    const ids = model.tokenizer.encode(preprocess(model.backoff, a.positional('CONTEXT') ?? ''));
    const lp = model.start(ids).logProbs();
    const order = Array.from(lp.keys())
      .filter((i) => lp[i] > -Infinity)
      .sort((x, y) => lp[y] - lp[x])
      .slice(0, a.number('top'));
    const rows = order.map((i) => ({
      token: model.tokenizer.idToToken(i),
      id: i,
      p: Math.exp(lp[i]),
      log10p: lp[i] / Math.LN10,
    }));
    if (a.json) {
      io.stdout.write(JSON.stringify(rows) + '\n');
      return;
    }
    io.stdout.write('p\tlog10p\ttoken\n');
    for (const r of rows) io.stdout.write(`${r.p.toFixed(6)}\t${r.log10p.toFixed(4)}\t${r.token}\n`);
  },
};

const convert: CommandSpec = {
  name: 'convert',
  summary:
    "convert between ARPA and lmkit's binary format (like KenLM's build_binary), e.g. a KenLM or SRILM ARPA",
  json: true,
  flags: [],
  positionals: [
    { name: 'IN', description: 'ARPA (plain or gzip) or binary model' },
    { name: 'OUT', description: 'output model: .bin for binary, anything else for ARPA' },
  ],
  async run(a, io) {
    const started = performance.now();
    const model = NGramModel.load(a.positional('IN') as string);
    const out = a.positional('OUT') as string;
    model.save(out);
    const summary = {
      model: out,
      ...describe(model.backoff),
      bytes: statSync(out).size,
      seconds: (performance.now() - started) / 1000,
    };
    if (a.json) io.stdout.write(JSON.stringify(summary) + '\n');
    else io.stderr.write(`wrote ${out} (${formatBytes(summary.bytes)}) in ${summary.seconds.toFixed(2)} s\n`);
  },
};

const info: CommandSpec = {
  name: 'info',
  summary: 'what a model is: order, n-gram counts, estimator, token level, preprocessing',
  json: true,
  flags: [],
  positionals: [{ name: 'MODEL', description: 'ARPA or binary model' }],
  async run(a, io) {
    const path = a.positional('MODEL') as string;
    const d = { model: path, ...describe(NGramModel.load(path).backoff), bytes: statSync(path).size };
    if (a.json) {
      io.stdout.write(JSON.stringify(d) + '\n');
      return;
    }
    io.stdout.write(
      `${path}: ${d.order}-gram, ${d.estimator}, ${d.level} level, ${formatBytes(d.bytes)}\n` +
        d.ngrams.map((c, i) => `  ${i + 1}-grams: ${c}\n`).join('') +
        `  vocabulary: ${d.vocabulary} (with <unk>, <s>, </s>)\n` +
        detailLines(d.details),
    );
  },
};

/** The model's recorded details as readable lines: discounts per order, preprocessing, other settings. */
function detailLines(details: Record<string, unknown>): string {
  const lines: string[] = [];
  const prep = ['lowercase', 'clean', 'tokenize'].filter((k) => details[k] === true);
  if (['lowercase', 'clean', 'tokenize'].some((k) => k in details))
    lines.push(`  preprocessing: ${prep.length ? prep.join(', ') : 'none (text as given)'}`);
  for (const [key, value] of Object.entries(details)) {
    if (['lowercase', 'clean', 'tokenize'].includes(key)) continue;
    if (key === 'discounts' && Array.isArray(value)) {
      lines.push('  discounts (Kneser-Ney D1, D2, D3+):');
      value.forEach((d: Record<string, number>, i) =>
        lines.push(
          `    ${i + 1}-grams: ${['d1', 'd2', 'd3'].map((k) => Number(d[k]).toFixed(4)).join(', ')}`,
        ),
      );
    } else {
      lines.push(`  ${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    }
  }
  return lines.map((l) => l + '\n').join('');
}

/** The facts `info` and `convert` report about a model. */
function describe(model: BackoffModel) {
  return {
    order: model.order,
    estimator: model.info.estimator,
    level: model.info.level,
    ngrams: Array.from({ length: model.order }, (_, i) => model.size(i + 1)),
    vocabulary: model.vocab.size,
    details: model.info.details ?? {},
  };
}

/** The n-gram command group. */
export const NGRAM: CommandGroup = {
  name: 'ngram',
  summary: 'n-gram language models: Kneser-Ney (as KenLM), MLE, add-k, stupid backoff; ARPA and binary files',
  commands: [train, evaluate, query, generate, next, convert, info],
};

/** The test sentences, in batches as the file is read, preprocessed as the model's training text was. */
function testSentences(model: BackoffModel, a: ParsedArgs, onRead: ReadProgress): AsyncGenerator<string[]> {
  const d = model.info.details ?? {};
  return streamSentences(a.positional('TEST') as string, {
    onRead,
    split: a.string('split'),
    splitScheme: a.string('scheme'),
    format: a.string('format') as never,
    lowercase: d.lowercase === true,
    clean: d.clean === true,
    tokenize: d.tokenize === true,
  });
}

/** Whether the data comes through the Bengio split, which replaces rare words by `<unk>`. */
function mapsRareWords(source: string, a: ParsedArgs): boolean {
  const split = a.string('split');
  if (split === undefined || split === 'all') return false;
  const scheme = a.string('scheme') ?? (isDatasetName(source) ? getDataset(source).defaultScheme : 'mod10');
  return scheme === 'bengio';
}

/** Applies the preprocessing recorded in the model (lowercasing, classic cleaning) to text about to be scored. */
function preprocess(model: BackoffModel, text: string): string {
  const d = model.info.details ?? {};
  return prepareText(
    { tokenize: d.tokenize === true, clean: d.clean === true, lowercase: d.lowercase === true },
    text,
  );
}

/** A test file whose tokens are mostly unknown was almost surely split or cased differently from the training text. */
function checkTokenization(s: EvalSummary, allow: boolean): void {
  const words = s.tokens - s.sentences;
  if (!allow && words >= 20 && s.oov > 0.5 * words) {
    throw new LmkitError(
      `${s.oov} of ${words} test tokens (${((100 * s.oov) / words).toFixed(0)}%) are not in the model's vocabulary: ` +
        'the test text seems tokenized differently from the training text (word vs character level, case, spacing)',
      { hint: 'train and test with the same --level and preprocessing, or pass --allow-oov to score anyway' },
    );
  }
}

function summaryJson(s: EvalSummary) {
  return {
    perplexity: finite(s.perplexity),
    perplexity_excl_oov: finite(s.perplexityExclOov),
    oov: s.oov,
    tokens: s.tokens,
    sentences: s.sentences,
    log10_prob: s.log10Prob,
    zero_prob_events: s.zeroProbEvents,
  };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function fmtPpl(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : v === Infinity ? 'infinite' : 'undefined';
}

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

function parseNumbers(text: string, flag: string): number[] {
  const parts = text.split(/[,\s]+/).filter((p) => p !== '');
  const nums = parts.map(Number);
  if (!parts.length || nums.some((n) => !Number.isFinite(n)))
    throw new UsageError(`${flag} needs comma-separated numbers (got '${text}')`);
  return nums;
}

function parseDiscount(text: string, flag: string): Discount {
  const [d1, d2, d3] = parseNumbers(text, flag);
  if (d3 === undefined) throw new UsageError(`${flag} needs three discounts D1,D2,D3+ (got '${text}')`);
  return { d1, d2, d3 };
}

/** Passes `items` through, showing each to `onItem` first, and calls `onEnd` once they are exhausted. */
async function* whenDone<T>(
  items: AsyncIterable<T>,
  onEnd: () => void,
  onItem?: (item: T) => void,
): AsyncGenerator<T> {
  try {
    for await (const item of items) {
      onItem?.(item);
      yield item;
    }
  } finally {
    onEnd();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  const buf = Buffer.concat(chunks);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new LmkitError('standard input is not valid UTF-8 text', {
      hint: 'convert it first, e.g. with iconv -t utf-8',
    });
  }
}
