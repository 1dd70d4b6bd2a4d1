/**
 * A corpus as written, for models that read characters or bytes (a GPT or RNN, as nanoGPT and llm.c
 * read their text): a file's text with its line breaks, blank lines and spacing kept, or a dataset's own
 * written form. Nothing is re-flowed; the only changes are those every reader of a text file makes —
 * CRLF and CR line endings become LF and a leading byte-order mark is dropped (as Python's `open().read()`
 * does with the first, and `utf-8-sig` with the second). Re-flowing into sentences is load.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { LmkitError, UsageError } from '../errors.js';
import { prepareText, type Preprocessing } from './clean.js';
import { getDataset, isDatasetName, listDatasets } from './datasets.js';
import { loadSentences } from './load.js';
import { selectSplit, SPLIT_NAMES, SPLIT_SCHEMES, type SplitName, type SplitScheme } from './splits.js';
import { readTextLines, type ReadProgress } from './text-lines.js';

/** How {@link loadText} prepares a corpus. */
export interface TextOptions extends Partial<Omit<Preprocessing, 'sentences'>> {
  /** A split of a sentence-list dataset (see load.ts); text as written has no sentences to pick: only `all`. */
  split?: string;
  /** The split scheme of a sentence-list dataset (default its own). */
  splitScheme?: string;
  /** Called as a file is read, with the bytes read so far and the file's size (not called for datasets). */
  onRead?: ReadProgress;
}

/** Whether `source` is read as its own text (a file, or a dataset with a written form) or only as a sentence list. */
export function hasWrittenForm(source: string): boolean {
  return !isDataset(source) || getDataset(source).text !== undefined;
}

/** Whether `source` names a dataset (a file of that name wins, as in load.ts). */
function isDataset(source: string): boolean {
  if (!isDatasetName(source)) return false;
  try {
    return !statSync(source).isFile();
  } catch {
    return true;
  }
}

/**
 * The text of `source` as written (see the module comment): a file path when a file of that name exists,
 * else a dataset name — a dataset's written form when it has one (SOTU's addresses), else its sentences,
 * one a line (Brown: a sentence list is its form, and its splits apply). A dataset's written form splits by
 * its lines, which are whole documents (SOTU's mod10: every 10th address is test); a file has no split.
 * Lowercasing, cleaning or punctuation splitting, when asked, apply line by line; line breaks and blank
 * lines stay.
 */
export async function loadText(source: string, o: TextOptions = {}): Promise<string> {
  if (!hasWrittenForm(source)) return (await loadSentences(source, o)).join('\n');
  const split = o.split ?? 'all';
  const prepare = o.tokenize || o.clean || o.lowercase;
  const prepared = (line: string) => (prepare ? prepareText(o, line) : line);
  if (isDataset(source)) {
    const dataset = getDataset(source);
    const text = await (dataset.text as () => Promise<string>)();
    const lines = text.split('\n');
    if (split !== 'all') {
      const documents = selectSplit(
        lines.slice(0, -1), // the text ends in a line break
        checkChoice('scheme', o.splitScheme ?? dataset.defaultScheme, SPLIT_SCHEMES) as SplitScheme,
        checkChoice('split', split, SPLIT_NAMES) as SplitName,
      );
      return documents.map((d) => `${prepared(d)}\n`).join('');
    }
    return prepare ? lines.map(prepared).join('\n') : text;
  }
  if (split !== 'all')
    throw new UsageError(
      `--split ${split} picks sentences, but this file is read as written (no sentences to pick)`,
      'give the part to use as a file of its own (lmkit train: --valid FILE, or --sentences to read sentences)',
    );
  if (!existsSync(source)) {
    throw new LmkitError(`'${source}' is neither a file nor a dataset (file not found)`, {
      hint: `datasets: ${listDatasets()
        .map((d) => d.name)
        .join(', ')}`,
    });
  }
  // lines come without their breaks, the text after the last break last ('' when the file ends in one),
  // so joining them with "\n" gives the file back
  const parts: string[] = [];
  let first = true;
  for await (const lines of readTextLines(source, o.onRead))
    for (const line of lines) {
      if (!first) parts.push('\n');
      parts.push(prepared(line));
      first = false;
    }
  return parts.join('');
}

function checkChoice(name: string, value: string, choices: readonly string[]): string {
  if (!choices.includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got '${value}')`);
  return value;
}
