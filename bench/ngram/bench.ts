/**
 * N-gram benchmark: Kneser-Ney build time and peak memory, model load and scoring throughput at
 * orders 3 and 5 on Brown (mod10 split, lowercased: 1.05M training tokens), and the same work done by
 * NLTK's KneserNeyInterpolated in the same command, with the speed ratios.
 *
 *   npm run build && node dist/bench/ngram/bench.js [--orders 3,5] [--repeat 3] [--no-nltk] [--keep]
 *
 * KenLM (not installable here) measured on this machine: lmplz order 5 in 2.9–3.5 s with 87 MB RSS,
 * order 3 in 1.6–2.1 s; query 2.7M tokens/s (order 5) to 4.2M tokens/s (order 3), load included.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSentences } from '../../src/data/load.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const orders = flag('orders', '3,5').split(',').map(Number);
const repeat = Number(flag('repeat', '3'));
const withNltk = !argv.includes('--no-nltk');
const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
const passes = fileURLToPath(new URL('./score-passes.js', import.meta.url));
// The peer script stays in the source tree: found from the working directory (the repository root, as
// documented above), or beside the build when run from dist/.
const nltk = [
  join(process.cwd(), 'bench/ngram/nltk_kn.py'),
  fileURLToPath(new URL('../../../bench/ngram/nltk_kn.py', import.meta.url)),
].find(existsSync) as string;

const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-ngram-'));
const files: Record<string, string> = {};
for (const split of ['train', 'test'] as const) {
  const s = await loadSentences('brown', { split, splitScheme: 'mod10', lowercase: true });
  files[split] = join(dir, `${split}.txt`);
  writeFileSync(files[split], s.join('\n') + '\n');
}
// The scoring text: the whole corpus (train then test), about 1.16M tokens.
files.all = join(dir, 'all.txt');
writeFileSync(files.all, (await loadSentences('brown', { lowercase: true })).join('\n') + '\n');
// Held-out text of the same size: the test split ten times over (about 1.21M tokens, 2% OOV).
files.heldOut = join(dir, 'held-out.txt');
writeFileSync(files.heldOut, readFileSync(files.test, 'utf8').repeat(10));

function run(cmd: string, args: string[]): Record<string, number> {
  return JSON.parse(
    execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 })
      .trim()
      .split('\n')
      .pop() as string,
  );
}

function best<T extends Record<string, number>>(runs: T[], key: keyof T): T {
  return runs.reduce((a, b) => (b[key] < a[key] ? b : a));
}

const rows: string[] = [];
const ratios: string[] = [];
for (const order of orders) {
  const bin = join(dir, `kn${order}.bin`);
  const arpa = join(dir, `kn${order}.arpa`);
  const builds = Array.from({ length: repeat }, () =>
    run(process.execPath, [worker, 'build', String(order), files.train, bin]),
  );
  const build = best(builds, 'seconds');
  const arpaBuild = run(process.execPath, [worker, 'build', String(order), files.train, arpa]);
  const queries = Array.from({ length: repeat }, () =>
    run(process.execPath, [worker, 'query', bin, files.all]),
  );
  const query = best(queries, 'seconds');
  const arpaQuery = run(process.execPath, [worker, 'query', arpa, files.all]);
  // A binary model is mapped as it is on disk (pages come in as scoring touches them), so its memory is its size.
  const bytesPerNgram = build.bytes / query.ngrams;
  const steadyIn = run(process.execPath, [passes, bin, files.all, '5']);
  const steadyOut = run(process.execPath, [passes, bin, files.heldOut, '5']);
  rows.push(
    `| lmkit | ${order} | ${build.seconds.toFixed(2)} s (${builds.map((b) => b.seconds.toFixed(2)).join(', ')}) | ${build.max_rss_mb.toFixed(0)} MB | ` +
      `${(query.tokens_per_second / 1e6).toFixed(2)}M tok/s (bin, load ${query.load_seconds.toFixed(2)} s) · ` +
      `${(arpaQuery.tokens_per_second / 1e6).toFixed(2)}M tok/s (ARPA, load ${arpaQuery.load_seconds.toFixed(2)} s) | ` +
      `${(steadyIn.best_tokens_per_second / 1e6).toFixed(2)}M / ${(steadyOut.best_tokens_per_second / 1e6).toFixed(2)}M tok/s | ` +
      `${query.ngrams} n-grams, ~${bytesPerNgram.toFixed(0)} B/n-gram in memory; .bin ${(build.bytes / 2 ** 20).toFixed(0)} MB, ARPA ${(arpaBuild.bytes / 2 ** 20).toFixed(0)} MB |`,
  );
  if (withNltk) {
    const peer = run('/usr/bin/python3', [
      nltk,
      '--train',
      files.train,
      '--test',
      files.test,
      '--order',
      String(order),
      '--max-words',
      '200',
      '--max-seconds',
      '30',
    ]);
    rows.push(
      `| NLTK KneserNeyInterpolated | ${order} | ${peer.fit_seconds.toFixed(2)} s (fit) | ${peer.max_rss_mb.toFixed(0)} MB | | ${peer.words_per_second.toFixed(1)} tok/s (held-out) | ${peer.words_scored} words scored |`,
    );
    ratios.push(
      `order ${order}: lmkit scores ${(query.tokens_per_second / peer.words_per_second).toExponential(2)}× as many tokens/s as NLTK; ` +
        `builds ${(peer.fit_seconds / build.seconds).toFixed(1)}× faster than NLTK's fit (which only counts: NLTK computes Kneser-Ney lazily at query time)`,
    );
  }
}

console.log(
  '| who | order | build (best of runs) | peak RSS (build) | scoring the whole corpus once, model load included | steady-state scoring, whole corpus / held-out | size |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
for (const r of ratios) console.log(r);
// the corpus copies and models (about 260 MB) go unless --keep asks to look at them
if (argv.includes('--keep')) console.log(`\nfiles kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
