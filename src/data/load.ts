/** One entry point for "give me sentences": a dataset name or a file, cleaned and split as asked. */
import { existsSync, statSync } from 'node:fs';
import { LmkitError, UsageError } from '../errors.js';
import { prepareText } from './clean.js';
import { getDataset, isDatasetName, listDatasets } from './datasets.js';
import { toSentences, TEXT_FORMATS, type TextFormat } from './sentences.js';
import { selectSplit, SPLIT_NAMES, SPLIT_SCHEMES, type SplitName, type SplitScheme } from './splits.js';
import { readTextFile } from './text-file.js';

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
}

/**
 * Loads sentences from `source`: a file path when a file of that name exists, else a dataset name.
 * Tokenizing, cleaning or lowercasing come first, then the split (sentences keep their corpus index, so
 * sentences that cleaning empties are dropped only after splitting).
 */
export async function loadSentences(source: string, opts: LoadOptions = {}): Promise<string[]> {
  const split = checkChoice('split', opts.split ?? 'all', SPLIT_NAMES) as SplitName;
  const format = checkChoice('format', opts.format ?? 'auto', TEXT_FORMATS) as TextFormat;
  let scheme: SplitScheme;
  let sentences: string[];
  if (isDatasetName(source) && !isFile(source)) {
    const dataset = getDataset(source);
    scheme = dataset.defaultScheme;
    sentences = await dataset.sentences();
  } else if (existsSync(source)) {
    scheme = 'mod10';
    sentences = toSentences(await readTextFile(source), format);
  } else {
    throw new LmkitError(`'${source}' is neither a file nor a dataset (file not found)`, {
      hint: `datasets: ${listDatasets()
        .map((d) => d.name)
        .join(', ')}`,
    });
  }
  if (opts.splitScheme !== undefined)
    scheme = checkChoice('scheme', opts.splitScheme, SPLIT_SCHEMES) as SplitScheme;
  if (opts.tokenize || opts.clean || opts.lowercase) sentences = sentences.map((s) => prepareText(opts, s));
  const selected = selectSplit(sentences, scheme, split);
  return opts.clean ? selected.filter((s) => s) : selected;
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
