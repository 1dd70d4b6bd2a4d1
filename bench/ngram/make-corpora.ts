/**
 * The corpora of the estimation benchmark (estimate.ts), from Brown's training split (mod10, lowercased,
 * 51,606 sentences, 1.05M tokens):
 *   rep10.txt  — 10 copies, sentences shuffled (10.5M tokens; the distinct n-grams of Brown)
 *   dis10.txt  — 10 copies, copy k (k ≥ 1) with `_k` appended to every word, shuffled (10.5M tokens,
 *                10× the vocabulary and the distinct n-grams)
 *   rep100.txt — rep10.txt ten times over (105M tokens), with --big
 *
 *   node dist/bench/ngram/make-corpora.js OUT_DIR [--big]
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSentences } from '../../src/data/load.js';

const [dir] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!dir) {
  console.error('usage: make-corpora.js OUT_DIR [--big]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const brown = await loadSentences('brown', { split: 'train', splitScheme: 'mod10', lowercase: true });
let seed = 1;
const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
const rep: string[] = [];
const dis: string[] = [];
for (let k = 0; k < 10; k++) {
  for (const s of brown) {
    rep.push(s);
    dis.push(
      k === 0
        ? s
        : s
            .split(' ')
            .map((w) => `${w}_${k}`)
            .join(' '),
    );
  }
}
for (const a of [rep, dis]) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}
writeFileSync(join(dir, 'rep10.txt'), rep.join('\n') + '\n');
writeFileSync(join(dir, 'dis10.txt'), dis.join('\n') + '\n');
if (process.argv.includes('--big')) {
  const text = readFileSync(join(dir, 'rep10.txt'));
  writeFileSync(join(dir, 'rep100.txt'), '');
  for (let k = 0; k < 10; k++) appendFileSync(join(dir, 'rep100.txt'), text);
}
console.log(`wrote ${dir}/rep10.txt, dis10.txt${process.argv.includes('--big') ? ', rep100.txt' : ''}`);
