/**
 * GPT decoding speed (batch 1, greedy, CPU, one thread), lmkit against PyTorch eager in one command, on the
 * shapes of ../shared/bench/gen_ref.py: the nanoGPT CPU character model (4 layers, 4 heads, n_embd 128,
 * vocab 65, block 64, no biases; 4 prompt tokens, 60 new) and GPT-2 small (12 layers, 12 heads, 768,
 * vocab 50257, block 1024, biases; 16 prompt tokens, 128 new), random weights. lmkit decodes through the
 * LanguageModel interface (`model.start(prompt)`, `logProbs()`, `push()`), so a step includes the
 * log-softmax; the prompt counts the model's own line-start token. Timing follows gen_ref.py: decode
 * tok/s = (new − 1) / time of the steps that produce tokens 2..new; without the cache, every step runs
 * the whole context ("decode-equivalent" over steps 2..new). `--batch B` also times lmkit decoding B random
 * prompts together (one batched pass per step; aggregate tok/s over all sequences).
 *
 *   npm run build && node dist/bench/gpt/decode.js [--which all|char|gpt2] [--reps-char 30] [--reps-gpt2 3]
 *       [--nocache-gpt2] [--no-torch] [--batch B]        # in the repository root, or with LMKIT_SHARED=../shared
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { logSoftmaxRow as logSoftmax } from '../../src/tensor/ops/softmax.js';
import { GPTModel } from '../../src/models/gpt.js';
import { Rng } from '../../src/tensor/index.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { resolveTokenizer, type SavableTokenizer } from '../../src/tokenizers/tokenizer-file.js';

const { values } = parseArgs({
  options: {
    which: { type: 'string', default: 'all' },
    'reps-char': { type: 'string', default: '30' },
    'reps-gpt2': { type: 'string', default: '3' },
    'nocache-gpt2': { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    batch: { type: 'string', default: '0' },
    worker: { type: 'boolean', default: false },
  },
});

/** One benchmarked shape. */
interface Shape {
  name: string;
  n_layer: number;
  n_head: number;
  n_embd: number;
  block_size: number;
  vocab: number;
  bias: boolean;
  prompt: number;
  fresh: number;
  reps: number;
  nocache: boolean;
}

const SHAPES: Shape[] = [
  {
    name: 'char-4L4H128',
    n_layer: 4,
    n_head: 4,
    n_embd: 128,
    block_size: 64,
    vocab: 65,
    bias: false,
    prompt: 4,
    fresh: 60,
    reps: Number(values['reps-char']),
    nocache: true,
  },
  {
    name: 'gpt2-small-shape',
    n_layer: 12,
    n_head: 12,
    n_embd: 768,
    block_size: 1024,
    vocab: 50257,
    bias: true,
    prompt: 16,
    fresh: 128,
    reps: Number(values['reps-gpt2']),
    nocache: values['nocache-gpt2'] ?? false,
  },
].filter((s) => values.which === 'all' || s.name.startsWith(values.which as string));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A tokenizer of exactly `vocab` ids: 65 characters (line break included, specials counted) or GPT-2's. */
async function tokenizerFor(vocab: number): Promise<SavableTokenizer> {
  if (vocab === 50257) return resolveTokenizer('gpt2');
  const chars = Array.from({ length: vocab - 4 }, (_, i) => String.fromCharCode(65 + i)).join('');
  const tok = CharTokenizer.train([chars, '\n']);
  if (tok.vocabSize !== vocab) throw new Error(`char tokenizer has ${tok.vocabSize} ids, not ${vocab}`);
  return tok;
}

/** The most likely token. */
function argmax(lp: Float32Array): number {
  let best = 0;
  for (let i = 1; i < lp.length; i++) if (lp[i] > lp[best]) best = i;
  return best;
}

/** One greedy generation: the tokens, the first step's seconds and the rest's. */
function generate(model: GPTModel, prompt: number[], fresh: number) {
  const t0 = performance.now();
  const state = model.start(prompt);
  const out = [argmax(state.logProbs())];
  const t1 = performance.now();
  for (let i = 1; i < fresh; i++) {
    state.push(out[i - 1]);
    out.push(argmax(state.logProbs()));
  }
  const t2 = performance.now();
  return { out, first: (t1 - t0) / 1000, rest: (t2 - t1) / 1000 };
}

/** Timed runs after warm-up: median decode tok/s (steps 2..new), first-step ms, and the tokens. */
function timed(model: GPTModel, prompt: number[], s: Shape, reps: number) {
  for (let i = 0; i < 2; i++) generate(model, prompt, s.fresh);
  const runs = Array.from({ length: reps }, () => generate(model, prompt, s.fresh));
  const tps = runs.map((r) => (s.fresh - 1) / r.rest);
  return {
    tokens: runs[0].out,
    first_ms: Number((median(runs.map((r) => r.first)) * 1000).toFixed(3)),
    decode_tok_s: Number(median(tps).toFixed(1)),
    decode_tok_s_min: Number(Math.min(...tps).toFixed(1)),
    decode_tok_s_max: Number(Math.max(...tps).toFixed(1)),
  };
}

/** B prompts decoded together (greedy, lockstep): aggregate tok/s over steps 2..new, median of runs. */
function batched(model: GPTModel, prompts: number[][], s: Shape, reps: number): number {
  const once = () => {
    const states = model.startBatch(prompts);
    let next = states.map((st) => argmax(st.logProbs()));
    const t1 = performance.now();
    for (let i = 1; i < s.fresh; i++) {
      states.forEach((st, b) => st.push(next[b]));
      next = states.map((st) => argmax(st.logProbs()));
    }
    return (prompts.length * (s.fresh - 1)) / ((performance.now() - t1) / 1000);
  };
  once();
  return Number(median(Array.from({ length: reps }, once)).toFixed(1));
}

