/**
 * Sorted runs on disk, as lmplz spills them: when the counts no longer fit the memory allowed, they are
 * sorted into suffix order and written to a temporary file; at the end the runs are merged (k-way, equal
 * n-grams' counts added), in several passes when there are more runs than read buffers fit in memory.
 *
 * A record is N word ids then a count, N + 1 little-endian int32s; a run holds records in suffix order
 * with no n-gram twice.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Receives merged records: block[0 … m·(N+1)), in suffix order, each n-gram once. */
export type RecordSink = (block: Int32Array, m: number) => void;

/** Writes the records of `table` (stride N + 1) numbered by `rows` to `path`, in that order. */
export function writeRun(
  path: string,
  order: number,
  table: Int32Array,
  rows: Int32Array,
  chunkRecords = 1 << 14,
): void {
  const stride = order + 1;
  const chunk = new Int32Array(Math.min(chunkRecords, Math.max(1, rows.length)) * stride);
  const fd = openSync(path, 'w');
  try {
    let k = 0;
    for (let i = 0; i < rows.length; i++) {
      for (let p = 0, base = rows[i] * stride; p < stride; p++) chunk[k++] = table[base + p];
      if (k === chunk.length) {
        writeAll(fd, chunk, k);
        k = 0;
      }
    }
    if (k) writeAll(fd, chunk, k);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Int32Array, ints: number): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, ints * 4);
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** Reads one run a buffer at a time. */
class RunReader {
  private readonly fd: number;
  readonly buf: Int32Array;
  /** Int offset of the current record in buf. */
  at = 0;
  private end = 0;
  done = false;

  constructor(
    readonly path: string,
    private readonly stride: number,
    records: number,
  ) {
    this.fd = openSync(path, 'r');
    this.buf = new Int32Array(records * stride);
    this.fill();
  }

  /** Moves to the next record; false at the end of the run. */
  next(): boolean {
    this.at += this.stride;
    if (this.at >= this.end) this.fill();
    return !this.done;
  }

  private fill(): void {
    const bytes = new Uint8Array(this.buf.buffer);
    let got = 0;
    for (;;) {
      const n = readSync(this.fd, bytes, got, bytes.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === bytes.length) break;
    }
    if (got % (this.stride * 4) !== 0) throw new Error(`${this.path}: a spilled run ends mid-record`);
    this.at = 0;
    this.end = got / 4;
    if (got === 0) this.close();
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    closeSync(this.fd);
  }
}

/** Suffix-order comparison of the current records of two readers. */
function less(a: RunReader, b: RunReader, order: number): boolean {
  const x = a.buf;
  const y = b.buf;
  for (let p = order - 1; p >= 0; p--) {
    const d = x[a.at + p] - y[b.at + p];
    if (d !== 0) return d < 0;
  }
  return false;
}

/**
 * Merges the runs at `paths` (each in suffix order) into `sink`, adding the counts of equal n-grams;
 * reads `bufferRecords` records per run at a time and hands out blocks of as many.
 */
export function mergeRuns(paths: string[], order: number, bufferRecords: number, sink: RecordSink): void {
  const stride = order + 1;
  const readers: RunReader[] = [];
  try {
    for (const p of paths) {
      const r = new RunReader(p, stride, bufferRecords);
      if (!r.done) readers.push(r);
    }
    // A binary min-heap of readers by their current record.
    const heap = readers.slice();
    const down = (i: number): void => {
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) return;
        const c = l + 1 < n && less(heap[l + 1], heap[l], order) ? l + 1 : l;
        if (!less(heap[c], heap[i], order)) return;
        const t = heap[c];
        heap[c] = heap[i];
        heap[i] = t;
        i = c;
      }
    };
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    const out = new Int32Array(bufferRecords * stride);
    let m = 0; // records in out; the last one may still grow by equal n-grams
    while (heap.length) {
      const top = heap[0];
      const src = top.buf;
      const at = top.at;
      let same = m > 0;
      if (same) {
        const last = (m - 1) * stride;
        for (let p = order - 1; p >= 0; p--) {
          if (out[last + p] !== src[at + p]) {
            same = false;
            break;
          }
        }
      }
      if (same) {
        out[m * stride - 1] += src[at + order];
      } else {
        if (m === bufferRecords) {
          sink(out, m);
          m = 0;
        }
        for (let p = 0, o = m * stride; p < stride; p++) out[o + p] = src[at + p];
        m++;
      }
      if (top.next()) {
        down(0);
      } else {
        const last = heap.pop() as RunReader;
        if (heap.length) {
          heap[0] = last;
          down(0);
        }
      }
    }
    if (m) sink(out, m);
  } finally {
    for (const r of readers) r.close();
  }
}

/**
 * Merges runs until at most `fanIn` remain, `fanIn` at a time, into new runs in `dir` (each merged run
 * deleted once read); returns the paths left.
 */
export function reduceRuns(
  paths: string[],
  order: number,
  fanIn: number,
  bufferRecords: number,
  dir: string,
  name: () => string,
): string[] {
  let runs = paths;
  const stride = order + 1;
  while (runs.length > fanIn) {
    const group = runs.slice(0, fanIn);
    const path = join(dir, name());
    const fd = openSync(path, 'w');
    try {
      mergeRuns(group, order, bufferRecords, (block, m) => writeAll(fd, block, m * stride));
    } finally {
      closeSync(fd);
    }
    for (const p of group) unlinkSync(p);
    runs = [...runs.slice(fanIn), path];
  }
  return runs;
}
