/**
 * N-gram estimation against KenLM's lmplz: each corpus is built to an ARPA file by `lmkit ngram train`
 * and by `lmplz -o N -S MEM` in the same command, rounds interleaved, and each build's wall time and peak
 * resident memory (GNU time's %M, the whole process) are printed with the ratios. Optionally a second
 * lmkit (`--base DIR`, e.g. a copy of main) runs too. KenLM is not needed by CI: this is a benchmark only.
 *
 *   node dist/bench/ngram/estimate.js --lmplz /tmp/kenlm/build/bin/lmplz --order 5 --rounds 3 \
 *     [--lmplz-args '--discount_fallback'] \
 *     [--memory 1G] [--lmkit-args '--memory 1G' ...] [--base /path/to/other/lmkit] CORPUS.txt ...
 *
 * Corpora: any text files, one sentence per line (make them with bench/ngram/make-corpora.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  return argv.splice(i, 2)[1];
};
const lmplz = flag('lmplz', '/tmp/kenlm/build/bin/lmplz');
const order = flag('order', '5');
const rounds = Number(flag('rounds', '3'));
const memory = flag('memory', '1G');
// Every 5-gram of a corpus repeated 10 times occurs 10 times: no adjusted count 1, so lmplz needs its
// fallback discounts (lmkit falls back by itself, with a warning, to the same 0.5, 1, 1.5).
const lmplzArgs = flag('lmplz-args', '--discount_fallback').split(' ').filter(Boolean);
// Each --lmkit-args value is one lmkit side (e.g. --lmkit-args '--memory 1G' --lmkit-args '--memory 16M').
const variants: string[][] = [];
for (let i = argv.indexOf('--lmkit-args'); i >= 0; i = argv.indexOf('--lmkit-args')) {
  variants.push(argv.splice(i, 2)[1].split(' ').filter(Boolean));
}
if (!variants.length) variants.push([]);
const base = flag('base', '');
const lmkit = fileURLToPath(new URL('../../../bin/lmkit.js', import.meta.url));
const corpora = argv;
if (!corpora.length) {
  console.error('usage: estimate.js [--lmplz PATH] [--order N] [--rounds R] [--memory 1G] CORPUS...');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-estimate-'));

interface Run {
  seconds: number;
  maxRssMb: number;
  bytes: number;
}

/** Runs `cmd` under GNU time, stdin from `input` when given; returns wall seconds and peak RSS. */
function timed(cmd: string, args: string[], out: string, input?: string): Run {
  const shell = [
    '/usr/bin/time -f "%e %M" -o',
    q(join(dir, 'time.txt')),
    q(cmd),
    ...args.map(q),
    input ? `< ${q(input)} > ${q(out)}` : '>/dev/null',
    `2> ${q(join(dir, 'stderr.txt'))}`,
  ].join(' ');
  try {
    execFileSync('/bin/bash', ['-c', shell], { stdio: 'inherit' });
  } catch (err) {
    console.error(readFileSync(join(dir, 'stderr.txt'), 'utf8').slice(-2000));
    throw err;
  }
  const [sec, kb] = execFileSync('tail', ['-1', join(dir, 'time.txt')], { encoding: 'utf8' })
    .trim()
    .split(' ')
    .map(Number);
  return { seconds: sec, maxRssMb: kb / 1024, bytes: statSync(out).size };
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`order ${order}, ${rounds} rounds interleaved; lmplz -S ${memory} ${lmplzArgs.join(' ')}`);
console.log(
  '| corpus | who | wall s (rounds) | median | peak RSS MB (median) | ARPA MB | vs lmplz: wall, memory |',
);
console.log('|---|---|---|---|---|---|---|');
for (const corpus of corpora) {
  const sides: Record<string, Run[]> = { lmplz: [] };
  for (const v of variants) sides[`lmkit ${v.join(' ')}`.trim()] = [];
  if (base) sides.base = [];
  for (let r = 0; r < rounds; r++) {
    const k = join(dir, 'kenlm.arpa');
    sides.lmplz.push(timed(lmplz, ['-o', order, '-S', memory, '-T', dir, ...lmplzArgs], k, corpus));
    rmSync(k, { force: true });
    for (const v of variants) {
      const m = join(dir, 'lmkit.arpa');
      sides[`lmkit ${v.join(' ')}`.trim()].push(
        timed(process.execPath, [lmkit, 'ngram', 'train', '-o', order, corpus, '--out', m, ...v], m),
      );
      rmSync(m, { force: true });
    }
    if (base) {
      const b = join(dir, 'base.arpa');
      sides.base.push(
        timed(
          process.execPath,
          [join(base, 'bin/lmkit.js'), 'ngram', 'train', '-o', order, corpus, '--out', b],
          b,
        ),
      );
      rmSync(b, { force: true });
    }
  }
  const ref = {
    wall: median(sides.lmplz.map((r) => r.seconds)),
    rss: median(sides.lmplz.map((r) => r.maxRssMb)),
  };
  for (const [who, runs] of Object.entries(sides)) {
    const wall = median(runs.map((r) => r.seconds));
    const rss = median(runs.map((r) => r.maxRssMb));
    console.log(
      `| ${basename(corpus)} | ${who} | ${runs.map((r) => r.seconds.toFixed(2)).join(', ')} | ${wall.toFixed(2)} | ` +
        `${rss.toFixed(0)} | ${(runs[0].bytes / 2 ** 20).toFixed(0)} | ${(wall / ref.wall).toFixed(2)}×, ${(rss / ref.rss).toFixed(2)}× |`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
