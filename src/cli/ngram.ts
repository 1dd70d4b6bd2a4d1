/** `lmkit ngram ...`: train, evaluate, query, sample from and inspect n-gram language models. */
import type { CommandGroup, CommandSpec } from './args.js';
import { DATA_FLAGS } from './data-flags.js';
import { SAMPLING_FLAGS } from './sampling-flags.js';

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
  load: () => import('./run/ngram-train.js').then((m) => m.train),
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
  load: () => import('./run/ngram-eval.js').then((m) => m.evaluate),
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
  load: () => import('./run/ngram-query.js').then((m) => m.query),
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
  load: () => import('./run/ngram.js').then((m) => m.generate),
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
  load: () => import('./run/ngram.js').then((m) => m.next),
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
  load: () => import('./run/ngram.js').then((m) => m.convert),
};

const info: CommandSpec = {
  name: 'info',
  summary: 'what a model is: order, n-gram counts, estimator, token level, preprocessing',
  json: true,
  flags: [],
  positionals: [{ name: 'MODEL', description: 'ARPA or binary model' }],
  load: () => import('./run/ngram.js').then((m) => m.info),
};

/** The n-gram command group. */
export const NGRAM: CommandGroup = {
  name: 'ngram',
  summary: 'n-gram language models: Kneser-Ney (as KenLM), MLE, add-k, stupid backoff; ARPA and binary files',
  commands: [train, evaluate, query, generate, next, convert, info],
};
