/**
 * Line charts as standalone SVG (no dependencies): axes with "nice" ticks (1, 2, 5 × 10ᵏ), grid lines,
 * one polyline per series with a legend, a title and axis labels. Axis ranges come from the data,
 * widened to the enclosing ticks. Plus the reading of training metrics (src/train/metrics.ts) into the
 * train and validation loss series that `lmkit plot` draws.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { LmkitError } from '../errors.js';
import { METRICS_FILE } from '../train/metrics.js';

/** One curve: points (x, y) in data units. */
export interface Series {
  label: string;
  points: [number, number][];
  /** Dashed line (e.g. training loss beside a solid validation loss). */
  dashed?: boolean;
  /** CSS color; by default taken from a fixed palette by series index. */
  color?: string;
}

/** A chart to draw. */
export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
}

/** An axis: its data range (widened to ticks) and tick values. */
export interface Axis {
  min: number;
  max: number;
  ticks: number[];
}

/** The colors series take in turn. */
export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#8c564b',
  '#e377c2',
  '#17becf',
];
const MARGIN = { left: 70, right: 20, top: 40, bottom: 50 };

/** Ticks at a "nice" step (1, 2 or 5 × 10ᵏ) covering [lo, hi] with about `target` intervals. */
export function niceAxis(lo: number, hi: number, target = 6): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new LmkitError('cannot draw an axis of no data');
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / target;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) as number;
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++) ticks.push(round(min + i * step, step));
  return { min, max, ticks };
}

/** The chart as a standalone SVG document. */
export function renderSvg(chart: Chart): string {
  const W = chart.width ?? 800;
  const H = chart.height ?? 500;
  const all = chart.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0)
    throw new LmkitError(`nothing to plot for "${chart.title}": the series have no points`);
  const xAxis = niceAxis(Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0])));
  const yAxis = niceAxis(Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])));
  const x0 = MARGIN.left;
  const x1 = W - MARGIN.right;
  const y0 = H - MARGIN.bottom;
  const y1 = MARGIN.top;
  const sx = (x: number) => x0 + ((x - xAxis.min) / (xAxis.max - xAxis.min)) * (x1 - x0);
  const sy = (y: number) => y0 - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * (y0 - y1);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text class="title" x="${W / 2}" y="${MARGIN.top / 2 + 5}" text-anchor="middle" font-size="16">${escapeXml(chart.title)}</text>`,
    '<g class="grid" stroke="#e0e0e0" stroke-width="1">',
  ];
  for (const t of xAxis.ticks) out.push(`<line x1="${f(sx(t))}" y1="${y0}" x2="${f(sx(t))}" y2="${y1}"/>`);
  for (const t of yAxis.ticks) out.push(`<line x1="${x0}" y1="${f(sy(t))}" x2="${x1}" y2="${f(sy(t))}"/>`);
  out.push('</g>', '<g class="axes" stroke="black" stroke-width="1">');
  out.push(
    `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}"/>`,
    `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}"/>`,
  );
  out.push('</g>', '<g class="x-ticks" text-anchor="middle">');
  for (const t of xAxis.ticks) out.push(`<text x="${f(sx(t))}" y="${y0 + 18}">${label(t)}</text>`);
  out.push('</g>', '<g class="y-ticks" text-anchor="end">');
  for (const t of yAxis.ticks) out.push(`<text x="${x0 - 6}" y="${f(sy(t) + 4)}">${label(t)}</text>`);
  out.push('</g>');
  out.push(
    `<text class="x-label" x="${(x0 + x1) / 2}" y="${H - 12}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text class="y-label" x="16" y="${(y0 + y1) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(y0 + y1) / 2})">${escapeXml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length === 0) return;
    out.push(
      `<polyline class="series" data-label="${escapeXml(s.label)}" fill="none" stroke="${color}" stroke-width="1.5"${
        s.dashed ? ' stroke-dasharray="5 3"' : ''
      } points="${pts.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ')}"/>`,
    );
    // sparse solid series (evaluations) also get a dot at each point
    if (!s.dashed && pts.length <= 100)
      for (const [x, y] of pts)
        out.push(`<circle class="marker" cx="${f(sx(x))}" cy="${f(sy(y))}" r="2.5" fill="${color}"/>`);
  });
  out.push('<g class="legend">');
  chart.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const y = y1 + 12 + i * 18;
    out.push(
      `<line x1="${x1 - 190}" y1="${y}" x2="${x1 - 165}" y2="${y}" stroke="${color}" stroke-width="2"${
        s.dashed ? ' stroke-dasharray="5 3"' : ''
      }/>`,
      `<text x="${x1 - 160}" y="${y + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  out.push('</g>', '</svg>');
  return out.join('\n') + '\n';
}

