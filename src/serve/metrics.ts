/**
 * Server metrics in Prometheus text format: request and token counters, TTFT, tokens/s and decoding
 * batch size histograms, the event loop's delay (how long a request waits behind other work in the
 * HTTP thread), and the process's resident memory and open file descriptors.
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c))}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** A monotonically increasing count per label set. */
class Counter {
  private readonly values = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`);
    return lines.join('\n');
  }
}

/** Observations counted into cumulative buckets, per label set. */
class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) =>
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}`),
      );
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** Every metric the server keeps. */
export class Metrics {
  readonly requests = new Counter('lmkit_requests_total', 'HTTP requests answered, by route and status');
  readonly promptTokens = new Counter('lmkit_prompt_tokens_total', 'prompt tokens read, by model');
  readonly completionTokens = new Counter('lmkit_completion_tokens_total', 'tokens generated, by model');
  readonly cancelled = new Counter(
    'lmkit_generations_cancelled_total',
    'generations cancelled by the client',
  );
  readonly ttft = new Histogram(
    'lmkit_time_to_first_token_seconds',
    'time from request to first generated token',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  readonly tokensPerSecond = new Histogram(
    'lmkit_tokens_per_second',
    'generation speed of one completion after its first token',
    [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
  );
  readonly batchSize = new Histogram(
    'lmkit_decode_batch_size',
    'generations one decoding step of a model advanced together (continuous batching), by model',
    [1, 2, 4, 8, 16, 32, 64, 128],
  );

  private loop?: IntervalHistogram;
  private loopSince = 0;

  /** Starts sampling the event loop's delay (every 10 ms); `stop` ends it. */
  start(): void {
    this.loop ??= monitorEventLoopDelay({ resolution: 10 });
    this.loop.enable();
    this.loopSince = performance.now();
  }

  /** Stops sampling the event loop. */
  stop(): void {
    this.loop?.disable();
  }

  /**
   * The event loop's delay over the last window (at least 60 s, then a new window starts), as
   * Prometheus summary lines: p50, p99 and max in seconds.
   */
  private loopLines(): string[] {
    const h = this.loop;
    if (!h || h.count === 0) return [];
    const s = (ns: number) => (ns / 1e9).toFixed(6);
    const name = 'lmkit_event_loop_delay_seconds';
    const lines = [
      `# HELP ${name} delay of the HTTP thread's event loop beyond its 10 ms sampling timer, over the last minute or more`,
      `# TYPE ${name} summary`,
      `${name}{quantile="0.5"} ${s(h.percentile(50))}`,
      `${name}{quantile="0.99"} ${s(h.percentile(99))}`,
      `${name}{quantile="1"} ${s(h.max)}`,
    ];
    if (performance.now() - this.loopSince >= 60_000) {
      h.reset();
      this.loopSince = performance.now();
    }
    return lines;
  }

  /** The Prometheus exposition text, with the queue gauges read now. */
  render(gauges: { active: number; queued: number }): string {
    return (
      [
        this.requests.render(),
        this.promptTokens.render(),
        this.completionTokens.render(),
        this.cancelled.render(),
        this.ttft.render(),
        this.tokensPerSecond.render(),
        this.batchSize.render(),
        '# HELP lmkit_generations_active generations running now',
        '# TYPE lmkit_generations_active gauge',
        `lmkit_generations_active ${gauges.active}`,
        '# HELP lmkit_generations_queued requests waiting for a generation slot',
        '# TYPE lmkit_generations_queued gauge',
        `lmkit_generations_queued ${gauges.queued}`,
        ...this.loopLines(),
        ...processLines(),
      ].join('\n') + '\n'
    );
  }
}

/** The process's resident memory and (on Linux) open file descriptors, under Prometheus's standard names. */
function processLines(): string[] {
  const lines = [
    '# HELP process_resident_memory_bytes resident memory size in bytes',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
  ];
  try {
    const fds = readdirSync('/proc/self/fd').length;
    lines.push(
      '# HELP process_open_fds open file descriptors',
      '# TYPE process_open_fds gauge',
      `process_open_fds ${fds}`,
    );
  } catch {
    // no /proc: not Linux
  }
  return lines;
}
