/**
 * Text → sentences. `lines`: one sentence per line. `raw`: running text split into sentences by the
 * rules of {@link sentenceEnds} (English and Chinese). `auto` picks between the two; its rule is
 * documented at {@link detectFormat}. Text can be split whole ({@link toSentences}) or as its lines
 * arrive ({@link SentenceSplitter}, {@link streamSentencesOfLines}); both give the same sentences, in
 * time and memory linear in the text (the streaming form holds only the sentence being read).
 */
import {
  CJK,
  FINAL_ANYWHERE,
  FINAL_AT_END,
  LOOK_BEHIND,
  sentenceEnds,
  settledUpTo,
  splitParagraph,
} from './sentence-boundaries.js';

/** How a text file holds its sentences. */
export type TextFormat = 'lines' | 'raw' | 'auto';

export const TEXT_FORMATS: readonly TextFormat[] = ['lines', 'raw', 'auto'];

/** How many non-blank lines `auto` looks at. */
export const DETECT_LINES = 1000;

/** Splits `text` into sentences according to `format` (`auto` resolves through {@link detectFormat}). */
export function toSentences(text: string, format: TextFormat = 'auto'): string[] {
  const resolved = format === 'auto' ? detectFormat(text) : format;
  return resolved === 'lines' ? splitLines(text) : splitRawText(text);
}

/** One sentence per line: lines are trimmed, blank lines skipped. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (s) out.push(s);
  }
  return out;
}

/**
 * Sentence splitting of running text. Blank lines end paragraphs; inside a paragraph, line breaks
 * count as spaces (none between two CJK characters), control characters as spaces, and runs of
 * whitespace become one space.
 */
export function splitRawText(text: string): string[] {
  const out: string[] = [];
  const splitter = new SentenceSplitter();
  for (const line of text.split('\n')) splitter.push(line, out);
  splitter.end(out);
  return out;
}

/**
 * `auto` rule, over the first 1000 non-blank lines: `raw` when more than 10% of them hold a sentence
 * boundary inside the line (paragraph-per-line text), or when the text has sentence-final punctuation
 * but fewer than half of the lines end with it (wrapped prose); otherwise `lines`.
 */
export function detectFormat(text: string): 'lines' | 'raw' {
  const lines: string[] = [];
  for (let at = 0; at <= text.length && lines.length < DETECT_LINES;) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const s = text.slice(at, end).trim();
    if (s) lines.push(s);
    at = end + 1;
  }
  return detectFormatOfLines(lines);
}

/** {@link detectFormat}'s rule applied to the first non-blank lines, already trimmed. */
export function detectFormatOfLines(lines: readonly string[]): 'lines' | 'raw' {
  if (lines.length === 0) return 'lines';
  let multi = 0;
  let ending = 0;
  let anyFinal = false;
  for (const line of lines.slice(0, DETECT_LINES)) {
    if (splitParagraph(line.replace(/\s+/g, ' ')).length > 1) multi++;
    if (FINAL_AT_END.test(line)) ending++;
    if (!anyFinal && FINAL_ANYWHERE.test(line)) anyFinal = true;
  }
  if (multi > 0.1 * lines.length) return 'raw';
  if (anyFinal && ending < 0.5 * lines.length) return 'raw';
  return 'lines';
}

/**
 * The format `auto` resolves to for a file read as line batches, decided as {@link streamSentencesOfLines}
 * decides it (on the non-blank lines of the first batches holding at least 1000), reading no further.
 */
export async function resolveFormat(batches: AsyncIterable<readonly string[]>): Promise<'lines' | 'raw'> {
  const nonBlank: string[] = [];
  for await (const lines of batches) {
    for (const line of lines) {
      const s = line.trim();
      if (s) nonBlank.push(s);
    }
    if (nonBlank.length >= DETECT_LINES) return detectFormatOfLines(nonBlank);
  }
  return detectFormatOfLines(nonBlank);
}

/** Text gathered before the paragraph is searched for sentence ends again (at least). */
const SCAN_CHUNK = 1 << 12;

