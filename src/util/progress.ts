/**
 * A progress bar for long jobs: fraction done, count, rate, ETA and any extra figures (e.g. the loss),
 * redrawn in place on a terminal at most ten times a second. Off a terminal it stays silent, so logs
 * and pipes get only the final results.
 */
export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private drawn = false;

  /**
   * A bar for `total` units of `unit` (e.g. "sentences", "steps") written to `stream` when it is a
   * terminal; counts are shown with `decimals` digits after the point (e.g. 1 for megabytes).
   */
  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
    private readonly decimals = 0,
  ) {}

  /** Reports `done` units finished, with optional figures shown after the ETA. */
  update(done: number, extra = ''): void {
    if (!this.stream.isTTY) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    this.stream.write(`\r${this.render(done, now, extra)}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the bar's line (call when the job ends). */
  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** The bar as text, e.g. "counting [#####.....] 50% 500/1000 sentences 2.1k/s ETA 0:00:01". */
  render(done: number, now = performance.now(), extra = ''): string {
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : NaN;
    return (
      `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `${done.toFixed(this.decimals)}/${this.total.toFixed(this.decimals)} ${this.unit} ${formatRate(rate)}/s ETA ${formatDuration(eta)}${extra ? ` ${extra}` : ''}`
    );
  }
}

/** Where a bar is drawn: a terminal (or anything else, where it stays silent). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * A bar for reading a file, in megabytes: made on the first report (when the file's size is known), so
 * its `update` can be given straight to a reader as its progress callback.
 */
export function readingBar(
  stream: ProgressStream,
  label = 'reading',
): { update: (bytes: number, size: number) => void; done: () => void } {
  let bar: ProgressBar | undefined;
  return {
    update(bytes, size) {
      bar ??= new ProgressBar(stream, label, size / 1e6, 'MB', 1);
      bar.update(bytes / 1e6);
    },
    done: () => bar?.done(),
  };
}

function formatRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(1)}M` : r >= 1e3 ? `${(r / 1e3).toFixed(1)}k` : r.toFixed(1);
}

/** Seconds as H:MM:SS (or "?" when unknown). */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const t = Math.round(s);
  return `${Math.floor(t / 3600)}:${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}
