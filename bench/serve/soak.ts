/**
 * Soak run for `lmkit serve` (not a test): for --minutes, 64 clients send mixed traffic over loopback to a
 * server in its own process serving a small GPT and an n-gram model with history on: chat streams, streams
 * cancelled midway, history conversations and messages, and bad requests (which must get their 4xx). It
 * reports unexpected errors (want 0), the server's RSS each --sample seconds (want no growth after warm-up),
 * the event loop's delay in the server's HTTP thread (from its /metrics: p99 and max over each minute), the
 * round trip of GET /health, and open file descriptors at start and end (read from /proc, so Linux only).
 * History traffic includes feedback: thumbs on replies, and comparisons of two replies with a choice.
 *
 *   npm run build && node dist/bench/serve/soak.js [--minutes 30] [--clients 64] [--sample 10] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LMKIT_BIN, spawnServer } from '../../src/serve/spawn.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const minutes = Number(flag('minutes', '30'));
const clients = Number(flag('clients', '64'));
const sampleSeconds = Number(flag('sample', '10'));
const LINES = [
  'the jury said that the city was good .',
  'the city said that the jury was bad .',
  'a man said that the dog ran home .',
  'the dog said nothing at all .',
];

/** Builds the two models in `dir`: a trigram ARPA file and a GPT trained for a few steps. */
function buildModels(dir: string): string[] {
  const arpa = join(dir, 'ngram.arpa');
  new NGramModel(trainNGram(LINES, { order: 3, smoothing: 'kn' }).model).save(arpa);
  const text = join(dir, 'text.txt');
  writeFileSync(text, LINES.join('\n').repeat(50));
  const gpt = join(dir, 'gpt');
  const args = ['train', '--data', text, '--out', gpt, '--n_layer', '2', '--n_head', '2', '--n_embd', '32'];
  const r = spawnSync(
    process.execPath,
    [LMKIT_BIN, ...args, '--block_size', '32', '--max_iters', '30', '--eval_interval', '30'],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`training the soak GPT failed: ${r.stderr}`);
  return [arpa, gpt];
}

const agent = new Agent({ keepAlive: true, maxSockets: clients * 2 });

