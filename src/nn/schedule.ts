/** Learning-rate schedules: functions from the step number (0-based) to the learning rate. */

/** A schedule maps a 0-based step to a learning rate. */
export type Schedule = (step: number) => number;

/** Options shared by the decaying schedules. */
export interface DecayOptions {
  lr: number;
  warmupSteps?: number;
  totalSteps: number;
  minLr?: number;
}

/** The same rate at every step. */
export function constantLR(lr: number): Schedule {
  return () => lr;
}

function warmup(step: number, o: DecayOptions): number | null {
  const w = o.warmupSteps ?? 0;
  return step < w ? (o.lr * (step + 1)) / w : null;
}

/** Linear warmup to lr, then cosine decay to minLr at totalSteps (nanoGPT's schedule). */
export function warmupCosineLR(o: DecayOptions): Schedule {
  const min = o.minLr ?? 0;
  const w = o.warmupSteps ?? 0;
  return (step) => {
    const up = warmup(step, o);
    if (up !== null) return up;
    if (step >= o.totalSteps) return min;
    const ratio = (step - w) / Math.max(1, o.totalSteps - w);
    return min + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (o.lr - min);
  };
}

/** Linear warmup to lr, then linear decay to minLr at totalSteps. */
export function linearDecayLR(o: DecayOptions): Schedule {
  const min = o.minLr ?? 0;
  const w = o.warmupSteps ?? 0;
  return (step) => {
    const up = warmup(step, o);
    if (up !== null) return up;
    if (step >= o.totalSteps) return min;
    return o.lr - ((o.lr - min) * (step - w)) / Math.max(1, o.totalSteps - w);
  };
}
