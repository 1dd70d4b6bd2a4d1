/**
 * CLI start-up (#14.1): wall-clock seconds of whole `lmkit` processes that do almost nothing, against
 * `node -e 0` (the floor: Node's own start-up) in the same rounds. Target: ≤ 0.15 s for each.
 *
 *   npm run build && node dist/bench/cli/startup.js [--rounds 21] [--model M.bin] [--before OTHER/bin/lmkit.js]
 *                                                   [--kenlm-query PATH/query --kenlm-model M.kenlm]
 *
 * Rows: `lmkit --version`; `lmkit ngram query --help`; `echo SENTENCE | lmkit ngram query M.bin` (one
 * sentence scored and printed, model load included). M.bin defaults to a Kneser-Ney trigram of Brown
 * (mod10 train split, lowercased: 1.05M tokens, 21 MB) built first into a temporary folder. --before
 * adds the same rows for another checkout (e.g. the code before a change); --kenlm-query adds KenLM's
 * `query` scoring the same sentence (`query -v sentence M.kenlm`). The rounds are interleaved (each
 * round runs every row once) so that load on the machine falls on all rows alike; the table gives
 * medians and the median minus the floor's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const rounds = Number(flag('rounds', '21'));
const lmkit = fileURLToPath(new URL('../../../bin/lmkit.js', import.meta.url));
const before = flag('before');
const sentence = 'the jury said it did find that many of the city agencies were well operated';

const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-cli-'));
let model = flag('model');
if (!model) {
  model = join(dir, 'kn3.bin');
  process.stderr.write('building a Kneser-Ney trigram of Brown for the query rows...\n');
  execFileSync(process.execPath, [
    lmkit,
    ...['ngram', 'train', 'brown', '--order', '3', '--split', 'train', '--scheme', 'mod10'],
    ...['--lowercase', '--out', model],
  ]);
}

interface Row {
  label: string;
  cmd: string;
  args: string[];
  input?: string;
}
const rows: Row[] = [{ label: 'node -e 0 (floor)', cmd: process.execPath, args: ['-e', '0'] }];
for (const [who, bin] of [['lmkit', lmkit], ...(before ? [['before', before]] : [])] as [string, string][]) {
  rows.push(
    { label: `${who} --version`, cmd: process.execPath, args: [bin, '--version'] },
    { label: `${who} ngram query --help`, cmd: process.execPath, args: [bin, 'ngram', 'query', '--help'] },
    {
      label: `${who} ngram query M.bin (1 sentence)`,
      cmd: process.execPath,
      args: [bin, 'ngram', 'query', model],
      input: sentence + '\n',
    },
  );
}
const kenlmQuery = flag('kenlm-query');
const kenlmModel = flag('kenlm-model');
if (kenlmQuery && kenlmModel)
  rows.push({
    label: 'KenLM query -v sentence (1 sentence)',
    cmd: kenlmQuery,
    args: ['-v', 'sentence', kenlmModel],
    input: sentence + '\n',
  });

const times = rows.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  rows.forEach((row, i) => {
    const t0 = performance.now();
    const res = spawnSync(row.cmd, row.args, { input: row.input ?? '', encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (res.status !== 0) throw new Error(`${row.label} failed (${res.status}): ${res.stderr}`);
    times[i].push(seconds);
  });
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const floor = median(times[0]);
console.log(
  `${rounds} interleaved rounds; load average ${(await import('node:os')).loadavg()[0].toFixed(2)}`,
);
console.log('| command | median s | min s | median − floor s |');
console.log('|---|---|---|---|');
rows.forEach((row, i) => {
  const m = median(times[i]);
  console.log(
    `| ${row.label} | ${m.toFixed(3)} | ${Math.min(...times[i]).toFixed(3)} | ${i ? (m - floor).toFixed(3) : '—'} |`,
  );
});
