/**
 * Load benchmark for `lmkit serve` (not a test): N concurrent clients stream chat completions for S
 * seconds over loopback against a server in its own process, and the run reports requests/s, tokens/s,
 * time to first token and inter-token latency (p50/p99), and errors. `--clients 1,8,64` runs each number
 * of clients in turn against the same (warmed-up) server and prints one row each, with the aggregate
 * tokens/s as a ratio to the first row's.
 *
 *   npm run build && node dist/bench/serve/load.js [--clients 64] [--seconds 60] [--concurrency N]
 *       [--max-tokens 64] [--model FILE_OR_CHECKPOINT] [--serve-flag=--workers=1 ...] [--json]
 *       [--url http://127.0.0.1:PORT]
 *
 * Without --model it builds the default server model (Kneser-Ney trigram on lowercased Brown) first.
 * The server runs `--concurrency` generations at once (default: the most clients, so none waits in line).
 * Each row also gives the CPU time per generated token of the server (every thread, from /proc) and of
 * these clients, which a busy machine disturbs less than wall time, and the mean number of generations
 * a decoding step advanced (the server's `lmkit_decode_batch_size`). `--url` drives a server started
 * by hand instead (e.g. under `node --cpu-prof`); its CPU is then not measured.
 */
import { Agent, request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDefaultModel } from '../../src/serve/default-model.js';
import { spawnServer } from '../../src/serve/spawn.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const clientCounts = flag('clients', '64').split(',').map(Number);
const seconds = Number(flag('seconds', '60'));
const concurrency = Number(flag('concurrency', String(Math.max(...clientCounts))));
const serveFlags = argv
  .filter((a) => a.startsWith('--serve-flag='))
  .map((a) => a.slice('--serve-flag='.length));
const maxTokens = Number(flag('max-tokens', '64'));
const json = argv.includes('--json');
const givenUrl = flag('url', '');

const PROMPTS = [
  'the jury said',
  'in the morning',
  'the president of the united states',
  'she looked at the',
  'it is a matter of',
  'the first thing to do is',
  'when he came home',
  'there is no reason to',
];

/** Percentile of sorted values (nearest rank). */
function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Sample {
  ttft: number;
  gaps: number[];
  tokens: number;
}

