/** `lmkit tokenizer ...`: train a byte-level BPE, encode and decode with any tokenizer, inspect one. */
import { TEXT_FORMATS } from '../data/sentences.js';
import { SPLIT_NAMES } from '../data/splits.js';
import { END_OF_TEXT } from '../tokenizers/bpe.js';
import type { CommandGroup, CommandSpec } from './args.js';

const TOKENIZER_ARG = {
  name: 'TOKENIZER',
  description: 'a tokenizer file (tokenizer.json from lmkit or Hugging Face), or gpt2',
};

const train: CommandSpec = {
  name: 'train',
  summary: 'learn a byte-level BPE (GPT-2 style) from a dataset or file and write tokenizer.json',
  details:
    "Words are cut with GPT-2's regex; the most frequent pair of adjacent tokens is merged until the\n" +
    'vocabulary (256 bytes + merges + special tokens) reaches --vocab-size, or no pair is seen\n' +
    '--min-frequency times. Ties go to the pair with the smaller token ids. The output is a Hugging Face\n' +
    "tokenizer.json laid out as GPT-2's own.",
  json: true,
  flags: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'FILE',
      description: 'output tokenizer.json (required)',
    },
    {
      name: 'vocab-size',
      type: 'integer',
      value: 'N',
      min: 257,
      description: 'tokens in all: 256 bytes, merges and special tokens (required)',
    },
    {
      name: 'special',
      type: 'string',
      value: 'LIST',
      default: END_OF_TEXT,
      description: "special tokens, comma-separated, e.g. '<|endoftext|>,<|user|>' ('' for none)",
    },
    {
      name: 'chat',
      type: 'boolean',
      description: 'also add the chat tokens <|system|> <|user|> <|assistant|> <|end|> (for SFT and chat)',
    },
    {
      name: 'min-frequency',
      type: 'integer',
      value: 'N',
      min: 1,
      default: 2,
      description: 'merge only pairs seen at least N times',
    },
    {
      name: 'split',
      type: 'string',
      choices: SPLIT_NAMES,
      default: 'all',
      description: 'which split to learn from',
    },
    {
      name: 'format',
      type: 'string',
      choices: TEXT_FORMATS,
      default: 'auto',
      description: 'how a file holds sentences: one per line, running text, or guess',
    },
  ],
  positionals: [{ name: 'SOURCE', description: 'a dataset name (lmkit data list) or a text file' }],
  load: () => import('./run/tokenizer.js').then((m) => m.train),
};

const encode: CommandSpec = {
  name: 'encode',
  summary: 'print the token ids of TEXT (or of standard input, encoded exactly, final newline included)',
  json: true,
  flags: [
    {
      name: 'allow-special',
      type: 'boolean',
      description: 'recognize special tokens such as <|endoftext|> in the text (default: plain text)',
    },
  ],
  positionals: [
    TOKENIZER_ARG,
    { name: 'TEXT', description: 'text to encode (default: standard input)', optional: true },
  ],
  load: () => import('./run/tokenizer.js').then((m) => m.encode),
};

const decode: CommandSpec = {
  name: 'decode',
  summary: 'print the text of token ids (given as arguments, or on standard input)',
  details:
    'IDS are whole numbers separated by spaces or commas; a JSON list such as [15496, 995] works too.\n' +
    'The text is printed followed by a line break; --no-newline prints it exactly.',
  flags: [
    {
      name: 'keep-special',
      type: 'boolean',
      description: 'write special tokens as text instead of dropping them',
    },
    {
      name: 'newline',
      type: 'boolean',
      default: true,
      description: 'end the output with a line break (--no-newline: the decoded text only)',
    },
  ],
  positionals: [
    TOKENIZER_ARG,
    { name: 'IDS', description: 'token ids (default: standard input)', optional: true, variadic: true },
  ],
  load: () => import('./run/tokenizer.js').then((m) => m.decode),
};

const show: CommandSpec = {
  name: 'show',
  summary: 'describe a tokenizer: kind, vocabulary size, special tokens, first and last merges',
  json: true,
  flags: [
    {
      name: 'merges',
      type: 'integer',
      value: 'N',
      min: 0,
      default: 10,
      description: 'merges to list at each end',
    },
  ],
  positionals: [TOKENIZER_ARG],
  load: () => import('./run/tokenizer.js').then((m) => m.show),
};

/** The `tokenizer` command group. */
export const TOKENIZER: CommandGroup = {
  name: 'tokenizer',
  summary: 'byte-level BPE: train one, encode and decode text, inspect vocabularies (gpt2 built in)',
  commands: [train, encode, decode, show],
};
