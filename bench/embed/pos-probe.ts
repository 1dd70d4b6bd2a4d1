/**
 * Part-of-speech probe on Brown (Peters et al. 2018 §5.3's question, on the data lmkit has): which vectors
 * tell a token's tag? A linear probe (softmax regression on frozen vectors, src/eval/probe.ts) is trained,
 * with one budget for every input, on the tokens of every k-th sentence of Brown's training split (Bengio's
 * split: the first 800k tokens) and tested on every token of the test split (the last ~160k), from:
 *   (a) one-hot word identity (the words of the probe's training tokens; others get the bias alone),
 *   (b) word2vec vectors trained by `lmkit embed train` on the training split's text,
 *   (c) an ELMo biLM trained by `lmkit train --model elmo` on the same text: layer 0, 1, 2 and the scalar mix
 *       (learned with the probe).
 * Accuracy is reported on all test tokens, on tokens of ambiguous words (words the training split shows
 * with two or more tags) and on tokens of words in the biLM's vocabulary; a second one-hot row (a') knows
 * only the biLM's words (the rest share `<unk>`), which separates what the context adds from what the
 * vocabulary takes away. Every probe trains until its accuracy on held-out training sentences (every 20th,
 * offset 10: none of the probe's own) stops improving for 3 epochs (at most --epochs) and keeps its best
 * epoch: a one-hot probe has 50 times the weights of a dense one and needs more epochs to converge. Tags are Brown's, less the -tl/-hl/-nc marks (src/data/brown.ts partOfSpeech).
 * Both models see the training split's text as `lmkit train --data brown --split train` reads it (words seen
 * at most 3 times are <unk>), with words seen fewer than --min-count times (default 10) left out of their
 * vocabularies, to keep the biLM's softmax small enough for two shared CPU cores.
 *
 *   npm run build && node dist/bench/embed/pos-probe.js [--elmo DIR] [--vectors FILE] [--work DIR]
 *     [--steps 220] [--n-embd 128] [--min-count 10] [--every 10] [--epochs 30] [--test-every 1]
 * Without --elmo / --vectors it trains them into --work (default a temporary folder) and prints the commands.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaggedSentence } from '../../src/data/brown.js';
import { loadSentences } from '../../src/data/load.js';
import { readVectors } from '../../src/embed/vectors-file.js';
import { trainProbe, type ProbeInput } from '../../src/eval/probe.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { saveTokenizer } from '../../src/tokenizers/tokenizer-file.js';
import { ProgressBar } from '../../src/util/progress.js';
import { brownPosSplit, tagsOfWords } from './pos-data.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const steps = flag('steps', '220') as string;
const nEmbd = Number(flag('n-embd', '128'));
const minCount = flag('min-count', '10') as string;
const every = Number(flag('every', '10'));
const epochs = Number(flag('epochs', '30'));
const testEvery = Number(flag('test-every', '1')); // > 1: a quick look at every k-th test sentence
const work = flag('work') ?? mkdtempSync(join(tmpdir(), 'lmkit-pos-probe-'));
mkdirSync(work, { recursive: true });
const root = [process.cwd(), fileURLToPath(new URL('../../..', import.meta.url))].find((r) =>
  existsSync(join(r, 'bin', 'lmkit.js')),
) as string;
const lmkit = join(root, 'bin', 'lmkit.js');
const started = performance.now();

function run(args: string[]): void {
  console.error(`$ lmkit ${args.join(' ')}`);
  execFileSync(process.execPath, [lmkit, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// Brown's tagged sentences, split as Bengio et al.: by the running token count at each sentence's start
const parts = await brownPosSplit();
const trainText = await loadSentences('brown', { split: 'train' });
if (trainText.length !== parts.train.length)
  throw new Error(`split mismatch: ${trainText.length} training sentences vs ${parts.train.length} tagged`);

// the models: word2vec and the biLM on the training split's text, one vocabulary threshold for both
const corpus = join(work, 'brown-train.txt');
writeFileSync(corpus, trainText.join('\n') + '\n');
let vectorsPath = flag('vectors');
if (!vectorsPath) {
  vectorsPath = join(work, 'brown-train.bin');
  run(['embed', 'train', corpus, '--format', 'lines', '--algo', 'skipgram', '--vector-size', String(nEmbd),
    '--min-count', minCount, '--epochs', '5', '--seed', '1', '--out', vectorsPath]); // prettier-ignore
}
// the biLM's vocabulary, written even when --elmo is given (the README's commands train with it)
const tokenizer = join(work, 'brown-words.json');
saveTokenizer(WordTokenizer.train(trainText, { minCount: Number(minCount) }), tokenizer);
let elmoDir = flag('elmo');
if (!elmoDir) {
  run(['train', '--model', 'elmo', '--data', 'brown', '--split', 'train', '--tokenizer', tokenizer,
    '--tie_weights', '--n_embd', String(nEmbd), '--max_iters', steps, '--eval_interval', '50',
    '--eval_iters', '4', '--out', join(work, 'elmo')]); // prettier-ignore
  elmoDir = join(work, 'elmo', 'best');
}
const elmo = loadLanguageModel(elmoDir);
if (!elmo.contextualLayers) throw new Error(`${elmoDir} has no contextual layers`);
const kv = readVectors(vectorsPath);

// probe data: every `every`-th training sentence; tags and ambiguity from the whole training split
const probeTrain = parts.train.filter((_, i) => i % every === 0);
const probeValid = parts.train.filter((_, i) => i % (2 * every) === every);
// the biLM's <unk> (a special token spelled as text encodes as <unk>)
const unk = elmo.tokenizer.encode('<unk>')[0];
const tagsOf = tagsOfWords(parts.train);
const classes = new Map<string, number>();
for (const s of probeTrain) for (const t of s.tags) if (!classes.has(t)) classes.set(t, classes.size);
const wordIds = new Map<string, number>();
for (const s of probeTrain) for (const w of s.words) if (!wordIds.has(w)) wordIds.set(w, wordIds.size);

interface Features {
  labels: Int32Array;
  ambiguous: Uint8Array;
  /** 1 where the biLM knows the word (its id is not <unk>). */
  known: Uint8Array;
  onehot: ProbeInput;
  /** One-hot over the biLM's vocabulary: its token ids. */
  vocabOnehot: ProbeInput;
  word2vec: ProbeInput;
  elmo: Float32Array[];
}

