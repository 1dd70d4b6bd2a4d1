/**
 * The `lmkit_io` native addon (native/mmap.cc, native/ngram.cc): file mapping and n-gram scoring from
 * text bytes. It needs no BLAS and loads in about a millisecond; null when it is not built (lmkit then
 * reads files and scores in TypeScript), when `LMKIT_NO_MMAP=1`, or when the build is stale or foreign.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

/** What the addon exports (a build older than native/ngram.cc lacks the n-gram functions). */
export interface IoAddon {
  mapFile(path: string): ArrayBuffer;
  ngramVocabIndex?(bytes: Uint8Array, size: number): Int32Array | null;
  ngramReadArpa?(
    text: Uint8Array,
    from: number,
    geometry: Float64Array,
  ): [vocab: Uint8Array, unigram: Float32Array, slots: Int32Array] | null;
  ngramScoreText?(
    vocabBytes: Uint8Array,
    vocabIndex: Int32Array,
    unigram: Float32Array,
    slots: Int32Array,
    geometry: Float64Array,
    text: Uint8Array,
    from: number,
    to: number,
    mode: number,
    split: number,
    totals: Float64Array,
    perToken: Float64Array | null,
  ): number;
}

let addon: IoAddon | null | undefined;

/** The addon, loaded on first use; null when it is not available. */
export function ioAddon(): IoAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.LMKIT_NO_MMAP === '1') return addon;
  try {
    const file = join(packageRoot(), 'build', 'Release', 'lmkit_io.node');
    if (existsSync(file)) addon = createRequire(import.meta.url)(file) as IoAddon;
  } catch {
    addon = null; // a stale or foreign build: fall back to TypeScript
  }
  return addon;
}
