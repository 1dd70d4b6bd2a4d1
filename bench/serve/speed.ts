/**
 * Serving at the model's speed (not a test): one checkpoint, one client, greedy decoding of the same
 * prompt, measured three ways in interleaved rounds: `lmkit generate` as a process (its start-up taken
 * out by also timing a 1-token run), `/v1/completions` answered as JSON, and `/v1/completions` streamed
 * as server-sent events. Prints median tokens/s of each and the server's ratio to `generate`.
 *
 *   npm run build && node dist/bench/serve/speed.js --model CKPT [--max-tokens 300] [--rounds 5]
 *       [--prompt "the jury said"] [--serve-flag=--workers=0 ...]
 *
 * Tokens/s: generate (N − 1) / (t(N tokens) − t(1 token)), both whole processes; JSON N / request time;
 * streamed N / request time (first byte of the request to `[DONE]`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    'max-tokens': { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
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
const bin = fileURLToPath(new URL('../../../bin/lmkit.js', import.meta.url));

/** Wall seconds of `lmkit generate` for n greedy tokens. */
function generateSeconds(n: number): number {
  const t0 = performance.now();
  const out = execFileSync(
    process.execPath,
    [bin, 'generate', model, '-p', prompt, '--max-tokens', String(n), '--temperature', '0', '--json'],
    { encoding: 'utf8' },
  );
  const seconds = (performance.now() - t0) / 1000;
  const tokens = (JSON.parse(out) as { tokens: number }).tokens;
  if (tokens !== n) throw new Error(`generate stopped after ${tokens} tokens, not ${n}: pick another prompt`);
  return seconds;
}

/** Starts `lmkit serve` on a free port; resolves with its URL and a stop function. */
async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', model, '--port', '0', '--db', 'none', ...values['serve-flag']],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
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
const server = await startServer();
const gen: number[] = [];
const json: number[] = [];
const sse: number[] = [];
try {
  await serveSeconds(server.url, false); // warm-up
  for (let r = 0; r < rounds; r++) {
    gen.push((N - 1) / (generateSeconds(N) - generateSeconds(1)));
    json.push(N / (await serveSeconds(server.url, false)));
    sse.push(N / (await serveSeconds(server.url, true)));
  }
} finally {
  server.stop();
}
const g = median(gen);
const row = (name: string, xs: number[]) =>
  `${name.padEnd(34)} ${median(xs).toFixed(0).padStart(6)} tok/s  ${(median(xs) / g).toFixed(2)}× generate  ` +
  `(rounds: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
console.log(
  `${model}, prompt ${JSON.stringify(prompt)}, ${N} greedy tokens, ${rounds} interleaved rounds, medians` +
    (values['serve-flag'].length ? `, serve ${values['serve-flag'].join(' ')}` : ''),
);
console.log(row('lmkit generate (process)', gen));
console.log(row('/v1/completions JSON', json));
console.log(row('/v1/completions stream', sse));