/** Every input of every token of `sentences`, with its label (−1: a tag the probe never saw). */
function features(sentences: TaggedSentence[], label: string): Features {
  const N = sentences.reduce((n, s) => n + s.words.length, 0);
  const D = kv.dim;
  const labels = new Int32Array(N);
  const ambiguous = new Uint8Array(N);
  const ids = new Int32Array(N);
  const vocabIds = new Int32Array(N);
  const known = new Uint8Array(N);
  const w2v = new Float32Array(N * D);
  let E = 0;
  const elmoLayers: Float32Array[] = [];
  let k = 0;
  const bar = new ProgressBar(process.stderr, label, sentences.length, 'sentences');
  for (const [n, s] of sentences.entries()) {
    bar.update(n);
    const tokens = elmo.tokenizer.encode(s.words.join(' '));
    if (tokens.length !== s.words.length) throw new Error(`tokens do not align in: ${s.words.join(' ')}`);
    const layers = (elmo.contextualLayers as (ids: readonly number[]) => Float32Array[])(tokens);
    if (!E) {
      E = layers[0].length / tokens.length;
      for (const _ of layers) elmoLayers.push(new Float32Array(N * E));
    }
    layers.forEach((l, j) => elmoLayers[j].set(l, k * E));
    s.words.forEach((w, i) => {
      labels[k] = classes.get(s.tags[i]) ?? -1;
      ambiguous[k] = (tagsOf.get(w)?.size ?? 0) >= 2 ? 1 : 0;
      ids[k] = wordIds.get(w) ?? -1;
      vocabIds[k] = tokens[i];
      known[k] = tokens[i] === unk ? 0 : 1;
      const v = kv.indexOf(w);
      if (v !== undefined) w2v.set(kv.vectors.subarray(v * D, (v + 1) * D), k * D);
      k++;
    });
  }
  bar.done();
  return {
    labels,
    ambiguous,
    known,
    onehot: { kind: 'onehot', count: wordIds.size, ids },
    vocabOnehot: { kind: 'onehot', count: elmo.tokenizer.vocabSize, ids: vocabIds },
    word2vec: { kind: 'dense', dim: D, rows: w2v },
    elmo: elmoLayers,
  };
}

