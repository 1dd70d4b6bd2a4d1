/** What the `lmkit embed` commands do when they run (their flags and help are in ../embed.ts). */
import { statSync } from 'node:fs';
import { getDataset, isDatasetName } from '../../data/datasets.js';
import { streamSentences } from '../../data/load.js';
import { buildCorpus, type TokenLevel } from '../../embed/corpus.js';
import type { Neighbour } from '../../embed/keyed-vectors.js';
import { readVectors, writeVectors, type VectorsFormat } from '../../embed/vectors-file.js';
import { trainWord2Vec, WORD2VEC_DEFAULTS, type Word2VecBackend } from '../../embed/word2vec.js';
import { UsageError } from '../../errors.js';
import { synonymAuc, wordnetSynsets } from '../../eval/word-similarity.js';
import { ProgressBar, readingBar } from '../../util/progress.js';

import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit embed train`. */
export async function train(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const out = a.string('out');
  if (!out) throw new UsageError('--out FILE is required (e.g. --out vectors.bin)');
  const source = a.positional('DATA') as string;
  const level = (a.string('level') ??
    (isDatasetName(source) ? getDataset(source).level : 'word')) as TokenLevel;
  const started = performance.now();
  const reading = readingBar(io.stderr);
  const corpus = await buildCorpus(
    streamSentences(source, {
      split: a.string('split'),
      splitScheme: a.string('scheme'),
      format: a.string('format') as never,
      lowercase: a.bool('lowercase'),
      tokenize: a.bool('tokenize'),
      onRead: reading.update,
    }),
    { level, minCount: a.number('min-count') as number, source },
  );
  reading.done();
  const config = {
    sg: a.string('algo') === 'skipgram',
    vector_size: a.number('vector-size') as number,
    window: a.number('window') as number,
    negative: a.number('negative') as number,
    hs: a.bool('hs'),
    ns_exponent: a.number('ns-exponent') as number,
    sample: a.number('sample') as number,
    min_count: a.number('min-count') as number,
    alpha: a.number('alpha') as number,
    min_alpha: a.number('min-alpha') as number,
    epochs: a.number('epochs') as number,
    seed: a.number('seed') as number,
    workers: a.number('threads') ?? WORD2VEC_DEFAULTS.workers,
  };
  const bar = new ProgressBar(io.stderr, 'training', corpus.ids.length * config.epochs, 'words');
  const result = trainWord2Vec(corpus, config, {
    backend: a.string('backend') as Word2VecBackend | undefined,
    computeLoss: io.isTTY,
    onProgress: (done, _total, loss) => bar.update(done, Number.isNaN(loss) ? '' : `loss ${loss.toFixed(4)}`),
  });
  bar.done();
  const binaryFlag = a.flags.get('binary');
  const format: VectorsFormat | undefined =
    binaryFlag === undefined ? undefined : binaryFlag ? 'binary' : 'text';
  writeVectors(out, result.vectors, format);
  const summary = {
    vectors: out,
    algo: config.sg ? 'skipgram' : 'cbow',
    objective: [config.hs ? 'hs' : '', config.negative ? `negative ${config.negative}` : '']
      .filter(Boolean)
      .join(' + '),
    level,
    vocab_size: corpus.words.length,
    vector_size: config.vector_size,
    corpus_tokens: corpus.rawTokens,
    trained_words: result.words,
    epochs: config.epochs,
    threads: config.workers,
    backend: result.backend,
    train_seconds: result.seconds,
    train_cpu_seconds: result.cpuSeconds,
    words_per_second: result.words / result.seconds,
    seconds: (performance.now() - started) / 1000,
    bytes: statSync(out).size,
  };
  if (a.json) {
    io.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  io.stderr.write(
    `trained ${summary.algo} (${summary.objective}) on ${corpus.rawTokens} ${level === 'word' ? 'words' : 'characters'}: ` +
      `${corpus.words.length} in the vocabulary (min-count ${config.min_count}) × ${config.vector_size} dimensions\n` +
      `${config.epochs} epoch${config.epochs === 1 ? '' : 's'} in ${result.seconds.toFixed(2)} s: ${Math.round(summary.words_per_second)} words/s ` +
      `(${result.backend}, ${config.workers} thread${config.workers === 1 ? '' : 's'})\n` +
      `wrote ${out} (${(summary.bytes / 1e6).toFixed(1)} MB)\n`,
  );
}

/** `lmkit embed neighbors`. */
export async function neighbors(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const kv = readVectors(a.positional('VECTORS') as string);
  const words = a.rest('WORD');
  const positive = words.filter((w) => !(w.startsWith('-') && w.length > 1));
  const negative = words.filter((w) => w.startsWith('-') && w.length > 1).map((w) => w.slice(1));
  const list = kv.mostSimilar(positive, negative, a.number('top') as number);
  if (a.json) io.stdout.write(JSON.stringify({ query: words, neighbors: list }) + '\n');
  else printNeighbours(io, list);
}

/** `lmkit embed analogy`. */
export async function analogy(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const kv = readVectors(a.positional('VECTORS') as string);
  const [A, B, C] = ['A', 'B', 'C'].map((k) => a.positional(k) as string);
  const list = kv.analogy(A, B, C, a.number('top') as number);
  if (a.json) io.stdout.write(JSON.stringify({ a: A, b: B, c: C, answers: list }) + '\n');
  else {
    io.stdout.write(`${A} : ${B} :: ${C} : ${list[0]?.word ?? '?'}\n`);
    printNeighbours(io, list);
  }
}

/** `lmkit embed similarity`. */
export async function similarity(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const kv = readVectors(a.positional('VECTORS') as string);
  const [w1, w2] = [a.positional('WORD1') as string, a.positional('WORD2') as string];
  const s = kv.similarity(w1, w2);
  io.stdout.write(
    a.json ? JSON.stringify({ word1: w1, word2: w2, similarity: s }) + '\n' : `${s.toFixed(4)}\n`,
  );
}

/** `lmkit embed eval`. */
export async function evaluate(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const kv = readVectors(a.positional('VECTORS') as string);
  const r = synonymAuc(
    kv,
    await wordnetSynsets(io.stderr),
    (w) => kv.indexOf(w) !== undefined,
    a.number('seed'),
  );
  if (a.json)
    io.stdout.write(
      JSON.stringify({ wordnet_synonym_auc: r.auc, synonym_pairs: r.synonyms, random_pairs: r.random }) +
        '\n',
    );
  else
    io.stdout.write(
      `WordNet synonyms vs random pairs: ROC AUC ${r.auc.toFixed(4)} (${r.synonyms} synonym pairs, ${r.random} random pairs)\n`,
    );
}

function printNeighbours(io: { stdout: NodeJS.WritableStream }, list: Neighbour[]): void {
  const width = Math.max(4, ...list.map((n) => [...n.word].length));
  io.stdout.write(`${'word'.padEnd(width)}  cosine\n`);
  for (const n of list) io.stdout.write(`${n.word.padEnd(width)}  ${n.similarity.toFixed(4)}\n`);
}
