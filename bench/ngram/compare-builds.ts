/**
 * Old against new on a shared machine: runs the scoring worker (`worker.js query`, model load included)
 * of two lmkit builds in turn, N rounds, and prints each side's best and median tokens/s (wall clock and
 * per CPU second) and the ratios. Each build scores its own model file (e.g. one per binary format).
 *
 *   node dist/bench/ngram/compare-builds.js --rounds 5 --text all.txt \
 *     OLD_DIST/bench/ngram/worker.js OLD.bin NEW_DIST/bench/ngram/worker.js NEW.bin
 */
import { execFileSync } from 'node:child_process';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  return argv.splice(i, 2)[1];
};
const rounds = Number(flag('rounds', '5'));
const text = flag('text', '');
const [oldWorker, oldModel, newWorker, newModel] = argv;
if (!text || !newModel) {
  console.error(
    'usage: compare-builds.js [--rounds N] --text TEXT OLD_WORKER OLD_MODEL NEW_WORKER NEW_MODEL',
  );
  process.exit(2);
}

interface Run {
  tokens_per_second: number;
  tokens: number;
  cpu_seconds?: number;
  load_seconds: number;
  perplexity: number;
}

function query(worker: string, model: string): Run {
  const out = execFileSync(process.execPath, [worker, 'query', model, text], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string) as Run;
}

const sides = { old: [] as Run[], new: [] as Run[] };
for (let r = 0; r < rounds; r++) {
  sides.old.push(query(oldWorker, oldModel));
  sides.new.push(query(newWorker, newModel));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stats = (runs: Run[]) => {
  const wall = runs.map((r) => r.tokens_per_second);
  const cpu = runs.map((r) => (r.cpu_seconds ? r.tokens / r.cpu_seconds : NaN));
  return {
    wallBest: Math.max(...wall),
    wallMedian: median(wall),
    cpuBest: Math.max(...cpu),
    cpuMedian: median(cpu),
    loadMedian: median(runs.map((r) => r.load_seconds)),
    perplexity: runs[0].perplexity,
    wall,
  };
};
const o = stats(sides.old);
const n = stats(sides.new);
const m = (x: number) => `${(x / 1e6).toFixed(2)}M`;
for (const [name, s] of [
  ['old', o],
  ['new', n],
] as const) {
  console.log(
    `${name}: wall best ${m(s.wallBest)} median ${m(s.wallMedian)} tok/s (${s.wall.map(m).join(', ')}); ` +
      `per CPU second best ${m(s.cpuBest)} median ${m(s.cpuMedian)}; load median ${s.loadMedian.toFixed(3)} s; perplexity ${s.perplexity}`,
  );
}
console.log(
  `new/old: wall best ${(n.wallBest / o.wallBest).toFixed(2)}x, median ${(n.wallMedian / o.wallMedian).toFixed(2)}x; ` +
    `CPU best ${(n.cpuBest / o.cpuBest).toFixed(2)}x, median ${(n.cpuMedian / o.cpuMedian).toFixed(2)}x`,
);