/** One streaming chat request; resolves with its timings, or rejects with what went wrong. */
function streamOnce(url: string, agent: Agent, prompt: string): Promise<Sample> {
  const body = JSON.stringify({
    messages: [{ role: 'user', content: prompt }],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: maxTokens,
  });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let last = 0;
    let ttft = NaN;
    const gaps: number[] = [];
    let tokens = 0;
    let buffer = '';
    let done = false;
    const req = request(
      `${url}/v1/chat/completions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`HTTP ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (!event.startsWith('data: ')) continue;
            const data = event.slice(6);
            if (data === '[DONE]') {
              done = true;
              continue;
            }
            const parsed = JSON.parse(data) as {
              choices: { delta: { content?: string } }[];
              usage: { completion_tokens: number } | null;
            };
            if (parsed.usage) tokens = parsed.usage.completion_tokens;
            if (parsed.choices[0]?.delta.content) {
              const now = performance.now();
              if (Number.isNaN(ttft)) ttft = now - t0;
              else gaps.push(now - last);
              last = now;
            }
          }
        });
        res.on('end', () =>
          done ? resolve({ ttft, gaps, tokens }) : reject(new Error('stream ended before [DONE]')),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU seconds (user + system, every thread) process `pid` has used so far, or NaN without /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** The server's decoding steps so far and the generations they advanced (from GET /metrics). */
async function batchTotals(url: string): Promise<{ steps: number; rows: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const total = (name: string) =>
    [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
      (t, m) => t + Number(m[1]),
      0,
    );
  return { steps: total('lmkit_decode_batch_size_count'), rows: total('lmkit_decode_batch_size_sum') };
}

/** Runs `clients` clients for `seconds` against the server (process `pid`); returns the figures. */
async function run(url: string, clients: number, pid?: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const ttfts: number[] = [];
  const gaps: number[] = [];
  const errors = new Map<string, number>();
  let completed = 0;
  let tokens = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const serverCpu0 = cpuSeconds(pid);
  const batch0 = await batchTotals(url);
  const clientCpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        try {
          const s = await streamOnce(url, agent, PROMPTS[(c + i) % PROMPTS.length]);
          completed++;
          tokens += s.tokens;
          if (!Number.isNaN(s.ttft)) ttfts.push(s.ttft);
          gaps.push(...s.gaps);
        } catch (err) {
          const key = (err as Error).message;
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = cpuSeconds(pid) - serverCpu0;
  const clientCpu = process.cpuUsage(clientCpu0);
  const batch1 = await batchTotals(url);
  agent.destroy();
  ttfts.sort((a, b) => a - b);
  gaps.sort((a, b) => a - b);
  return {
    clients,
    seconds: Number(elapsed.toFixed(1)),
    requests: completed,
    requests_per_s: Number((completed / elapsed).toFixed(2)),
    tokens_per_s: Number((tokens / elapsed).toFixed(1)),
    ttft_ms: { p50: Number(percentile(ttfts, 50).toFixed(1)), p99: Number(percentile(ttfts, 99).toFixed(1)) },
    itl_ms: { p50: Number(percentile(gaps, 50).toFixed(2)), p99: Number(percentile(gaps, 99).toFixed(2)) },
    mean_batch: Number(((batch1.rows - batch0.rows) / (batch1.steps - batch0.steps)).toFixed(2)),
    cpu_us_per_token: {
      server: Number(((serverCpu * 1e6) / tokens).toFixed(0)),
      clients: Number(((clientCpu.user + clientCpu.system) / tokens).toFixed(0)),
    },
    errors: Object.fromEntries(errors),
  };
}

const model =
  flag('model', '') || (await buildDefaultModel(mkdtempSync(join(tmpdir(), 'lmkit-bench-serve-'))));
const server = givenUrl
  ? { url: givenUrl, pid: undefined, stop: () => undefined }
  : await spawnServer([
      model,
      '--db',
      'none',
      '--concurrency',
      String(concurrency),
      '--max-queue',
      '100000',
      ...serveFlags.flatMap((f) => f.split('=')),
    ]);
const results = [];
try {
  const warm = new Agent({ keepAlive: false });
  await streamOnce(server.url, warm, PROMPTS[0]); // the workers have loaded the model
  warm.destroy();
  for (const clients of clientCounts) results.push(await run(server.url, clients, server.pid));
} finally {
  server.stop();
}
const base = results[0].tokens_per_s;
const settings =
  `server --concurrency ${concurrency}${serveFlags.length ? ' ' + serveFlags.join(' ') : ''}, ` +
  `max_tokens ${maxTokens}, ${model}`;
if (json)
  console.log(
    JSON.stringify({ settings, max_tokens: maxTokens, server_concurrency: concurrency, model, results }),
  );
else {
  console.log(`streaming chat clients for ${seconds} s each (${settings})`);
  console.log(
    '| clients | requests/s | tokens/s | × 1st row | TTFT p50 / p99 ms | inter-token p50 / p99 ms | CPU µs/token server / clients | mean batch | errors |\n|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    console.log(
      `| ${r.clients} | ${r.requests_per_s} | ${r.tokens_per_s} | ${(r.tokens_per_s / base).toFixed(2)} | ` +
        `${r.ttft_ms.p50} / ${r.ttft_ms.p99} | ${r.itl_ms.p50} / ${r.itl_ms.p99} | ` +
        `${r.cpu_us_per_token.server} / ${r.cpu_us_per_token.clients} | ${r.mean_batch} | ${errors}` +
        `${errors ? ' ' + JSON.stringify(r.errors) : ''} |`,
    );
  }
}
