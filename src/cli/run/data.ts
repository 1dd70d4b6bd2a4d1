/** What the `lmkit data` commands do when they run (their flags and help are in ../data.ts). */
import { measure, getDataset, listDatasets, type CorpusSize, type Dataset } from '../../data/datasets.js';
import { loadSentences } from '../../data/load.js';
import { buildInstruct, writeInstruct } from '../../data/instruct/build.js';
import { T5_TASKS, buildT5Tasks, writeT5Tasks } from '../../data/t5-tasks.js';
import { type TextFormat } from '../../data/sentences.js';
import { SPLIT_SCHEMES } from '../../data/splits.js';
import { UsageError } from '../../errors.js';
import { CharTokenizer } from '../../tokenizers/char.js';
import { saveTokenizer } from '../../tokenizers/tokenizer-file.js';
import { WordTokenizer, type PreTokenizer } from '../../tokenizers/word.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { ProgressBar, readingBar } from '../../util/progress.js';
import type { BatchableModel } from '../../generate/batch.js';
import { loadLanguageModel } from '../../models/load.js';
import { buildPreferences, writePreferences } from '../../train/build-preferences.js';
import { MAX_K } from '../../train/preference-data.js';
import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit data list`. */
export async function list(args: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit data show`. */
export async function show(args: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit data export`. */
export async function exportCmd(args: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit data vocab`. */
export async function vocab(args: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit data install`. */
export async function install(args: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit data build-instruct`. */
export async function buildInstructCmd(args: ParsedArgs, io: CliIO): Promise<number | void> {
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
}

/** `lmkit data build-t5-tasks`. */
export async function buildT5TasksCmd(args: ParsedArgs, io: CliIO): Promise<number | void> {
  const out = args.string('out') as string;
  const asked = args.list('task');
  const unknown = asked.filter((t) => !T5_TASKS.includes(t));
  if (unknown.length)
    throw new UsageError(`unknown task ${JSON.stringify(unknown[0])}`, `tasks: ${T5_TASKS.join(', ')}`);
  const d = await buildT5Tasks({
    maxPerTask: args.number('max-per-task') as number,
    tasks: asked.length ? asked : undefined,
    log: io.stderr,
  });
  writeT5Tasks(out, d);
  if (args.json)
    io.stdout.write(
      JSON.stringify({
        out,
        train: d.train.length,
        valid: d.valid.length,
        test: d.test.length,
        tasks: d.report,
      }) + '\n',
    );
  else {
    for (const r of d.report)
      io.stderr.write(
        `${r.task.padEnd(14)} train ${n(r.train).padStart(5)}  valid ${n(r.valid).padStart(4)}  test ${n(r.test).padStart(4)}  ${r.license}\n`,
      );
    io.stderr.write(
      `wrote ${out}/train.jsonl (${n(d.train.length)}), ${out}/valid.jsonl (${n(d.valid.length)}) and ${out}/test.jsonl (${n(d.test.length)})\n`,
    );
  }
}

/** `lmkit data build-preferences`. */
export async function buildPreferencesCmd(args: ParsedArgs, io: CliIO): Promise<number | void> {
  const out = args.string('out') as string;
  const modelDir = args.string('model');
  const samples = args.number('samples') as number;
  if (samples > MAX_K)
    throw new UsageError(`--samples must be at most ${MAX_K} (a ranking holds 2 … ${MAX_K} responses)`);
  const judges = args.list('judge');
  if (judges.length && !modelDir) throw new UsageError("--judge ranks a model's samples: give --model DIR");
  if (args.string('openings') !== undefined && !judges.includes('sentiment'))
    throw new UsageError("--openings gives the sentiment judge's prompts: add --judge sentiment");
  const lang = args.string('lang') as 'en' | 'zh' | 'all';
  const bar = { current: undefined as ProgressBar | undefined };
  const d = await buildPreferences({
    model: modelDir === undefined ? undefined : (loadLanguageModel(modelDir) as BatchableModel),
    modelName: modelDir,
    judges: judges.length ? judges : ['correctness'],
    prompts: args.number('prompts') as number,
    openings: args.string('openings'),
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
}

const n = (x: number) => x.toLocaleString('en-US');

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
