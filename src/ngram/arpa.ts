/**
 * ARPA back-off files, as written by KenLM and SRILM:
 *
 *   \data\                      (lines before it starting with # are comments; lmkit keeps its metadata there)
 *   ngram 1=<count> ...
 *   \1-grams:
 *   <log10 p>\t<w>\t<log10 backoff>      backoff column below the top order only, 0 when absent
 *   ...
 *   \end\
 *
 * The reader accepts SRILM's conventions: −99 as log10 0 (e.g. for `<s>`), missing backoffs, and
 * pruned n-grams whose context is missing (added with their backed-off probability, as KenLM does).
 * It rejects, with the line number, what neither tool would write.
 */
import { LmkitError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { shortestFloat32 } from '../util/float-format.js';
import { BackoffModel, type ModelInfo } from './backoff-model.js';
import { ByteVocabulary } from './byte-vocabulary.js';
import { ioAddon } from '../util/io-addon.js';
import { NGramTable } from './ngram-table.js';
import { ProbingIndex } from './probing-index.js';
import { BOS_WORD, EOS_WORD, NGramVocabulary, UNK_WORD } from './vocabulary.js';

/** log10 values at or below this are SRILM's way of writing log10 0. */
const LOG_ZERO = -99;

/** Writes `model` as an ARPA file at `path` (atomically). */
export function writeArpa(model: BackoffModel, path: string): void {
  writeFileAtomic(path, arpaChunks(model));
}

/** The ARPA text of a model, as chunks of UTF-8 bytes (no per-line strings: models have millions of lines). */
export function* arpaChunks(model: BackoffModel): Generator<Uint8Array> {
  const { order } = model;
  const words = model.vocab.words.map((w) => Buffer.from(w, 'utf8'));
  const longest = words.reduce((m, w) => Math.max(m, w.length), 0);
  const sink = new ByteSink(Math.max(1 << 20, 4 * order * (longest + 1) + 256));
  let head = `# lmkit ${JSON.stringify(model.info)}\n\\data\\\n`;
  for (let n = 1; n <= order; n++) head += `ngram ${n}=${model.size(n)}\n`;
  sink.text(head);
  const ids = new Int32Array(order);
  for (let n = 1; n <= order; n++) {
    sink.text(`\n\\${n}-grams:\n`);
    const lp = model.logProb[n];
    const bo = model.backoff[n];
    const hasBackoff = n < order;
    const roomNeeded = n * (longest + 1) + 64;
    for (let r = 0; r < model.size(n); r++) {
      if (sink.free() < roomNeeded) yield sink.take();
      // Walk the prefix rows down to the unigram to recover the words of this n-gram.
      let row = r;
      for (let k = n - 1; k >= 1; k--) {
        const t = model.tables[k + 1];
        ids[k] = t.word[row];
        row = t.prefix[row];
      }
      ids[0] = row;
      sink.text(fmt(lp[r]));
      for (let k = 0; k < n; k++) {
        sink.byte(k === 0 ? TAB : SPACE);
        sink.bytes(words[ids[k]]);
      }
      if (hasBackoff) {
        sink.byte(TAB);
        sink.text(fmt(bo[r]));
      }
      sink.byte(NEWLINE);
    }
  }
  sink.text('\n\\end\\\n');
  yield sink.take();
}

const TAB = 9;
const SPACE = 32;
const NEWLINE = 10;

/** A growable run of bytes handed out in chunks. */
class ByteSink {
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  free(): number {
    return this.buf.length - this.pos;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  bytes(b: Buffer): void {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  text(s: string): void {
    if (s.length * 3 > this.free()) this.grow(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.size);
    this.pos = 0;
    return out;
  }

  private grow(extra: number): void {
    const b = Buffer.allocUnsafe(this.buf.length + extra);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }
}

function fmt(v: number): string {
  return v <= LOG_ZERO || v === -Infinity ? '-99' : shortestFloat32(v);
}

/** Parses ARPA text (a string or UTF-8 bytes) into a backoff model; `name` is used in error messages. */
export function parseArpa(text: string | Uint8Array, name = 'ARPA'): BackoffModel {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const lines: LineReader = new LineReader(bytes, name);
  let info: ModelInfo = { estimator: 'arpa', level: 'word' };

  // Header comments (KenLM allows lines starting with #), then \data\.
  let line = lines.next();
  while (line !== undefined && (line.trim() === '' || line.startsWith('#'))) {
    const meta = /^# lmkit (\{.*\})\s*$/.exec(line);
    if (meta) info = parseInfo(meta[1]) ?? info;
    line = lines.next();
  }
  if (line === undefined) lines.fail('the file is empty; expected an ARPA model starting with \\data\\');
  if (line.trim() !== '\\data\\') lines.fail(`expected \\data\\, found ${JSON.stringify(line.slice(0, 40))}`);

  const counts: number[] = [];
  for (line = lines.next(); line !== undefined && line.trim() !== ''; line = lines.next()) {
    const m = /^ngram\s+(\d+)\s*=\s*(\d+)\s*$/.exec(line.trim());
    if (!m) lines.fail(`expected "ngram N=count", found ${JSON.stringify(line.slice(0, 40))}`);
    const n = Number(m[1]);
    if (n !== counts.length + 1)
      lines.fail(`expected the count of ${counts.length + 1}-grams, found ${n}-grams`);
    counts.push(Number(m[2]));
  }
  const order = counts.length;
  if (order === 0) lines.fail('no "ngram N=count" lines after \\data\\');
  // An n-gram line takes at least 2n + 1 bytes: a count beyond that is damage, not a reason to allocate.
  counts.forEach((count, i) => {
    if (!Number.isSafeInteger(count) || count * (2 * i + 3) > bytes.length)
      lines.fail(
        `the header declares ${count} ${i + 1}-grams, more than a file of ${bytes.length} bytes can hold`,
      );
  });

  const native = readBodyNatively(bytes, lines.offset, counts, info);
  if (native) return native;

  const vocab = new NGramVocabulary();
  const model = new BackoffModel(order, vocab, [], [], [], info);
  model.tables.push(new NGramTable(1), new NGramTable(1));
  model.logProb.push(new Float32Array(0), new Float32Array(Math.max(3, counts[0])));
  model.backoff.push(new Float32Array(0), new Float32Array(order > 1 ? Math.max(3, counts[0]) : 0));
  for (let n = 2; n <= order; n++) {
    model.tables.push(new NGramTable(counts[n - 1]));
    model.logProb.push(new Float32Array(counts[n - 1]));
    model.backoff.push(new Float32Array(n < order ? counts[n - 1] : 0));
  }
  const seenSpecial = new Uint8Array(3);

  for (let n = 1; n <= order; n++) {
    line = lines.nextNonEmpty();
    if (line === undefined) lines.fail(`the file ends before the \\${n}-grams: section (truncated?)`);
    if (line.trim() !== `\\${n}-grams:`)
      lines.fail(`expected \\${n}-grams:, found ${JSON.stringify(line.slice(0, 40))}`);
    const declared = counts[n - 1];
    const hasBackoff = n < order;
    const words = n === 1 ? undefined : new ByteVocabulary(vocab);
    const ids = new Array<number>(n);
    for (let i = 0; i < declared; i++) {
      if (!lines.advance()) lines.fail(`the file ends after ${i} of ${declared} ${n}-grams (truncated?)`);
      if (lines.isBlank() || lines.startsWithBackslash()) {
        lines.fail(`found ${i} ${n}-grams where the header declares ${declared}`);
      }
      // Fields: log10 p, n words, optional backoff; separated by tabs or spaces.
      const p = lines.number('probability');
      if (p > 0) lines.fail(`log10 probability ${lines.lastField()} is positive`);
      let row: number;
      if (words === undefined) {
        const w = lines.word();
        if (w === undefined) lines.fail('expected a log10 probability and a word');
        const special = w === UNK_WORD || w === BOS_WORD || w === EOS_WORD;
        if (!special && vocab.lookup(w) !== undefined)
          lines.fail(`unigram ${JSON.stringify(w)} is listed twice`);
        row = special ? vocab.idOf(w) : vocab.add(w);
        if (special) seenSpecial[row] = 1;
      } else {
        for (let k = 0; k < n; k++) {
          const id = lines.wordId(words);
          if (id === -2) lines.fail(`expected a log10 probability and ${n} words`);
          if (id < 0)
            lines.fail(
              `word ${JSON.stringify(lines.lastField())} of a ${n}-gram is missing from the unigrams`,
            );
          ids[k] = id;
        }
        const table = model.tables[n];
        const before = table.size;
        row = table.findOrInsert(contextRow(model, ids), ids[n - 1]);
        if (table.size === before) lines.fail(`${n}-gram "${lines.fieldsText(1, n)}" is listed twice`);
      }
      let b = 0;
      if (lines.hasMoreFields()) {
        b = lines.number('backoff');
        if (!hasBackoff && b !== 0) lines.fail(`non-zero backoff ${lines.lastField()} at the top order ${n}`);
        if (lines.hasMoreFields()) lines.fail(`too many fields for a ${n}-gram`);
      }
      setEntry(model, n, row, p, b);
    }
    // A special token the file leaves out can never occur (SRILM may omit <unk>: OOVs then get probability 0).
    for (let id = 0; n === 1 && id < 3; id++) if (!seenSpecial[id]) model.logProb[1][id] = -Infinity;
  }
  line = lines.nextNonEmpty();
  if (line === undefined) lines.fail('the file ends without \\end\\ (truncated?)');
  if (line.trim() !== '\\end\\')
    lines.fail(`expected \\end\\ after the ${order}-grams, found ${JSON.stringify(line.slice(0, 40))}`);
  for (let n = 1; n <= order; n++) {
    const size = model.size(n);
    model.logProb[n] = model.logProb[n].slice(0, size);
    if (n < order) model.backoff[n] = model.backoff[n].slice(0, size);
    if (n > 1) model.tables[n].compact();
  }
  model.missingContextBackoff = missingContextBackoff(info);
  return model;
}

/** Stupid backoff's log10 α for unseen contexts, from lmkit's metadata; 0 for every other model. */
function missingContextBackoff(info: ModelInfo): number {
  return info.estimator === 'stupid' && typeof info.details?.alpha === 'number'
    ? Math.log10(info.details.alpha)
    : 0;
}

/**
 * The n-gram sections read by the lmkit_io addon (native/arpa.cc) straight into a probing index, when it
 * is built and the file is the common case (every context listed, no duplicates, plain numbers); else
 * undefined, and the TypeScript reader reads the file (and names what is wrong with it).
 */
function readBodyNatively(
  bytes: Uint8Array,
  from: number,
  counts: number[],
  info: ModelInfo,
): BackoffModel | undefined {
  const read = process.env.LMKIT_NO_NATIVE_NGRAM === '1' ? undefined : ioAddon()?.ngramReadArpa;
  if (!read) return undefined;
  const order = counts.length;
  const layout = ProbingIndex.layoutFor(order, counts);
  const geometry = [order];
  for (let n = 1; n <= order; n++)
    geometry.push(counts[n - 1], layout.base[n] ?? 0, layout.capacity[n] ?? 0, layout.stride[n] ?? 0);
  const body = read(bytes, from, Float64Array.from(geometry));
  if (!body) return undefined;
  const [words, unigram, slots] = body;
  const size = unigram.length / 2;
  const vocab = NGramVocabulary.fromBytes(words.subarray(0, words.length - 1), size);
  const index = new ProbingIndex(
    order,
    unigram,
    slots,
    ProbingIndex.layoutFor(order, [size, ...counts.slice(1)]),
  );
  index.missingContextBackoff = missingContextBackoff(info);
  return BackoffModel.fromIndex(vocab, index, info);
}

/** Stores one entry's values, growing the columns when synthesized contexts pushed past the header's count. */
function setEntry(model: BackoffModel, n: number, row: number, log10p: number, log10b: number): void {
  if (row >= model.logProb[n].length) {
    model.logProb[n] = grow(model.logProb[n], row + 1);
    if (n < model.order) model.backoff[n] = grow(model.backoff[n], row + 1);
  }
  model.logProb[n][row] = log10p;
  if (n < model.order) model.backoff[n][row] = log10b;
}

/**
 * The row of the context w1..w(n-1) of an n-gram, one order down. SRILM-pruned files may lack a
 * context; it is then added with the probability backoff gives it and backoff 0, so scores are unchanged.
 */
function contextRow(model: BackoffModel, ids: number[]): number {
  let row = ids[0];
  for (let k = 2; k < ids.length; k++) {
    const next = model.tables[k].find(row, ids[k - 1]);
    if (next >= 0) {
      row = next;
      continue;
    }
    // Score w_k after w_1..w_(k-1) with what is read so far (the k-gram itself is not stored yet).
    const log10p = model.scoreNgram(ids.slice(0, k));
    row = model.tables[k].findOrInsert(row, ids[k - 1]);
    setEntry(model, k, row, log10p, 0);
  }
  return row;
}

function grow(a: Float32Array, size: number): Float32Array {
  const out = new Float32Array(Math.max(size, a.length * 2));
  out.set(a);
  return out;
}

function parseInfo(json: string): ModelInfo | undefined {
  try {
    const v = JSON.parse(json) as ModelInfo;
    if ((v.level === 'word' || v.level === 'char') && typeof v.estimator === 'string') return v;
  } catch {
    // not lmkit's metadata: treat as an ordinary comment
  }
  return undefined;
}

/**
 * Reads an ARPA file's bytes line by line, with line numbers for error messages. Header lines come out
 * as strings; n-gram lines are read field by field straight from the bytes (words looked up by their
 * bytes, numbers parsed without making strings), since a model has millions of them.
 */
class LineReader {
  private pos = 0;
  private lineStart = 0;
  private lineEnd = 0;
  private fieldStart = 0;
  private fieldEnd = 0;
  lineNo = 0;

  /** Byte offset of the next line. */
  get offset(): number {
    return this.pos;
  }

  constructor(
    private readonly bytes: Uint8Array,
    private readonly name: string,
  ) {}

  /** Moves to the next line; false at the end of the file. */
  advance(): boolean {
    const b = this.bytes;
    if (this.pos >= b.length) return false;
    let end = b.indexOf(NEWLINE, this.pos);
    if (end < 0) end = b.length;
    this.lineStart = this.pos;
    this.lineEnd = end > this.pos && b[end - 1] === CR ? end - 1 : end;
    this.fieldEnd = this.lineStart;
    this.pos = end + 1;
    this.lineNo++;
    return true;
  }

  /** The next line as a string, or undefined at the end of the file. */
  next(): string | undefined {
    return this.advance() ? this.text(this.lineStart, this.lineEnd) : undefined;
  }

  /** The next line that is not blank. */
  nextNonEmpty(): string | undefined {
    let line = this.next();
    while (line !== undefined && line.trim() === '') line = this.next();
    return line;
  }

  isBlank(): boolean {
    for (let i = this.lineStart; i < this.lineEnd; i++) if (!isSeparator(this.bytes[i])) return false;
    return true;
  }

  startsWithBackslash(): boolean {
    return this.bytes[this.lineStart] === BACKSLASH;
  }

  /** Whether another field follows on this line. */
  hasMoreFields(): boolean {
    let i = this.fieldEnd;
    while (i < this.lineEnd && isSeparator(this.bytes[i])) i++;
    return i < this.lineEnd;
  }

  /** Reads the next field as a log10 value (−99 or below is log10 0); fails when it is not a finite number. */
  number(what: string): number {
    if (!this.nextField()) this.fail(`expected a log10 ${what}`);
    let v = parseDecimal(this.bytes, this.fieldStart, this.fieldEnd);
    if (Number.isNaN(v)) v = Number(this.lastField());
    if (!Number.isFinite(v)) this.fail(`${what} ${JSON.stringify(this.lastField())} is not a finite number`);
    return v <= LOG_ZERO ? -Infinity : v;
  }

  /** Reads the next field as a string, or undefined when the line has no more fields. */
  word(): string | undefined {
    return this.nextField() ? this.lastField() : undefined;
  }

  /** Reads the next field and looks it up by its bytes: its id, -1 when unknown, -2 when the line ended. */
  wordId(words: ByteVocabulary): number {
    if (!this.nextField()) return -2;
    return words.find(this.bytes, this.fieldStart, this.fieldEnd);
  }

  /** The field just read, as a string. */
  lastField(): string {
    return this.text(this.fieldStart, this.fieldEnd);
  }

  /** Fields first..last (1-based) of the current line, joined by spaces. */
  fieldsText(first: number, last: number): string {
    return this.text(this.lineStart, this.lineEnd)
      .split(/[\t ]+/)
      .filter((f) => f !== '')
      .slice(first, last + 1)
      .join(' ');
  }

  fail(message: string): never {
    throw new LmkitError(`${this.name}:${this.lineNo}: ${message}`, {
      hint: 'is this a complete ARPA file?',
    });
  }

  private nextField(): boolean {
    const b = this.bytes;
    let i = this.fieldEnd;
    while (i < this.lineEnd && isSeparator(b[i])) i++;
    if (i >= this.lineEnd) return false;
    let j = i + 1;
    while (j < this.lineEnd && !isSeparator(b[j])) j++;
    this.fieldStart = i;
    this.fieldEnd = j;
    return true;
  }

  private text(from: number, to: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + from, to - from).toString('utf8');
  }
}

const CR = 13;
const BACKSLASH = 92;
const isSeparator = (c: number) => c === SPACE || c === TAB;

/**
 * A plain decimal like -2.485738 or -1.2e-07 parsed from bytes, exactly as Number() would (at most 15
 * significant digits and an exponent within float64's exact powers of ten); NaN for anything else.
 */
function parseDecimal(b: Uint8Array, from: number, to: number): number {
  let i = from;
  let negative = false;
  if (b[i] === 45 /* - */ || b[i] === 43 /* + */) negative = b[i++] === 45;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let seenDigit = false;
  for (; i < to && b[i] >= 48 && b[i] <= 57; i++, seenDigit = true) {
    if (mantissa > 0 || b[i] !== 48) digits++;
    mantissa = mantissa * 10 + (b[i] - 48);
  }
  if (i < to && b[i] === 46 /* . */) {
    for (i++; i < to && b[i] >= 48 && b[i] <= 57; i++, seenDigit = true) {
      if (mantissa > 0 || b[i] !== 48) digits++;
      mantissa = mantissa * 10 + (b[i] - 48);
      scale--;
    }
  }
  if (!seenDigit || digits > 15) return NaN;
  if (i < to && (b[i] === 101 || b[i] === 69) /* e E */) {
    i++;
    let expNegative = false;
    if (b[i] === 45 || b[i] === 43) expNegative = b[i++] === 45;
    let exp = 0;
    const start = i;
    for (; i < to && b[i] >= 48 && b[i] <= 57 && exp < 1000; i++) exp = exp * 10 + (b[i] - 48);
    if (i === start) return NaN;
    scale += expNegative ? -exp : exp;
  }
  if (i !== to || scale < -22 || scale > 22) return NaN;
  const v = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
  return negative ? -v : v;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact in float64
