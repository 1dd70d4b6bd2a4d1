/** What the `lmkit ngram` commands do when they run (their flags and help are in ../ngram.ts). */
import { statSync } from 'node:fs';
import { prepareText } from '../../data/clean.js';
import { generateTokens, neverSampled } from '../../generate/sample.js';
import type { BackoffModel } from '../../ngram/backoff-model.js';
import { NGramModel } from '../../ngram/ngram-model.js';
import { Rng } from '../../util/rng.js';
import type { CliIO, ParsedArgs } from '../args.js';
import { samplingOptions } from '../sampling-flags.js';

/** `lmkit ngram generate`. */
export async function generate(a: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit ngram next`. */
export async function next(a: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit ngram convert`. */
export async function convert(a: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit ngram info`. */
export async function info(a: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

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

/** Applies the preprocessing recorded in the model (lowercasing, classic cleaning) to text about to be scored. */
export function preprocess(model: BackoffModel, text: string): string {
  const d = model.info.details ?? {};
  return prepareText(
    { tokenize: d.tokenize === true, clean: d.clean === true, lowercase: d.lowercase === true },
    text,
  );
}

export function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

/** Passes `items` through, showing each to `onItem` first, and calls `onEnd` once they are exhausted. */
export async function* whenDone<T>(
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