/** What a run's metrics file gives `lmkit plot`: per-step training loss and per-evaluation losses. */
export interface RunCurves {
  name: string;
  /** Training loss after each step: step, loss, training seconds (NaN when not logged). */
  train: { step: number; loss: number; seconds: number }[];
  /** Each evaluation: step, mean train-batch loss, validation loss, training seconds. */
  evals: { step: number; trainLoss: number; valLoss: number; seconds: number }[];
}

/** Reads `metrics.jsonl` of a run directory (or the file itself); errors name the file and line. */
export function readRunCurves(path: string): RunCurves {
  const file = path.endsWith('.jsonl') ? path : join(path, METRICS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new LmkitError(
      e.code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${e.message}`,
      { hint: "give a run directory written by 'lmkit train --out DIR'" },
    );
  }
  const curves: RunCurves = { name: runName(path), train: [], evals: [] };
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new LmkitError(`${file} line ${i + 1} is not JSON`, { hint: 'the metrics file is damaged' });
    }
    const num = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : NaN);
    if (r.type === 'train')
      curves.train.push({ step: num('step'), loss: num('loss'), seconds: num('train_s') });
    else if (r.type === 'eval')
      curves.evals.push({
        step: num('step'),
        trainLoss: num('train_loss'),
        valLoss: num('val_loss'),
        seconds: num('train_s'),
      });
  });
  if (curves.train.length === 0 && curves.evals.length === 0)
    throw new LmkitError(`${file} holds no training metrics`, {
      hint: 'the run has not logged a step yet',
    });
  return curves;
}

/** Options of {@link lossChart}. */
export interface LossChartOptions {
  /** x axis: optimizer step (default) or seconds of training. */
  x?: 'step' | 'time';
  /** Average the per-step training loss over windows of this many steps (default: about 1/100 of the run). */
  smooth?: number;
  title?: string;
}

/**
 * Train and validation loss of one or more runs: per run, the (smoothed) per-step training loss dashed
 * and the validation loss at each evaluation solid, in the same color.
 */
export function lossChart(runs: RunCurves[], o: LossChartOptions = {}): Chart {
  const byTime = o.x === 'time';
  if (byTime)
    for (const r of runs)
      if (![...r.train, ...r.evals].some((p) => Number.isFinite(p.seconds)))
        throw new LmkitError(`run ${r.name} did not log training time (train_s)`, {
          hint: 'plot it against steps (the default), or retrain with a newer lmkit',
        });
  const series: Series[] = [];
  runs.forEach((r, i) => {
    const color = PALETTE[i % PALETTE.length];
    const prefix = runs.length > 1 ? `${r.name}: ` : '';
    const window = o.smooth ?? Math.max(1, Math.round(r.train.length / 100));
    const train = smooth(r.train, window).map(
      (p) => [byTime ? p.seconds : p.step, p.loss] as [number, number],
    );
    if (train.length) series.push({ label: `${prefix}train loss`, points: train, dashed: true, color });
    const val = r.evals.map((e) => [byTime ? e.seconds : e.step, e.valLoss] as [number, number]);
    if (val.length) series.push({ label: `${prefix}validation loss`, points: val, color });
  });
  return {
    title: o.title ?? `Training curves: ${runs.map((r) => r.name).join(', ')}`,
    xLabel: byTime ? 'training time (s)' : 'step',
    yLabel: 'loss (nats per token)',
    series,
  };
}

/** Means of consecutive windows of `n` training records (step and time of each window's last record). */
function smooth<T extends { step: number; loss: number; seconds: number }>(points: T[], n: number): T[] {
  if (n <= 1) return points;
  const out: T[] = [];
  for (let i = 0; i < points.length; i += n) {
    const chunk = points.slice(i, i + n);
    const last = chunk[chunk.length - 1];
    out.push({ ...last, loss: chunk.reduce((s, p) => s + p.loss, 0) / chunk.length });
  }
  return out;
}

function runName(path: string): string {
  const p = resolve(path.endsWith('.jsonl') ? join(path, '..') : path);
  return basename(p);
}

/** A number as an SVG coordinate (2 decimals). */
function f(v: number): string {
  return Number(v.toFixed(2)).toString();
}

/** A tick label without floating-point noise. */
function label(v: number): string {
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(v);
}

/** Rounds a tick to the precision of its step. */
function round(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(20, digits)));
}

/** Escapes text for XML content and attributes. */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}