/** One request; resolves with status and body text, or rejects on a transport error. */
function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  cancelAfterMs?: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
        if (cancelAfterMs !== undefined)
          setTimeout(() => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, text });
          }, cancelAfterMs);
      },
    );
    req.on('error', (err) => (cancelAfterMs !== undefined && req.destroyed ? undefined : reject(err)));
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** Resident set size (bytes) and open file descriptors of process `pid`. */
function procStats(pid: number): { rss: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { rss: kb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lmkit-soak-'));
  const models = buildModels(dir);
  const { url, pid, stop } = await spawnServer([
    ...models,
    '--db',
    join(dir, 'history.db'),
    '--concurrency',
    '8',
    '--max-queue',
    '4096',
  ]);
  const start = procStats(pid);
  const counts = { streams: 0, cancels: 0, history: 0, feedback: 0, bad: 0, errors: 0 };
  const errors: string[] = [];
  const fail = (what: string) => {
    counts.errors++;
    if (errors.length < 10) errors.push(what);
  };
  const ids = ['ngram', 'gpt'];
  const deadline = Date.now() + minutes * 60_000;

  async function client(k: number): Promise<void> {
    let conversation: string | undefined;
    for (let i = 0; Date.now() < deadline; i++) {
      const model = ids[(k + i) % 2];
      const kind = (k * 7 + i) % 4;
      try {
        if (kind === 0) {
          const r = await call(url, 'POST', '/v1/chat/completions', {
            model,
            stream: true,
            max_tokens: 24,
            messages: [{ role: 'user', content: 'the jury' }],
          });
          if (r.status !== 200 || !r.text.includes('[DONE]'))
            fail(`stream ${r.status} ${r.text.slice(0, 80)}`);
          counts.streams++;
        } else if (kind === 1) {
          const r = await call(
            url,
            'POST',
            '/v1/completions',
            { model, stream: true, max_tokens: 200, min_tokens: 200, prompt: 'the city' },
            20,
          );
          if (r.status !== 200 && r.status !== 0) fail(`cancelled stream ${r.status}`);
          counts.cancels++;
        } else if (kind === 2) {
          if (!conversation || i % 20 === 2) {
            const c = await call(url, 'POST', '/api/conversations', { model });
            if (c.status !== 201) fail(`create ${c.status}`);
            conversation = (JSON.parse(c.text) as { id: string }).id;
          }
          const r = await call(url, 'POST', `/api/conversations/${conversation}/messages`, {
            content: 'the dog',
            max_tokens: 16,
          });
          if (r.status !== 201) fail(`history ${r.status} ${r.text.slice(0, 80)}`);
          counts.history++;
          if (r.status === 201 && i % 5 === 2) {
            const reply = (JSON.parse(r.text) as { reply: { id: string } }).reply;
            const base = `/api/conversations/${conversation}`;
            const t = await call(url, 'POST', `${base}/messages/${reply.id}/rating`, { rating: 1 });
            if (t.status !== 200) fail(`rating ${t.status} ${t.text.slice(0, 80)}`);
            const c = await call(url, 'POST', `${base}/messages/${reply.id}/compare`, { max_tokens: 16 });
            if (c.status !== 201) fail(`compare ${c.status} ${c.text.slice(0, 80)}`);
            else {
              const id = (JSON.parse(c.text) as { comparison: { id: string } }).comparison.id;
              const d = await call(url, 'POST', `${base}/comparisons/${id}`, { choice: i % 2 ? 'a' : 'b' });
              if (d.status !== 200) fail(`choice ${d.status} ${d.text.slice(0, 80)}`);
            }
            counts.feedback++;
          }
        } else {
          const bad: [string, string, unknown, number][] = [
            ['POST', '/v1/chat/completions', '{"model":', 400],
            [
              'POST',
              '/v1/chat/completions',
              { model: 'nope', messages: [{ role: 'user', content: 'x' }] },
              404,
            ],
            ['POST', '/v1/completions', { model, prompt: 'x', temperature: 9 }, 400],
            ['GET', '/v2/none', undefined, 404],
          ];
          const [method, path, body, want] = bad[i % bad.length];
          const r = await call(url, method, path, body);
          if (r.status !== want) fail(`bad request ${path} got ${r.status}, want ${want}`);
          counts.bad++;
        }
      } catch (err) {
        fail(`transport: ${(err as Error).message}`);
      }
    }
  }

  const samples: {
    s: number;
    rssMiB: number;
    fds: number;
    healthMs: number;
    loopP99Ms: number;
    loopMaxMs: number;
  }[] = [];
  const began = Date.now();
  const sampler = setInterval(() => {
    const t0 = performance.now();
    call(url, 'GET', '/health')
      .then(async () => {
        const healthMs = Math.round(performance.now() - t0);
        const metrics = (await call(url, 'GET', '/metrics')).text;
        const loop = (q: string) =>
          1000 *
          Number(
            new RegExp(`^lmkit_event_loop_delay_seconds\\{quantile="${q}"\\} ([\\d.]+)$`, 'm').exec(
              metrics,
            )?.[1] ?? NaN,
          );
        const { rss, fds } = procStats(pid);
        samples.push({
          s: Math.round((Date.now() - began) / 1000),
          rssMiB: Math.round(rss / 2 ** 20),
          fds,
          healthMs,
          loopP99Ms: Math.round(loop('0.99')),
          loopMaxMs: Math.round(loop('1')),
        });
      })
      .catch(() => fail('health check failed'));
  }, sampleSeconds * 1000);
  await Promise.all(Array.from({ length: clients }, (_, k) => client(k)));
  clearInterval(sampler);
  agent.destroy();
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // let the server close idle sockets
  const end = procStats(pid);
  stop();
  const health = samples.map((x) => x.healthMs).sort((a, b) => a - b);
  const loopP99 = samples.map((x) => x.loopP99Ms).sort((a, b) => a - b);
  const warm = samples[Math.floor(samples.length / 5)]; // the first fifth is warm-up
  const report = {
    minutes,
    clients,
    ...counts,
    errorExamples: errors,
    rssMiB: samples.map((x) => [x.s, x.rssMiB]),
    rssGrowthAfterWarmupMiB: warm ? (samples.at(-1)?.rssMiB ?? 0) - warm.rssMiB : null,
    healthMs: { p50: health[Math.floor(health.length / 2)], max: health.at(-1) },
    eventLoopDelayMs: {
      p99MedianOfMinutes: loopP99[Math.floor(loopP99.length / 2)],
      p99Worst: loopP99.at(-1),
      max: Math.max(...samples.map((x) => x.loopMaxMs)),
    },
    fds: { start: start.fds, end: end.fds },
  };
  if (argv.includes('--json')) console.log(JSON.stringify(report));
  else {
    console.log(
      `soak ${minutes} min, ${clients} clients: ${counts.streams} streams, ${counts.cancels} cancelled, ` +
        `${counts.history} history replies (${counts.feedback} with a thumb and a comparison), ` +
        `${counts.bad} bad requests; errors ${counts.errors}`,
    );
    for (const e of errors) console.log(`  error: ${e}`);
    console.log(`RSS MiB over time (s, MiB): ${report.rssMiB.map(([t, m]) => `${t}:${m}`).join(' ')}`);
    console.log(`RSS growth after warm-up (first fifth): ${report.rssGrowthAfterWarmupMiB} MiB`);
    const d = report.eventLoopDelayMs;
    console.log(
      `event-loop delay in the server (its /metrics, per minute): p99 median ${d.p99MedianOfMinutes} ms, ` +
        `worst p99 ${d.p99Worst} ms, max ${d.max} ms`,
    );
    console.log(
      `GET /health round trip under load: p50 ${report.healthMs.p50} ms, max ${report.healthMs.max} ms`,
    );
    console.log(`open fds: start ${start.fds}, end ${end.fds}`);
  }
  process.exitCode = counts.errors === 0 && end.fds === start.fds ? 0 : 1;
}

await main();
