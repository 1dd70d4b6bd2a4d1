/**
 * The char-shape greedy decode of decode.ts (4 layers, 4 heads, 128 wide, vocab 65, block 64, no biases;
 * 4 prompt tokens with the line start, 60 new) timed in two or more builds of lmkit, alternating, in one
 * command: e.g. a build of an older commit against this one. Each build is its own process, as its native
 * addon is its own. Prints median decode tok/s (steps 2..60) and CPU µs per token (all 60 steps) per round.
 *
 *   git archive OLD_COMMIT | tar -x -C /tmp/old && ln -s $PWD/node_modules /tmp/old/node_modules
 *   (cd /tmp/old && node scripts/build-native.mjs && npx tsc -p tsconfig.json)
 *   npm run build && node dist/bench/gpt/decode_versions.js /tmp/old/dist dist [--rounds 3] [--reps 30]
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    reps: { type: 'string', default: '30' },
    worker: { type: 'string' },
  },
});

interface Decoder {
  logProbs(): Float32Array;
  push(t: number): void;
}

/** Times one build (its dist folder): median tok/s of steps 2..60 and CPU µs per token. */
async function worker(dist: string, reps: number): Promise<void> {
  const load = (p: string) => import(pathToFileURL(resolve(dist, p)).href);
  const { GPTModel } = await load('src/models/gpt.js');
  const { CharTokenizer } = await load('src/tokenizers/char.js');
  const chars = Array.from({ length: 61 }, (_, i) => String.fromCharCode(65 + i)).join('');
  const tok = CharTokenizer.train([chars, '\n']);
  const model = new GPTModel(
    {
      n_layer: 4,
      n_head: 4,
      n_embd: 128,
      block_size: 64,
      vocab_size: tok.vocabSize,
      dropout: 0,
      bias: false,
    },
    tok,
    1337,
  ) as { start(p: number[]): Decoder };
  const argmax = (lp: Float32Array) => lp.reduce((b, x, i) => (x > lp[b] ? i : b), 0);
  const generate = () => {
    const s = model.start([1, 2, 3]);
    let t = argmax(s.logProbs());
    const t1 = performance.now();
    for (let i = 1; i < 60; i++) {
      s.push(t);
      t = argmax(s.logProbs());
    }
    return 59 / ((performance.now() - t1) / 1000);
  };
  for (let i = 0; i < 3; i++) generate();
  const c0 = process.cpuUsage();
  const tps = Array.from({ length: reps }, generate).sort((a, b) => a - b);
  const cpu = process.cpuUsage(c0);
  console.log(
    JSON.stringify({
      median_tok_s: Math.round(tps[reps >> 1]),
      cpu_us_per_token: Number(((cpu.user + cpu.system) / (reps * 60)).toFixed(1)),
    }),
  );
}

if (values.worker) await worker(values.worker, Number(values.reps));
else {
  if (positionals.length < 1) throw new Error('give one or more dist folders');
  const env: NodeJS.ProcessEnv = { ...process.env, LMKIT_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  console.log('| round | build | decode tok/s (median) | CPU µs per token |');
  console.log('|---|---|---|---|');
  for (let round = 1; round <= Number(values.rounds); round++)
    for (const dist of positionals) {
      const out = execFileSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--worker', dist, '--reps', values.reps as string],
        { env, encoding: 'utf8' },
      );
      const r = JSON.parse(out.trim().split('\n').pop() as string) as Record<string, number>;
      console.log(`| ${round} | ${dist} | ${r.median_tok_s} | ${r.cpu_us_per_token} |`);
    }
}
