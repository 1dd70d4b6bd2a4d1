/**
 * N-gram generation speed (#14.4): tokens/s of sampling from an n-gram model, by the backoff sampler
 * (ngram/sampler.ts: the stored continuations of the context plus the backoff mass) against the full
 * next-word distribution over the vocabulary (what every token cost before), in one process and the
 * same rounds; then whole `lmkit ngram generate` runs and `POST /v1/completions` on `lmkit serve`, for
 * this checkout and (--before) another one, e.g. the code before the sampler.
 *
 *   npm run build && node dist/bench/ngram/generate.js [--model M.bin] [--rounds 3] [--before OTHER/bin/lmkit.js]
 *
 * Model: the server's default (Kneser-Ney trigram of lowercased Brown, mod10 train split: 1.05M tokens) unless --model.
 * In-process rows generate sentences from `<s>` (up to 100 tokens, seed 1) for about 2 s per setting and
 * path; the CLI row is `lmkit ngram generate M.bin --n 200 --seed 1 --json` (start-up and model load
 * included); the server row sends 40 non-streaming completions (prompt "the jury said", max_tokens 64,
 * temperature 1) one after another to `lmkit serve M.bin --db none` and counts usage.completion_tokens.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTokens, neverSampled, type SamplingOptions } from '../../src/generate/sample.js';
import type { DecoderState, LanguageModel } from '../../src/lm.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { buildDefaultModel } from '../../src/serve/default-model.js';
import { LMKIT_BIN, spawnServer } from '../../src/serve/spawn.js';
import { Rng } from '../../src/util/rng.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const rounds = Number(flag('rounds', '3'));
const lmkit = LMKIT_BIN;
const before = flag('before');
const dir = mkdtempSync(join(tmpdir(), 'lmkit-bench-generate-'));
const modelPath = flag('model') ?? (await buildDefaultModel(dir));
const model = NGramModel.load(modelPath);

/** The same model with decoding states that offer no sampler of their own: every token goes through logProbs. */
function fullDistribution(lm: LanguageModel): LanguageModel {
  return {
    kind: lm.kind,
    tokenizer: lm.tokenizer,
    contextLength: lm.contextLength,
    start(prompt: number[]): DecoderState {
      const s = lm.start(prompt);
      return { logProbs: () => s.logProbs(), push: (t) => s.push(t) };
    },
  };
}

/** Tokens per second generating sentences for about `seconds`. */
function tokensPerSecond(lm: LanguageModel, o: SamplingOptions, seconds: number): number {
  const rng = new Rng(1);
  const options = { ...o, maxTokens: 100, suppressTokens: neverSampled(lm.tokenizer) };
  let tokens = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (const _ of generateTokens(lm, [], options, rng)) tokens++;
    tokens++; // the </s> that ended it was sampled too
  }
  return tokens / ((performance.now() - t0) / 1000);
}

const SETTINGS: [string, SamplingOptions][] = [
  ['temperature 1', {}],
  ['temperature 0.7, top-p 0.9', { temperature: 0.7, topP: 0.9 }],
  ['top-k 40', { topK: 40 }],
  ['greedy', { temperature: 0 }],
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`model ${modelPath}: order ${model.backoff.order}, vocabulary ${model.backoff.vocab.size}`);
console.log(`load average ${loadavg()[0].toFixed(2)}; medians of ${rounds} rounds`);
console.log('| setting | full distribution tokens/s | backoff sampler tokens/s | ratio |');
console.log('|---|---|---|---|');
const full = fullDistribution(model);
for (const [label, o] of SETTINGS) {
  const slow: number[] = [];
  const fast: number[] = [];
  for (let r = 0; r < rounds; r++) {
    slow.push(tokensPerSecond(full, o, 2));
    fast.push(tokensPerSecond(model, o, 2));
  }
  console.log(
    `| ${label} | ${median(slow).toFixed(0)} | ${median(fast).toFixed(0)} | ${(median(fast) / median(slow)).toFixed(1)}× |`,
  );
}

/** Tokens/s of a whole `lmkit ngram generate` process. */
function cliRun(bin: string): number {
  const t0 = performance.now();
  const out = execFileSync(
    process.execPath,
    [bin, 'ngram', 'generate', modelPath, '--n', '200', '--seed', '1', '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  const tokens = out
    .trim()
    .split('\n')
    .reduce((s, l) => s + (JSON.parse(l) as { tokens: number }).tokens + 1, 0);
  return tokens / ((performance.now() - t0) / 1000);
}

/** Completion tokens/s of sequential non-streaming /v1/completions requests to a fresh server. */
async function serverRun(bin: string): Promise<number> {
  const { url, stop } = await spawnServer([modelPath, '--db', 'none'], { bin });
  try {
    const id = ((await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] }).data[0].id;
    const ask = async (seed: number) => {
      const res = await fetch(`${url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: id, prompt: 'the jury said', max_tokens: 64, temperature: 1, seed }),
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens;
    };
    await ask(0); // warm-up: the model's first request
    let tokens = 0;
    const t0 = performance.now();
    for (let i = 1; i <= 40; i++) tokens += await ask(i);
    return tokens / ((performance.now() - t0) / 1000);
  } finally {
    stop();
  }
}

const checkouts: [string, string][] = [
  ['this checkout', lmkit],
  ...(before ? [['before', before] as [string, string]] : []),
];
console.log(
  '\n| checkout | `ngram generate --n 200` tokens/s (whole process) | `/v1/completions` tokens/s (1 client) |',
);
console.log('|---|---|---|');
const cli = new Map(checkouts.map(([name]) => [name, [] as number[]]));
const srv = new Map(checkouts.map(([name]) => [name, [] as number[]]));
for (let r = 0; r < rounds; r++) {
  for (const [name, bin] of checkouts) {
    cli.get(name)?.push(cliRun(bin));
    srv.get(name)?.push(await serverRun(bin));
  }
}
for (const [name] of checkouts)
  console.log(
    `| ${name} | ${median(cli.get(name) as number[]).toFixed(0)} | ${median(srv.get(name) as number[]).toFixed(0)} |`,
  );
rmSync(dir, { recursive: true, force: true });
