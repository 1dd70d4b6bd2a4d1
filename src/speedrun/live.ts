/**
 * What the speedrun's progress line shows of a running training stage, read from the files the run
 * writes (never from its progress text): the last records of metrics.jsonl, and the batch shape from
 * config.json for tokens per second.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS_FILE } from '../train/metrics.js';

/** The last `bytes` of a file as text (whole lines only). */
function tail(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    closeSync(fd);
  }
}

/** Tokens per optimizer step of the run in `dir` (batch × targets per window), or NaN when unknown. */
function tokensPerStep(dir: string): number {
  try {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      lmkit_kind?: string;
      training?: { batch_size?: number; block_size?: number };
    };
    const t = c.training ?? {};
    // an NPLM predicts one word per window; sequence models every position of the block
    return (t.batch_size ?? NaN) * (c.lmkit_kind === 'nplm' ? 1 : (t.block_size ?? NaN));
  } catch {
    return NaN;
  }
}

/** "step 120  loss 2.314  8.2k tok/s" for the run in `dir`, or undefined before its first step. */
export function readLive(dir: string): string | undefined {
  const file = join(dir, METRICS_FILE);
  if (!existsSync(file)) return undefined;
  const records = tail(file, 16384)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, number | string>;
      } catch {
        return undefined; // a line being written
      }
    })
    .filter((r): r is Record<string, number | string> => r?.type === 'train');
  const last = records.at(-1);
  if (!last) return undefined;
  const first = records[0];
  const parts = [`step ${last.step}`];
  if (typeof last.loss === 'number') parts.push(`loss ${last.loss.toFixed(3)}`);
  if (typeof last.reward === 'number') parts.push(`reward ${last.reward.toFixed(3)}`);
  if (typeof last.rollout_tokens_per_s === 'number')
    parts.push(`${(last.rollout_tokens_per_s / 1000).toFixed(1)}k rollout tok/s`);
  else {
    const steps = Number(last.step) - Number(first.step);
    const seconds = Number(last.train_s) - Number(first.train_s);
    const tps = (steps * tokensPerStep(dir)) / seconds;
    if (Number.isFinite(tps) && tps > 0) parts.push(`${(tps / 1000).toFixed(1)}k tok/s`);
  }
  return parts.join('  ');
}
