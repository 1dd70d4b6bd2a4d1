/**
 * Any logged figure of training runs against steps: per key, the per-step values of `metrics.jsonl`'s
 * train records (averaged over windows, dashed) and the evaluations' `valid_KEY` (solid), e.g. a PPO
 * run's reward, KL and gold score, or a reward model's accuracy.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { LmkitError } from '../errors.js';
import { METRICS_FILE } from '../train/metrics.js';
import { PALETTE, type Chart, type Series } from './svg.js';

/** The chart of `keys` over the runs at `paths` (run folders or metrics files); an absent key is an error. */
export function metricChart(
  paths: readonly string[],
  keys: readonly string[],
  o: { smooth?: number; title?: string } = {},
): Chart {
  const series: Series[] = [];
  let color = 0;
  for (const path of paths) {
    const file = path.endsWith('.jsonl') ? path : join(path, METRICS_FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new LmkitError(`${file} does not exist`, {
        hint: "give a run directory written by 'lmkit train --out DIR'",
      });
    }
    const records = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l, i) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          throw new LmkitError(`${file} line ${i + 1} is not JSON`, { hint: 'the metrics file is damaged' });
        }
      });
    const name = basename(resolve(path.endsWith('.jsonl') ? join(path, '..') : path));
    for (const key of keys) {
      const points = (type: string, k: string) =>
        records
          .filter((r) => r.type === type && typeof r[k] === 'number' && typeof r.step === 'number')
          .map((r) => [r.step as number, r[k] as number] as [number, number]);
      const train = points('train', key);
      const valid = points('eval', `valid_${key}`).concat(points('eval', key));
      if (!train.length && !valid.length)
        throw new LmkitError(`${file} has no "${key}" (neither per step nor as valid_${key})`);
      const c = PALETTE[color++ % PALETTE.length];
      const label = paths.length > 1 ? `${name}: ${key}` : key;
      const n = o.smooth ?? Math.max(1, Math.round(train.length / 50));
      if (train.length)
        series.push({ label: `${label} (per step)`, points: windows(train, n), dashed: true, color: c });
      if (valid.length) series.push({ label: `${label} (held out)`, points: valid, color: c });
    }
  }
  return {
    title: o.title ?? `${keys.join(', ')}: ${paths.map((p) => basename(resolve(p))).join(', ')}`,
    xLabel: 'step',
    yLabel: keys.join(', '),
    series,
  };
}

/** Means of consecutive windows of n points (at each window's last step). */
function windows(points: [number, number][], n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += n) {
    const chunk = points.slice(i, i + n);
    out.push([chunk[chunk.length - 1][0], chunk.reduce((s, p) => s + p[1], 0) / chunk.length]);
  }
  return out;
}
