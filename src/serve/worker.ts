/**
 * A generation worker thread: loads the server's model files once, then runs the generations the main
 * thread sends it, each model's continuously batched (one token of every running generation per step,
 * see generate/continuous.ts), and posts each step's deltas and endings back in one message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ContinuousBatcher } from '../generate/continuous.js';
import { loadModel } from './models.js';
import type { FromWorker, StepSize, ToWorker, WorkerEvent } from './worker-pool.js';

const port = parentPort as NonNullable<typeof parentPort>;
let outbox: WorkerEvent[] = [];
let steps: StepSize[] = [];
/** Sends the events gathered since the last call, with the sizes of the steps that made them, as one message. */
const flush = () => {
  if (!outbox.length) return;
  port.postMessage({ type: 'events', events: outbox, steps } satisfies FromWorker);
  outbox = [];
  steps = [];
};

const batchers = new Map<string, ContinuousBatcher>(
  (workerData as { models: { id: string; path: string }[] }).models.map((m) => {
    const batcher = new ContinuousBatcher(loadModel(m.path).model);
    batcher.onStep = () => {
      steps.push({ model: m.id, size: batcher.lastStepSize });
      flush();
    };
    return [m.id, batcher];
  }),
);
/** Generations running here, and those the main thread cancelled. */
const running = new Set<number>();
const cancelled = new Set<number>();

port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') {
    if (running.has(m.id)) cancelled.add(m.id);
    return;
  }
  const { id } = m;
  const ended = () => {
    running.delete(id);
    cancelled.delete(id);
  };
  try {
    const batcher = batchers.get(m.model);
    if (!batcher) throw new Error(`worker has no model '${m.model}'`);
    running.add(id);
    let first = true;
    batcher.add(m.prompt, m.options, {
      left: () => cancelled.has(id),
      delta: (text) => {
        outbox.push({ type: 'delta', id, text });
        if (first) flush(); // a first token goes out at once, not at the end of the step
        first = false;
      },
      done: (result) => {
        ended();
        outbox.push({ type: 'done', id, result });
      },
      error: (err) => {
        ended();
        outbox.push({ type: 'error', id, message: err.message });
      },
    });
  } catch (err) {
    ended();
    outbox.push({ type: 'error', id, message: (err as Error).message });
    flush();
  }
});