/** Teacher-forced: max |log-prob difference| between cached steps and the training forward over a random sequence. */
function cacheAgreement(model: GPTModel, seq: number[], n: number): number {
  model.kvCache = true;
  const cached = model.start(seq.slice(0, n));
  let worst = 0;
  for (let t = n; t <= seq.length; t++) {
    const a = cached.logProbs();
    const ids = [...model.prefix, ...seq.slice(0, t)];
    const V = model.config.vocab_size;
    const b = logSoftmax(model.forwardLogits(ids).subarray((ids.length - 1) * V));
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    if (t < seq.length) cached.push(seq[t]);
  }
  return worst;
}

async function runLmkit(): Promise<void> {
  const results = [];
  for (const s of SHAPES) {
    const tokenizer = await tokenizerFor(s.vocab);
    const model = new GPTModel(
      {
        n_layer: s.n_layer,
        n_head: s.n_head,
        n_embd: s.n_embd,
        block_size: s.block_size,
        vocab_size: s.vocab,
        dropout: 0,
        bias: s.bias,
      },
      tokenizer,
      1337,
    );
    const rng = new Rng(1337);
    const draw = (n: number) => Array.from({ length: n }, () => Math.floor(rng.uniform() * s.vocab));
    const prompt = draw(s.prompt - model.prefix.length);
    const seq = draw(Math.min(s.prompt + 24, s.block_size) - model.prefix.length);
    const agreement = cacheAgreement(model, seq, prompt.length);
    model.kvCache = true;
    const kv = timed(model, prompt, s, s.reps);
    let nocache: ReturnType<typeof timed> | undefined;
    if (s.nocache) {
      model.kvCache = false;
      nocache = timed(model, prompt, s, Math.max(1, Math.min(s.reps, 10)));
      model.kvCache = true;
    }
    const B = Number(values.batch);
    const batch =
      B > 1
        ? batched(
            model,
            Array.from({ length: B }, () => draw(prompt.length)),
            s,
            Math.min(s.reps, 5),
          )
        : null;
    const r = {
      model: s.name,
      ...(batch === null ? {} : { [`batch${B}_tok_s`]: batch }),
      params: model.net.parameterCount(),
      max_abs_logprob_diff_kv_vs_full: agreement,
      kv: { ...kv, tokens: undefined },
      nocache: nocache && { ...nocache, tokens: undefined },
      nocache_matches_kv: nocache ? nocache.tokens.join() === kv.tokens.join() : null,
    };
    process.stderr.write(`  lmkit ${JSON.stringify(r)}\n`);
    results.push(r);
  }
  console.log(JSON.stringify(results));
}

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    LMKIT_THREADS: '1',
    OMP_WAIT_POLICY: 'PASSIVE',
  };
  return e;
}

type Row = { decode_tok_s: number; first_ms?: number; prefill_ms?: number; first_step_ms?: number };

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const forward = process.argv.slice(2).filter((a) => a !== '--worker');
  const lmkitOut = execFileSync(process.execPath, [self, '--worker', ...forward], {
    env: env(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  const lmkit = JSON.parse(lmkitOut.trim().split('\n').pop() as string) as {
    model: string;
    kv: Row;
    nocache?: Row;
  }[];
  const torch = new Map<string, Record<string, Row>>();
  if (!values['no-torch']) {
    const shared = process.env.LMKIT_SHARED ?? join(process.cwd(), '..', 'shared');
    const ref = join(shared, 'bench', 'gen_ref.py');
    const which = values.which === 'all' ? 'all' : values.which;
    const out = execFileSync(
      '/usr/bin/python3',
      [
        ref,
        '--which',
        which as string,
        '--reps-char',
        values['reps-char'] as string,
        '--reps-gpt2',
        values['reps-gpt2'] as string,
        ...(values['nocache-gpt2'] ? ['--nocache-reps-gpt2', '1'] : []),
      ],
      { env: env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
    );
    for (const line of out.split('\n'))
      if (line.startsWith('{"model"')) {
        const r = JSON.parse(line) as Record<string, Row> & { model: string };
        torch.set(r.model as unknown as string, r);
      }
  }
  console.log('\n| model | who | mode | first step ms | decode tok/s (median) | lmkit KV ÷ this |');
  console.log('|---|---|---|---|---|---|');
  for (const r of lmkit) {
    const ours = r.kv.decode_tok_s;
    const row = (who: string, mode: string, x: Row | undefined) => {
      if (!x) return;
      const first = x.first_ms ?? x.prefill_ms ?? x.first_step_ms;
      console.log(
        `| ${r.model} | ${who} | ${mode} | ${first?.toFixed(2) ?? ''} | ${x.decode_tok_s.toFixed(1)} | ${(ours / x.decode_tok_s).toFixed(2)}× |`,
      );
    };
    row('lmkit', 'KV cache', r.kv);
    row('lmkit', 'no cache', r.nocache);
    const t = torch.get(r.model);
    if (t) {
      row('PyTorch', 'KV cache (cat)', t.kv_cat);
      row('PyTorch', 'KV cache (prealloc)', t.kv_prealloc);
      row('PyTorch', 'KV cache (cat) + sgemv', t.kv_cat_gemv);
      if (t.nocache)
        row('PyTorch', 'no cache', {
          ...t.nocache,
          decode_tok_s: (t.nocache as unknown as { decode_equiv_tok_s: number }).decode_equiv_tok_s,
        });
    }
  }
}

if (values.worker) await runLmkit();
else main();
