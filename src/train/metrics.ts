/** A run's metrics as JSONL: one JSON object per line, appended as training goes. */
import { appendFileSync, mkdirSync } from 'node:fs';
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
}
