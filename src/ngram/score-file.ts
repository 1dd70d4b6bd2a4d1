/**
 * `lmkit ngram eval` on a plain text file at native speed: the file is mapped, checked and scored in
 * chunks by the native scorer (native-score.ts), reading it exactly as the streaming TypeScript path reads
 * it (data/load.ts: UTF-8, CR/CRLF line ends, lines trimmed, blank lines skipped, the model's lowercasing,
 * the mod10 split). Anything else (gzip, datasets, raw running text, cleaning, character models, invalid
 * UTF-8, no addon) returns undefined and the TypeScript path scores it and reports its errors.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { statSync } from 'node:fs';
import { resolveFormat, type TextFormat } from '../data/sentences.js';
import { readTextLines } from '../data/text-lines.js';
import { LmkitError } from '../errors.js';
import { readFileMapped } from '../util/map-file.js';
import type { BackoffModel } from './backoff-model.js';
import { NativeScorer, ScoreMode, type Mod10, type NativeTotals } from './native-score.js';

/** Longest non-ASCII text lowercased here as one string (V8's strings stop short of 1 GiB). */
const MAX_LOWERCASED = 256 << 20;

/** Bytes scored per call, between progress updates. */
const CHUNK = 4 << 20;

/** How the file is to be read: as `streamSentences` takes them. */
export interface FileScoreOptions {
  split?: string;
  scheme?: string;
  format?: TextFormat;
  onRead?: (bytes: number, size: number) => void;
}

/** The totals of scoring the file natively, or undefined when the TypeScript path must score it. */
export async function scoreFileNatively(
  model: BackoffModel,
  path: string,
  o: FileScoreOptions = {},
): Promise<NativeTotals | undefined> {
  const d = model.info.details ?? {};
  if (model.info.level !== 'word' || d.clean === true || d.tokenize === true) return undefined;
  const split = o.split ?? 'all';
  if (!['all', 'train', 'test'].includes(split) || !(o.scheme === undefined || o.scheme === 'mod10'))
    return undefined;
  if (!isPlainFile(path)) return undefined;
  const scorer = NativeScorer.of(model);
  if (!scorer) return undefined;
  let text: Uint8Array = readFileMapped(path);
  if (text.length < 2 || (text[0] === 0x1f && text[1] === 0x8b) || !isUtf8(text)) return undefined;
  const format = o.format ?? 'auto';
  if (format === 'raw' || (format === 'auto' && (await resolveFormat(readTextLines(path))) === 'raw'))
    return undefined;
  let mode = ScoreMode.trimSkipBlank | ScoreMode.crEndsLine;
  if (d.lowercase === true) {
    if (isAscii(text)) mode |= ScoreMode.lowercaseAscii;
    else if (text.length > MAX_LOWERCASED)
      return undefined; // too long for one string: the stream lowercases line by line
    else
      text = Buffer.from(
        Buffer.from(text.buffer, text.byteOffset, text.length).toString('utf8').toLowerCase(),
      );
  }
  for (let from = 0; from < text.length;) {
    const nl = text.indexOf(0x0a, Math.min(from + CHUNK, text.length));
    const to = nl < 0 ? text.length : nl + 1;
    const at = scorer.score(text, from, to, mode, split as Mod10);
    if (at >= 0) throw reserved(text, at, path);
    o.onRead?.(to, text.length);
    from = to;
  }
  const totals = scorer.result();
  return totals.seen > 0 ? totals : undefined; // a blank file: the TypeScript path says so
}

function isPlainFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The error for a sentence marker in the text, with its line. */
function reserved(text: Uint8Array, at: number, path: string): LmkitError {
  let line = 1;
  for (let i = 0; i < at; i++) if (text[i] === 0x0a) line++;
  const word = text[at + 1] === 0x2f ? '</s>' : '<s>';
  return new LmkitError(`${path}:${line}: the text contains the reserved token ${word}`, {
    hint: 'sentence boundaries are added automatically: remove <s> and </s> from the input',
  });
}
