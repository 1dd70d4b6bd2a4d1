/** One entry point for "give me sentences": a dataset name or a file, cleaned and split as asked. */
import { existsSync, statSync } from 'node:fs';
import { LmkitError, UsageError } from '../errors.js';
import { prepareText } from './clean.js';
import { getDataset, isDatasetName, listDatasets } from './datasets.js';
import { streamSentencesOfLines, TEXT_FORMATS, type TextFormat } from './sentences.js';
import { selectSplit, SPLIT_NAMES, SPLIT_SCHEMES, type SplitName, type SplitScheme } from './splits.js';
import { readTextLines, type ReadProgress } from './text-lines.js';

/** How {@link loadSentences} prepares a corpus. */
export interface LoadOptions {
  /** train | valid | test | all (default all: the whole corpus). */
  split?: string;
  /** bengio | mod10 (default: the dataset's own, mod10 for files). */
  splitScheme?: string;
  /** Lowercase every sentence (before splitting). */
  lowercase?: boolean;
  /** The classic cleaning recipe (lowercase, letters only, words of 3+ letters); emptied sentences are dropped. */
  clean?: boolean;
  /** Split punctuation off words with the regex pre-tokenizer and join tokens with single spaces. */
  tokenize?: boolean;
  /** How a file holds sentences (default auto); ignored for datasets. */
  format?: TextFormat;
  /** Called as a file is read, with the bytes read so far and the file's size (not called for datasets). */
  onRead?: ReadProgress;
}

/**
 * Loads sentences from `source`: a file path when a file of that name exists, else a dataset name.
 * Tokenizing, cleaning or lowercasing come first, then the split (sentences keep their corpus index, so
 * sentences that cleaning empties are dropped only after splitting).
 */
export async function loadSentences(source: string, opts: LoadOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of streamSentences(source, opts)) for (const s of batch) out.push(s);
  return out;
}

/**
 * {@link loadSentences}' sentences in batches, as a file is read: a file split `all` or by the mod10
 * scheme is never held whole, so a consumer that does not keep the sentences (counting n-grams, scoring)
 * runs in memory flat in the file's length. Datasets and the bengio scheme (which counts the whole
 * corpus first) come as one batch.
 */
export async function* streamSentences(source: string, opts: LoadOptions = {}): AsyncGenerator<string[]> {
  const split = checkChoice('split', opts.split ?? 'all', SPLIT_NAMES) as SplitName;
  const format = checkChoice('format', opts.format ?? 'auto', TEXT_FORMATS) as TextFormat;
  const custom =
    opts.splitScheme === undefined
      ? undefined
      : (checkChoice('scheme', opts.splitScheme, SPLIT_SCHEMES) as SplitScheme);
  const prepare = opts.tokenize || opts.clean || opts.lowercase;
  if (isDatasetName(source) && !isFile(source)) {
    const dataset = getDataset(source);
    let sentences = await dataset.sentences();
    if (prepare) sentences = sentences.map((s) => prepareText(opts, s));
    yield finish(selectSplit(sentences, custom ?? dataset.defaultScheme, split), opts);
    return;
  }
  if (!existsSync(source)) {
    throw new LmkitError(`'${source}' is neither a file nor a dataset (file not found)`, {
      hint: `datasets: ${listDatasets()
        .map((d) => d.name)
        .join(', ')}`,
    });
  }
  const scheme = custom ?? 'mod10';
  if (scheme === 'mod10' && split === 'valid') selectSplit([], scheme, split); // its usage error, before reading
  const sentences = streamSentencesOfLines(readTextLines(source, opts.onRead), format);
  if (scheme === 'bengio' && split !== 'all') {
    const all: string[] = [];
    for await (const batch of sentences) for (const s of batch) all.push(prepare ? prepareText(opts, s) : s);
    yield finish(selectSplit(all, scheme, split), opts);
    return;
  }
  let index = 0;
  for await (const batch of sentences) {
    const kept: string[] = [];
    for (const s of batch) {
      const i = index++;
      if (split === 'train' ? i % 10 === 9 : split === 'test' ? i % 10 !== 9 : false) continue;
      const p = prepare ? prepareText(opts, s) : s;
      if (p || !opts.clean) kept.push(p);
    }
    if (kept.length) yield kept;
  }
}

/** Drops the sentences that cleaning emptied. */
function finish(sentences: string[], opts: LoadOptions): string[] {
  return opts.clean ? sentences.filter((s) => s) : sentences;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function checkChoice(name: string, value: string, choices: readonly string[]): string {
  if (!choices.includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got '${value}')`);
  return value;
}
