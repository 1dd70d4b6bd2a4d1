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
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { LmkitError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { shortestFloat32 } from '../util/float-format.js';
import { BackoffModel, ScoreState, type ModelInfo } from './backoff-model.js';
import { NGramTable } from './ngram-table.js';
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

/** Reads an ARPA file (plain or gzip) into a backoff model. */
export function readArpa(path: string): BackoffModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new LmkitError(`cannot read model ${path}: ${(err as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return parseArpa(bytes.toString('utf8'), path);
}

/** Parses ARPA text into a backoff model; `name` is used in error messages. */
export function parseArpa(text: string, name = 'ARPA'): BackoffModel {
  const lines: LineReader = new LineReader(text, name);
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
    for (let i = 0; i < declared; i++) {
      line = lines.next();
      if (line === undefined) lines.fail(`the file ends after ${i} of ${declared} ${n}-grams (truncated?)`);
      if (line.trim() === '' || line.startsWith('\\'))
        lines.fail(`found ${i} ${n}-grams where the header declares ${declared}`);
      const fields = line.split(/[\t ]+/).filter((f) => f !== '');
      if (fields.length !== n + 1 && fields.length !== n + 2) {
        lines.fail(
          `expected a log10 probability, ${n} word(s)${hasBackoff ? ' and an optional backoff' : ''}`,
        );
      }
      const p = parseLog(fields[0], lines, 'probability');
      if (p > 0) lines.fail(`log10 probability ${fields[0]} is positive`);
      let b = 0;
      if (fields.length === n + 2) {
        b = parseLog(fields[n + 1], lines, 'backoff');
        if (!hasBackoff && b !== 0) lines.fail(`non-zero backoff ${fields[n + 1]} at the top order ${n}`);
      }
      let row: number;
      if (n === 1) {
        const w = fields[1];
        const special = w === UNK_WORD || w === BOS_WORD || w === EOS_WORD;
        if (!special && vocab.lookup(w) !== undefined)
          lines.fail(`unigram ${JSON.stringify(w)} is listed twice`);
        row = special ? vocab.idOf(w) : vocab.add(w);
        if (special) seenSpecial[row] = 1;
      } else {
        const ids = fields.slice(1, n + 1).map((w) => {
          const id = vocab.lookup(w);
          if (id === undefined)
            lines.fail(`word ${JSON.stringify(w)} of a ${n}-gram is missing from the unigrams`);
          return id;
        });
        const table = model.tables[n];
        const before = table.size;
        row = table.findOrInsert(contextRow(model, ids), ids[n - 1]);
        if (table.size === before)
          lines.fail(`${n}-gram "${fields.slice(1, n + 1).join(' ')}" is listed twice`);
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
  if (info.estimator === 'stupid' && typeof info.details?.alpha === 'number') {
    model.missingContextBackoff = Math.log10(info.details.alpha);
  }
  return model;
}

function parseLog(field: string, lines: LineReader, what: string): number {
  const v = Number(field);
  if (!Number.isFinite(v)) lines.fail(`${what} ${JSON.stringify(field)} is not a finite number`);
  return v <= LOG_ZERO ? -Infinity : v;
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
    const sofar = new BackoffModel(k, model.vocab, model.tables, model.logProb, model.backoff, model.info);
    const state = new ScoreState(k);
    for (let j = 0; j < k - 1; j++) sofar.advance(state, ids[j], state);
    const log10p = sofar.score(state, ids[k - 1], new ScoreState(k));
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

/** Iterates lines with their numbers, for error messages. */
class LineReader {
  private pos = 0;
  lineNo = 0;

  constructor(
    private readonly text: string,
    private readonly name: string,
  ) {}

  next(): string | undefined {
    if (this.pos >= this.text.length) return undefined;
    let end = this.text.indexOf('\n', this.pos);
    if (end < 0) end = this.text.length;
    let line = this.text.slice(this.pos, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.pos = end + 1;
    this.lineNo++;
    return line;
  }

  nextNonEmpty(): string | undefined {
    let line = this.next();
    while (line !== undefined && line.trim() === '') line = this.next();
    return line;
  }

  fail(message: string): never {
    throw new LmkitError(`${this.name}:${this.lineNo}: ${message}`, {
      hint: 'is this a complete ARPA file?',
    });
  }
}
