/**
 * The speedrun's time budget: durations as the user writes them ("5m", "90s", "1h30m") and the rule that
 * divides the wall-clock budget among stages. Each stage has a floor (its fixed cost in seconds: starting
 * processes, loading data and models, final evaluations and saves, measured here) and a weight (its part
 * of the rest). When a stage starts it gets its floor plus, of the time still left beyond the floors of
 * every stage still to run (itself included), its weight over their weights. So the fixed costs of the
 * stages at the end (evaluation, the assistant's answers, the report) are set aside from the start; a
 * stage that overran shrinks the shares of those after it, one that finished early gives its time to
 * them, and a resumed run divides only what is left. What a stage does beyond its floor (training steps,
 * preference samples, scored questions) is sized by what its share gives beyond the floor.
 *
 * The floors were measured on a quiet machine; on a busy one every process is slower. So the floors of the
 * stages still to run are multiplied by the run's slowdown so far: the fixed time the finished stages took
 * (their wall time less the time their shares gave beyond their floors) over their floors, between 0.5 and 4.
 * The training stages then give up what the slower fixed work needs, and the run keeps to its budget as
 * long as the fixed work alone fits in it.
 */
import { UsageError } from '../errors.js';

/** Seconds of a duration such as "30m", "90s", "1h30m", "2.5m" or a bare number of seconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(h|m|s)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
    end = re.lastIndex;
  }
  if (!t || end !== t.length || total <= 0)
    throw new UsageError(
      `--budget ${JSON.stringify(text)} is not a duration`,
      'write it as 30m, 90s, 1h30m or a number of seconds',
    );
  return total;
}

/** A duration as m:ss (or h:mm:ss). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** What the budget rule knows of a stage: its weight and its floor (fixed cost) in seconds. */
export interface Claim {
  weight: number;
  floor: number;
}

/**
 * The seconds the first of `stages` (those still to run, in order) gets when `left` seconds remain: its
 * floor plus its weight's part of what is left beyond the floors of all of them (nothing when the floors
 * take it all).
 */
export function stageShare(left: number, stages: readonly Claim[]): number {
  if (!stages.length) return 0;
  const weight = stages.reduce((t, s) => t + s.weight, 0);
  const floors = stages.reduce((t, s) => t + s.floor, 0);
  const free = Math.max(0, left - floors);
  return stages[0].floor + (weight > 0 ? (free * stages[0].weight) / weight : 0);
}

/** The factor for the floors of the stages still to run: fixed time taken over floors planned, 0.5 to 4 (1 before any). */
export function slowdown(fixedTaken: number, floorsPlanned: number): number {
  if (floorsPlanned <= 0) return 1;
  return Math.min(4, Math.max(0.5, fixedTaken / floorsPlanned));
}

/** The --max-time of a training command given `free` seconds beyond its stage's floor: tenths, at least 1 s. */
export function trainingTime(free: number): number {
  return Math.max(1, Math.round(free * 10) / 10);
}
