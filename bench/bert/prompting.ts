/**
 * Prompting against fine-tuning on spam vs ham (the `spam` dataset's test split), with k labelled examples:
 * - zero-shot: the pretrained BERT asked the cloze "{text} This message is [MASK]." with each --verbalizer
 *   (no training: shows how much the choice of words matters);
 * - PET (`--objective pet`): the masked LM fine-tuned on the k examples asked as that cloze (the first verbalizer);
 * - head (`--objective classify`): a fresh classifier head on the same encoder, fine-tuned on the same k;
 * - bag of words: scikit-learn's logistic regression on the same k (bench/bert/bow_fewshot.py, Debian
 *   python3-sklearn), run by this command.
 * Each k is drawn --seeds times (seeds --first-seed..n, default 1..3: the same k examples for all three methods), both BERT methods
 * train --steps steps at the same settings and are scored at their last step (no model selection: true
 * few-shot). Rows are appended to --results (JSONL) so that k can be run in separate commands; --report
 * prints the table (mean ± sd over seeds) and draws the learning curve (--svg).
 *
 *   node dist/bench/bert/prompting.js --init BERT_DIR --shots 8,32,128 --seeds 3 --results r.jsonl
 *   node dist/bench/bert/prompting.js --report --results r.jsonl --svg bench/bert/prompting.svg
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClozeClassifier, parseVerbalizer } from '../../src/models/bert-cloze.js';
import { BertMaskedLM } from '../../src/models/bert.js';
import { PALETTE, renderSvg, type Series } from '../../src/plot/svg.js';
import { fewShot, readLabelled, trainClassifier } from '../../src/train/classify.js';
import { scoreCloze, trainPET } from '../../src/train/pet.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const results = flag('results', 'prompting-results.jsonl') as string;
const PATTERN = flag('pattern', '{text} This message is [MASK].') as string;
const VERBALIZERS = (flag('verbalizers', 'spam=junk,ham=fine') as string).split(';');

interface Row {
  method: string;
  k: number;
  seed: number;
  accuracy: number;
  macro_f1: number;
  seconds: number;
  verbalizer?: string;
}

if (argv.includes('--report')) report();
else await measure();

async function measure(): Promise<void> {
  const init = flag('init');
  if (!init) throw new Error('give --init BERT_DIR (a BERT masked LM from lmkit train --model bert)');
  const shots = (flag('shots', '8,32,128') as string).split(',').map(Number);
  const seeds = Number(flag('seeds', '3'));
  const steps = flag('steps', '100') as string;
  const root = [process.cwd(), fileURLToPath(new URL('../../..', import.meta.url))].find((r) =>
    existsSync(join(r, 'bench/bert/bow_fewshot.py')),
  ) as string;
  const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-prompting-'));
  const add = (row: Row) => {
    appendFileSync(results, JSON.stringify(row) + '\n');
    process.stderr.write(`${JSON.stringify(row)}\n`);
  };
  const parts = await readLabelled('classify', 'spam', undefined);
  const jsonl = (items: typeof parts.train) =>
    items.map((e) => ('label' in e ? JSON.stringify({ text: e.text, label: e.label }) : '')).join('\n') +
    '\n';
  const testFile = join(dir, 'test.jsonl');
  writeFileSync(testFile, jsonl(parts.test));
  // validation only monitors (no selection): 64 messages keep each evaluation cheap
  const validFile = join(dir, 'valid.jsonl');
  writeFileSync(validFile, jsonl(parts.valid.slice(0, 64)));

  if (argv.includes('--zero-shot')) {
    const mlm = BertMaskedLM.load(init);
    const test = parts.test.flatMap((e) => ('label' in e ? [e] : []));
    for (const v of VERBALIZERS) {
      const t0 = performance.now();
      const cloze = new ClozeClassifier(mlm, { pattern: PATTERN, verbalizer: parseVerbalizer(v) });
      const s = scoreCloze(
        cloze,
        test.map((e) => ({ text: e.text, label: cloze.labelId(e.label, e.where) })),
        cloze.labels.length,
      );
      add({
        method: 'zero-shot cloze',
        k: 0,
        seed: 0,
        verbalizer: v,
        accuracy: s.accuracy,
        macro_f1: s.macroF1,
        seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      });
    }
  }

  const common = (k: number, seed: number, out: string) => ({
    data: 'spam',
    valid: validFile,
    shots: k,
    out,
    settings: [
      {
        seed,
        max_iters: Number(steps),
        eval_interval: Number(steps),
        batch_size: Math.min(8, k),
        learning_rate: Number(flag('lr', '2e-4')),
        min_lr: Number(flag('lr', '2e-4')) / 10,
        warmup_iters: Math.round(Number(steps) / 10),
      },
    ],
  });
  // seeds outermost: a run cut short still has every k, with fewer seeds
  for (let seed = Number(flag('first-seed', '1')); seed <= seeds; seed++)
    for (const k of shots) {
      const t0 = performance.now();
      const pet = await trainPET({
        ...common(k, seed, join(dir, `pet-${k}-${seed}`)),
        init,
        pattern: PATTERN,
        verbalizer: VERBALIZERS[0],
      });
      const t1 = performance.now();
      add({
        method: 'PET',
        k,
        seed,
        accuracy: pet.metrics.test_accuracy,
        macro_f1: pet.metrics.test_macro_f1,
        seconds: Number(((t1 - t0) / 1000).toFixed(1)),
      });
      const head = await trainClassifier({
        ...common(k, seed, join(dir, `head-${k}-${seed}`)),
        objective: 'classify',
        init,
      });
      add({
        method: 'classifier head',
        k,
        seed,
        accuracy: head.metrics.test_accuracy,
        macro_f1: head.metrics.test_macro_f1,
        seconds: Number(((performance.now() - t1) / 1000).toFixed(1)),
      });
      // the same k examples: the trainers draw fewShot(train split, k, seed) in the same order
      const trainFile = join(dir, `train-${k}-${seed}.jsonl`);
      writeFileSync(trainFile, jsonl(fewShot(parts.train, k, seed)));
      const bow = JSON.parse(
        execFileSync('/usr/bin/python3', [join(root, 'bench/bert/bow_fewshot.py'), trainFile, testFile], {
          encoding: 'utf8',
        }).trim(),
      ) as { test_accuracy: number; test_macro_f1: number; seconds: number };
      add({
        method: 'bag of words + logistic regression',
        k,
        seed,
        accuracy: bow.test_accuracy,
        macro_f1: bow.test_macro_f1,
        seconds: bow.seconds,
      });
    }
}

/** Mean and sample standard deviation. */
function meanSd(xs: number[]): [number, number] {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1) : 0;
  return [m, Math.sqrt(v)];
}

