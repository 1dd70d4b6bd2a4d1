/**
 * The speedrun's time budget: durations as the user writes them ("5m", "90s", "1h30m") and the rule that
 * divides the wall-clock budget among stages. Each stage has a weight (its share of the whole run, out
 * of 100); when a stage starts it gets the time still left in the budget times its weight over the
 * weights of every stage still to run (itself included). A stage that overran shrinks the shares of
 * those after it, one that finished early gives its time to them, and a resumed run divides only what
 * is left.
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

/** The seconds a stage of weight `weight` gets when `left` seconds remain for stages of total weight `remainingWeight`. */
export function stageShare(left: number, weight: number, remainingWeight: number): number {
  if (remainingWeight <= 0) return 0;
  return (Math.max(0, left) * weight) / remainingWeight;
}

/**
 * The --max-time a training command gets out of its stage's share: what is left after a fixed allowance
 * for starting the process, loading data and the final evaluation and save (15% and 2 s), at least 1 s.
 */
export function trainingTime(share: number): number {
  return Math.max(1, Math.round((share * 0.85 - 2) * 10) / 10);
}