/**
 * Splits running text into sentences as its lines arrive, as {@link splitRawText} does to the whole
 * text. It holds the current paragraph only from the start of the sentence being read (plus a few
 * characters before it, for abbreviations), and searches each stretch of it once, so time and memory
 * stay linear however long the paragraph.
 */
export class SentenceSplitter {
  /** The paragraph so far, flattened, from some point before the sentence being read. */
  private text = '';
  /** Offset in `text` where the sentence being read starts. */
  private start = 0;
  /** Offset in `text` before which every sentence end has been found. */
  private scanned = 0;
  /** Search again once `text` is this long. */
  private nextScan = SCAN_CHUNK;
  /** The last UTF-16 unit of the paragraph ('' at its start), which decides how the next line joins. */
  private last = '';

  /** Adds one line (without its line break); sentences it completes are appended to `out`. */
  push(line: string, out: string[]): void {
    if (/^\s*$/.test(line)) {
      this.endParagraph(out);
      return;
    }
    const flat = line
      .replace(/\p{Cc}/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (!flat) return;
    if (this.last === '') this.text += flat;
    else this.text += CJK.test(this.last) && CJK.test(flat[0]) ? flat : ' ' + flat;
    this.last = flat[flat.length - 1];
    if (this.text.length >= this.nextScan) this.scan(out);
  }

  /** Ends the text: the sentences still held are appended to `out`. */
  end(out: string[]): void {
    this.endParagraph(out);
  }

  /** Cuts the sentences whose end can no longer change, then drops the text before them. */
  private scan(out: string[]): void {
    const limit = settledUpTo(this.text, this.scanned);
    this.emit(sentenceEnds(this.text, this.scanned, limit), out);
    const drop = Math.min(this.start, Math.max(0, limit - LOOK_BEHIND));
    this.text = this.text.slice(drop);
    this.start -= drop;
    this.scanned = limit - drop;
    this.nextScan = this.text.length + Math.max(SCAN_CHUNK, this.text.length - this.start);
  }

  private endParagraph(out: string[]): void {
    if (this.last === '') return;
    this.emit(sentenceEnds(this.text, this.scanned), out);
    const rest = this.text.slice(this.start).trim();
    if (rest) out.push(rest);
    this.text = '';
    this.start = this.scanned = 0;
    this.nextScan = SCAN_CHUNK;
    this.last = '';
  }

  private emit(cuts: readonly number[], out: string[]): void {
    for (const cut of cuts) {
      const s = this.text.slice(this.start, cut).trim();
      if (s) {
        out.push(s);
        this.start = cut;
      }
    }
  }
}

/**
 * Sentences of text that arrives as batches of lines (without their line breaks), in batches as they
 * complete. `auto` decides on the first 1000 non-blank lines, held until then.
 */
export async function* streamSentencesOfLines(
  batches: AsyncIterable<readonly string[]>,
  format: TextFormat = 'auto',
): AsyncGenerator<string[]> {
  let resolved: 'lines' | 'raw' | undefined = format === 'auto' ? undefined : format;
  const held: string[] = [];
  let nonBlank: string[] = [];
  const splitter = new SentenceSplitter();
  const split = (lines: readonly string[]): string[] => {
    const out: string[] = [];
    if (resolved === 'lines') {
      for (const line of lines) {
        const s = line.trim();
        if (s) out.push(s);
      }
    } else for (const line of lines) splitter.push(line, out);
    return out;
  };
  for await (const lines of batches) {
    if (resolved === undefined) {
      for (const line of lines) {
        held.push(line);
        const s = line.trim();
        if (s) nonBlank.push(s);
      }
      if (nonBlank.length < DETECT_LINES) continue;
      resolved = detectFormatOfLines(nonBlank);
      nonBlank = [];
      const out = split(held.splice(0));
      if (out.length) yield out;
      continue;
    }
    const out = split(lines);
    if (out.length) yield out;
  }
  resolved ??= detectFormatOfLines(nonBlank);
  const out = split(held);
  if (resolved === 'raw') splitter.end(out);
  if (out.length) yield out;
}
