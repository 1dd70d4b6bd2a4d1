/**
 * word2vec benchmark: lmkit's `embed train` against gensim 4.2's Word2Vec (Debian python3-gensim, its
 * C loop) in the same command, on the same one-sentence-per-line file with the same settings and the
 * same number of threads. Speed: words/s over the epochs (in-vocabulary words before subsampling,
 * vocabulary building excluded on both sides). Quality: the WordNet synonym ROC AUC of each run's
 * vectors (src/eval/word-similarity.ts), on the synonym pairs both vocabularies hold.
 * Each repeat trains both with seed = repeat number, lmkit then gensim; the table shows the best
 * words/s (wall clock) and words per CPU second (all threads), and the mean AUC.
 *
 *   npm run build && node dist/bench/embed/bench.js [--corpus brown|sotu] [--algos cbow,skipgram]
 *     [--threads 2] [--epochs 5] [--repeat 3] [--hs]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSentences } from '../../src/data/load.js';
import { readVectors } from '../../src/embed/vectors-file.js';
import { synonymAuc, wordnetSynsets } from '../../src/eval/word-similarity.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const corpusName = flag('corpus', 'brown');
const algos = flag('algos', 'cbow,skipgram').split(',');
const threads = Number(flag('threads', String(Math.min(2, availableParallelism()))));
const epochs = Number(flag('epochs', '5'));
const repeat = Number(flag('repeat', '3'));
const hs = argv.includes('--hs');
const root = [process.cwd(), fileURLToPath(new URL('../../..', import.meta.url))].find((r) =>
  existsSync(join(r, 'bench/embed/gensim_word2vec.py')),
) as string;
const lmkit = join(root, 'bin', 'lmkit.js');
const gensim = join(root, 'bench', 'embed', 'gensim_word2vec.py');

const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-embed-'));
const corpus = join(dir, `${corpusName}.txt`);
const sentences = await loadSentences(corpusName, { lowercase: true, tokenize: corpusName !== 'brown' });
writeFileSync(corpus, sentences.join('\n') + '\n');
const synsets = await wordnetSynsets(process.stderr);

function lastJson(out: string): Record<string, number> {
  return JSON.parse(out.trim().split('\n').pop() as string);
}

interface Run {
  wordsPerSecond: number;
  /** Words per CPU second (all threads): on a shared machine, less hostage to the other jobs. */
  wordsPerCpuSecond: number;
  seconds: number;
  words: number;
  vectors: string;
}

function runLmkit(sg: boolean, seed: number): Run {
  const vectors = join(dir, `lmkit-${sg ? 'sg' : 'cbow'}-${seed}.bin`);
  const args = [lmkit, 'embed', 'train', corpus, '--format', 'lines', '--out', vectors, '--json'];
  args.push('--algo', sg ? 'skipgram' : 'cbow', '--threads', String(threads), '--epochs', String(epochs));
  args.push('--seed', String(seed), ...(hs ? ['--hs', '--negative', '0'] : []));
  const r = lastJson(execFileSync(process.execPath, args, { encoding: 'utf8' }));
  return {
    wordsPerSecond: r.words_per_second,
    wordsPerCpuSecond: r.trained_words / r.train_cpu_seconds,
    seconds: r.train_seconds,
    words: r.trained_words,
    vectors,
  };
}

function runGensim(sg: boolean, seed: number): Run {
  const vectors = join(dir, `gensim-${sg ? 'sg' : 'cbow'}-${seed}.bin`);
  const args = [gensim, corpus, '--out', vectors, '--sg', sg ? '1' : '0', '--workers', String(threads)];
  args.push(
    '--epochs',
    String(epochs),
    '--seed',
    String(seed),
    ...(hs ? ['--hs', '1', '--negative', '0'] : []),
  );
  const r = lastJson(execFileSync('/usr/bin/python3', args, { encoding: 'utf8' }));
  return {
    wordsPerSecond: r.words_per_second,
    wordsPerCpuSecond: r.trained_words / r.train_cpu_seconds,
    seconds: r.train_seconds,
    words: r.trained_words,
    vectors,
  };
}

console.log(
  `corpus: ${corpusName} lowercased, ${sentences.length} sentences; ${epochs} epochs, ${threads} threads, ` +
    `${hs ? 'hierarchical softmax' : 'negative 5'}, other settings gensim's defaults; ${repeat} repeats (seeds 1..${repeat})\n`,
);
console.log(
  '| algo | who | words/s (best) | words per CPU-s (best) | train s (best) | WordNet synonym AUC (mean ± sd) | pairs |',
);
console.log('|---|---|---|---|---|---|---|');
for (const algo of algos) {
  const sg = algo === 'skipgram';
  const runs: { lmkit: Run; gensim: Run }[] = [];
  for (let seed = 1; seed <= repeat; seed++)
    runs.push({ lmkit: runLmkit(sg, seed), gensim: runGensim(sg, seed) });
  const stats: Record<string, { wps: number; cpu: number; secs: number; auc: number[]; pairs: number }> = {};
  for (const who of ['lmkit', 'gensim'] as const) {
    const auc: number[] = [];
    let pairs = 0;
    for (const r of runs) {
      const a = readVectors(r.lmkit.vectors);
      const b = readVectors(r.gensim.vectors);
      const kv = who === 'lmkit' ? a : b;
      const both = (w: string) => a.indexOf(w) !== undefined && b.indexOf(w) !== undefined;
      const s = synonymAuc(kv, synsets, both, 1);
      auc.push(s.auc);
      pairs = s.synonyms;
    }
    const best = runs.map((r) => r[who]).reduce((x, y) => (y.wordsPerSecond > x.wordsPerSecond ? y : x));
    const cpu = Math.max(...runs.map((r) => r[who].wordsPerCpuSecond));
    stats[who] = { wps: best.wordsPerSecond, cpu, secs: best.seconds, auc, pairs };
    const mean = auc.reduce((s, v) => s + v, 0) / auc.length;
    const sd = Math.sqrt(auc.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, auc.length - 1));
    console.log(
      `| ${algo} | ${who} | ${Math.round(best.wordsPerSecond).toLocaleString('en-US')} | ` +
        `${Math.round(cpu).toLocaleString('en-US')} | ${best.seconds.toFixed(2)} | ` +
        `${mean.toFixed(4)} ± ${sd.toFixed(4)} | ${pairs} |`,
    );
  }
  console.log(
    `| ${algo} | **lmkit / gensim** | **${(stats.lmkit.wps / stats.gensim.wps).toFixed(2)}×** | ` +
      `**${(stats.lmkit.cpu / stats.gensim.cpu).toFixed(2)}×** | | | |`,
  );
}
if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