const train = features(probeTrain, 'probe training tokens');
const valid = features(probeValid, 'probe validation tokens');
const test = features(
  parts.test.filter((_, i) => i % testEvery === 0),
  'test tokens',
);
const E = train.elmo[0].length / train.labels.length;
const inputs: { name: string; dims: number; of: (f: Features) => ProbeInput }[] = [
  { name: '(a) one-hot word identity', dims: wordIds.size, of: (f) => f.onehot },
  {
    name: "(a') one-hot, the biLM's words only",
    dims: elmo.tokenizer.vocabSize,
    of: (f) => f.vocabOnehot,
  },
  { name: '(b) word2vec (skip-gram)', dims: kv.dim, of: (f) => f.word2vec },
  ...train.elmo.map((_, j) => ({
    name: `(c) ELMo layer ${j}${j === 0 ? ' (tokens, duplicated)' : ''}`,
    dims: E,
    of: (f: Features): ProbeInput => ({ kind: 'dense', dim: E, rows: f.elmo[j] }),
  })),
  {
    name: '(c) ELMo scalar mix (learned)',
    dims: E,
    of: (f: Features): ProbeInput => ({ kind: 'layers', dim: E, layers: f.elmo }),
  },
];

const ambiguousCount = test.ambiguous.reduce((a, b) => a + b, 0);
const knownCount = test.known.reduce((a, b) => a + b, 0);
console.log(
  `Brown POS probe: ${classes.size} tags; probe trained on ${train.labels.length} tokens (every ${every}th ` +
    `training sentence), batch 256, Adam 1e-2, until its accuracy on ${valid.labels.length} held-out training ` +
    `tokens stopped improving for 3 epochs (at most ${epochs}) for every input; tested on ${test.labels.length} ` +
    `test tokens, ${ambiguousCount} of them of words the training split shows with ≥ 2 tags, ${knownCount} of ` +
    `words the biLM knows.`,
);
console.log(`word2vec: ${vectorsPath} (${kv.size} words); ELMo: ${elmoDir}\n`);
console.log(
  "| input | dims | epochs (best / run) | accuracy, all tokens | ambiguous words | words in the biLM's vocabulary |",
);
console.log('|---|---|---|---|---|---|');
for (const input of inputs) {
  const probe = trainProbe(input.of(train), train.labels, {
    classes: classes.size,
    epochs,
    learningRate: 1e-2,
    seed: 1,
    validation: { input: input.of(valid), labels: valid.labels },
    patience: 3,
    onEpoch: (e, loss, acc) =>
      console.error(
        `${input.name}: epoch ${e}/${epochs}, training loss ${loss.toFixed(3)}, held-out accuracy ${(100 * (acc ?? 0)).toFixed(2)}%`,
      ),
  });
  const pred = probe.predict(input.of(test));
  let right = 0;
  let rightAmbiguous = 0;
  let rightKnown = 0;
  pred.forEach((p, i) => {
    if (p !== test.labels[i]) return;
    right++;
    rightAmbiguous += test.ambiguous[i];
    rightKnown += test.known[i];
  });
  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(2)}%`;
  const mix = probe.mix
    ? ` (weights ${probe.mix.weights.map((w) => w.toFixed(2)).join(', ')}, γ ${probe.mix.gamma.toFixed(2)})`
    : '';
  console.log(
    `| ${input.name}${mix} | ${input.dims} | ${probe.epoch} / ${probe.epochs} | ${pct(right, pred.length)} | ` +
      `${pct(rightAmbiguous, ambiguousCount)} | ${pct(rightKnown, knownCount)} |`,
  );
}
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s`);