function report(): void {
  const rows = readFileSync(results, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
  const zero = rows.filter((r) => r.k === 0);
  if (zero.length) {
    console.log('| zero-shot verbalizer | test accuracy | test macro-F1 |');
    console.log('|---|---|---|');
    for (const r of zero)
      console.log(`| ${r.verbalizer} | ${r.accuracy.toFixed(4)} | ${r.macro_f1.toFixed(4)} |`);
    console.log('');
  }
  const methods = [...new Set(rows.filter((r) => r.k > 0).map((r) => r.method))];
  const ks = [...new Set(rows.filter((r) => r.k > 0).map((r) => r.k))].sort((a, b) => a - b);
  console.log(`| method | ${ks.map((k) => `k = ${k}`).join(' | ')} |`);
  console.log(`|---|${ks.map(() => '---').join('|')}|`);
  const series: Series[] = [];
  methods.forEach((m, i) => {
    const cells = ks.map((k) => {
      const xs = rows.filter((r) => r.method === m && r.k === k).map((r) => r.accuracy);
      return xs.length ? meanSd(xs) : undefined;
    });
    const seeds = ks.map((k) => rows.filter((r) => r.method === m && r.k === k).length);
    console.log(
      `| ${m} | ${cells.map((c, j) => (c ? `${c[0].toFixed(3)} ± ${c[1].toFixed(3)} (${seeds[j]})` : '')).join(' | ')} |`,
    );
    series.push({
      label: m,
      color: PALETTE[i % PALETTE.length],
      points: ks.flatMap((k, j) => (cells[j] ? [[Math.log2(k), (cells[j] as [number, number])[0]]] : [])) as [
        number,
        number,
      ][],
    });
  });
  console.log('\n(mean ± sample sd of test accuracy over seeds; seeds in brackets)');
  const svg = flag('svg');
  if (svg) {
    for (const r of zero)
      series.push({
        label: `zero-shot cloze (${r.verbalizer})`,
        dashed: true,
        color: PALETTE[(series.length + 1) % PALETTE.length],
        points: [
          [Math.log2(ks[0]), r.accuracy],
          [Math.log2(ks[ks.length - 1]), r.accuracy],
        ],
      });
    writeFileSync(
      svg,
      renderSvg({
        title: 'spam vs ham: test accuracy against labelled examples (mean over seeds)',
        xLabel: `log2 of k, the labelled examples (${ks.map((k) => `${Math.log2(k)} = ${k}`).join(', ')})`,
        yLabel: 'test accuracy',
        series,
      }),
    );
    console.log(`wrote ${svg}`);
  }
}
