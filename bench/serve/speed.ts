/**
 * Serving at the model's speed (not a test): one checkpoint, one client, greedy decoding of the same
 * prompt, measured three ways in interleaved rounds: what `lmkit generate` runs after its start-up
 * (`generateBatch` on the one prompt, in this process, with the checkpoint loaded as the CLI loads it),
 * `/v1/completions` answered as JSON, and `/v1/completions` streamed as server-sent events, against
 * `lmkit serve` in its own process. Prints median tokens/s of each, the ratio to generate, and CPU time
 * per token (user + system, every thread: this process's around generate, the server's from
 * /proc/PID/stat around each request), which swings less than wall time on a busy machine.
 *
 *   npm run build && node dist/bench/serve/speed.js --model CKPT [--max-tokens 48] [--rounds 9]
 *       [--prompt "the jury said"] [--serve-flag=--workers=0 ...]
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { generateBatch } from '../../src/generate/batch.js';
import { neverSampled } from '../../src/generate/sample.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { promptPreparer } from '../../src/models/preprocessing.js';
import { spawnServer } from '../../src/serve/spawn.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    'max-tokens': { type: 'string', default: '48' },
    rounds: { type: 'string', default: '9' },
    prompt: { type: 'string', default: 'the jury said' },
    'serve-flag': { type: 'string', multiple: true, default: [] },
  },
});
if (!values.model) {
  console.error(
    'usage: node dist/bench/serve/speed.js --model CHECKPOINT_DIR (e.g. from lmkit train --max_iters 200 --out DIR)',
  );
  process.exit(2);
}
const model = values.model;
const N = Number(values['max-tokens']);
const rounds = Number(values.rounds);
const prompt = values.prompt;

const lm = loadLanguageModel(model);
const ids = lm.tokenizer.encode(promptPreparer(lm)(prompt));

/** Wall and CPU seconds of what `lmkit generate` runs for N greedy tokens after loading the model. */
async function generateSeconds(): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const [r] = await generateBatch(lm, [ids], {
    maxTokens: N,
    temperature: 0,
    suppressTokens: neverSampled(lm.tokenizer),
  });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (r.completionTokens !== N)
    throw new Error(`generate stopped after ${r.completionTokens} tokens, not ${N}: pick another prompt`);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/** CPU seconds (user + system, every thread) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** Seconds of one /v1/completions request of N greedy tokens (streamed or not), on a fresh connection. */
function serveSeconds(url: string, stream: boolean): Promise<number> {
  const id = model.replace(/\/+$/, '').split('/').pop();
  const body = JSON.stringify({ model: id, prompt, max_tokens: N, temperature: 0, stream });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/completions`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', reject);
        res.on('end', () => {
          const seconds = (performance.now() - t0) / 1000;
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          else if (
            stream ? !text.endsWith('data: [DONE]\n\n') : JSON.parse(text).usage.completion_tokens !== N
          )
            reject(new Error(`the server did not generate ${N} tokens: ${text.slice(0, 200)}`));
          else resolve(seconds);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const server = await spawnServer([model, '--db', 'none', ...values['serve-flag']]);
const rows = ['lmkit generate (in process)', '/v1/completions JSON', '/v1/completions stream'];
const tps: number[][] = rows.map(() => []);
const cpuMs: number[][] = rows.map(() => []);
/** Times one served request: tokens/s and server CPU ms per token. */
const served = async (k: number, stream: boolean) => {
  const c0 = cpuSeconds(server.pid);
  tps[k].push(N / (await serveSeconds(server.url, stream)));
  cpuMs[k].push(((cpuSeconds(server.pid) - c0) * 1000) / N);
};
try {
  await serveSeconds(server.url, false); // warm-up
  await generateSeconds();
  for (let r = 0; r < rounds; r++) {
    const gen = await generateSeconds();
    tps[0].push(N / gen.wall);
    cpuMs[0].push((gen.cpu * 1000) / N);
    await served(1, false);
    await served(2, true);
  }
} finally {
  server.stop();
}
const g = median(tps[0]);
console.log(
  `${model}, prompt ${JSON.stringify(prompt)}, ${N} greedy tokens, ${rounds} interleaved rounds, medians` +
    (values['serve-flag'].length ? `, serve ${values['serve-flag'].join(' ')}` : ''),
);
console.log(
  '| path | tokens/s | × generate | CPU ms per token | tokens/s of each round |\n|---|---|---|---|---|',
);
rows.forEach((name, k) =>
  console.log(
    `| ${name} | ${median(tps[k]).toFixed(0)} | ${(median(tps[k]) / g).toFixed(2)} | ` +
      `${median(cpuMs[k]).toFixed(2)} | ${tps[k].map((x) => x.toFixed(0)).join(', ')} |`,
  ),
);
