/**
 * Whole-corpus scoring against KenLM's `query` (#14.2), as whole processes: `lmkit ngram eval M FILE`
 * against `query -v summary M < FILE`, on lmkit's binary model and KenLM's probing binary of the same
 * n-grams, and on the same ARPA file; model load and start-up included. Rounds are interleaved (each round
 * runs every row once) so that load on the machine falls on all rows alike; medians, and the ratio of
 * lmkit's median to KenLM's (below 1: lmkit faster). CPU seconds (user + sys) come from /usr/bin/time.
 *
 *   npm run build && node dist/bench/ngram/kenlm.js --kenlm /tmp/kenlm/build/bin [--orders 3,5] [--rounds 5]
 *                                                   [--dir DIR] [--kinds binary,arpa]
 *
 * The data: Kneser-Ney models of lowercased Brown (mod10 training split, 1.05M tokens) and the whole
 * corpus lowercased, one sentence per line (57,340 lines). DIR holds them as knN.bin, knN.arpa,
 * knN.kenlm and all.txt; missing files are built there (or in a temporary folder): lmkit trains and
 * converts, KenLM's build_binary makes the probing binary. Without KenLM's binaries the script says so
 * and exits 0 (CI does not need KenLM).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSentences } from '../../src/data/load.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const kenlm = flag('kenlm');
if (!kenlm || !existsSync(join(kenlm, 'query')) || !existsSync(join(kenlm, 'build_binary'))) {
  console.log(`KenLM's query and build_binary not found (--kenlm DIR, got ${kenlm ?? 'none'}): skipped`);
  process.exit(0);
}
const orders = (flag('orders', '3,5') as string).split(',').map(Number);
const rounds = Number(flag('rounds', '5'));
const kinds = (flag('kinds', 'binary,arpa') as string).split(',');
const dir = flag('dir') ?? mkdtempSync(join(tmpdir(), 'lmkit-bench-kenlm-'));
const lmkit = fileURLToPath(new URL('../../../bin/lmkit.js', import.meta.url));
const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command to its end: its output, wall seconds and CPU seconds (NaN without /usr/bin/time). */
function run(cmd: string, args: string[]): { stdout: string; wall: number; cpu: number } {
  const full = time ? [time, '-f', '@@cpu %U %S', cmd, ...args] : [cmd, ...args];
  const t0 = performance.now();
  const r = spawnSync(full[0], full.slice(1), {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /@@cpu (\S+) (\S+)/.exec(r.stderr);
  return { stdout: r.stdout, wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

/** Runs a command with a file as standard input (through the shell's redirection, as a user would). */
function runWithInput(cmd: string, args: string[], file: string) {
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return run('/bin/sh', ['-c', `exec ${quoted} < '${file}'`]);
}

const text = join(dir, 'all.txt');
if (!existsSync(text)) {
  process.stderr.write('writing the whole of Brown, lowercased...\n');
  writeFileSync(text, (await loadSentences('brown', { lowercase: true })).join('\n') + '\n');
}
for (const n of orders) {
  const bin = join(dir, `kn${n}.bin`);
  if (!existsSync(bin)) {
    process.stderr.write(`training the order-${n} model...\n`);
    run(process.execPath, [
      lmkit,
      ...['ngram', 'train', 'brown', '--order', String(n), '--split', 'train', '--scheme', 'mod10'],
      ...['--lowercase', '--out', bin],
    ]);
  }
  if (!existsSync(join(dir, `kn${n}.arpa`)))
    run(process.execPath, [lmkit, 'ngram', 'convert', bin, join(dir, `kn${n}.arpa`)]);
  if (!existsSync(join(dir, `kn${n}.kenlm`)))
    run(join(kenlm, 'build_binary'), [join(dir, `kn${n}.arpa`), join(dir, `kn${n}.kenlm`)]);
}

interface Row {
  label: string;
  go: () => { stdout: string; wall: number; cpu: number };
  perplexity: (stdout: string) => number;
}
const lmkitPpl = (s: string) => Number(JSON.parse(s.trim().split('\n').pop() as string).perplexity);
const kenlmPpl = (s: string) => Number(/Perplexity including OOVs:\s*(\S+)/.exec(s)?.[1]);
const rows: Row[] = [];
for (const n of orders) {
  for (const [kind, lmkitModel, kenlmModel] of [
    ...(kinds.includes('binary') ? [['binary', `kn${n}.bin`, `kn${n}.kenlm`]] : []),
    ...(kinds.includes('arpa') ? [['ARPA', `kn${n}.arpa`, `kn${n}.arpa`]] : []),
  ]) {
    rows.push({
      label: `lmkit order ${n}, ${kind}`,
      go: () => run(process.execPath, [lmkit, 'ngram', 'eval', join(dir, lmkitModel), text, '--json']),
      perplexity: lmkitPpl,
    });
    rows.push({
      label: `KenLM order ${n}, ${kind}`,
      go: () => runWithInput(join(kenlm, 'query'), ['-v', 'summary', join(dir, kenlmModel)], text),
      perplexity: kenlmPpl,
    });
  }
}

const walls = rows.map(() => [] as number[]);
const cpus = rows.map(() => [] as number[]);
const ppl: number[] = [];
const loads = [loadavg()[0]];
for (let r = 0; r < rounds; r++) {
  rows.forEach((row, i) => {
    const res = row.go();
    walls[i].push(res.wall);
    cpus[i].push(res.cpu);
    ppl[i] = row.perplexity(res.stdout);
  });
  loads.push(loadavg()[0]);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `${rounds} interleaved rounds; load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
);
console.log(
  '| work | lmkit wall s (median, all) | KenLM wall s (median, all) | lmkit / KenLM wall | CPU s lmkit / KenLM | perplexity lmkit / KenLM |',
);
console.log('|---|---|---|---|---|---|');
for (let i = 0; i < rows.length; i += 2) {
  const [a, b] = [median(walls[i]), median(walls[i + 1])];
  const all = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  console.log(
    `| ${rows[i].label.replace('lmkit ', '')} | ${a.toFixed(3)} (${all(walls[i])}) | ${b.toFixed(3)} (${all(walls[i + 1])}) | ` +
      `${(a / b).toFixed(2)} | ${median(cpus[i]).toFixed(2)} / ${median(cpus[i + 1]).toFixed(2)} | ${ppl[i]} / ${ppl[i + 1]} |`,
  );
}
