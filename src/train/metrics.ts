/**
 * A run's metrics as JSONL: one JSON object per line, appended as training goes. The loop writes
 * `{type: "train", step, loss, lr, train_s}` after every step and `{type: "eval", step, train_loss,
 * val_loss, train_s}` at every evaluation (losses in nats per token; train_s: seconds of training steps
 * so far, evaluation excluded; absent in logs written before it was added).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.js';
import { dirname } from 'node:path';

/** The metrics file name inside a run directory. */
export const METRICS_FILE = 'metrics.jsonl';

/** Appends records to a JSONL file. */
export class MetricsLog {
  /** Writes to `path` (its folder is created). */
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Appends one record as a line. */
  write(record: Record<string, unknown>): void {
    appendFileSync(this.path, JSON.stringify(record) + '\n');
  }

  /**
   * Drops records after `step`, so a run resumed from an older checkpoint does not log those steps twice,
   * and a line a kill cut short in the middle of its write.
   */
  truncateAfter(step: number): void {
    if (!existsSync(this.path)) return;
    const kept = readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((line) => {
        if (!line) return false;
        try {
          return (JSON.parse(line) as { step: number }).step <= step;
        } catch {
          return false; // cut short by a kill during the append
        }
      });
    writeFileAtomic(
      this.path,
      kept.map((l) => l + '\n'),
    );
  }
}
