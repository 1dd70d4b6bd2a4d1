/**
 * Generation off the request path: worker threads that each hold the served model files and run
 * generations (each model's continuously batched), so the HTTP thread only routes requests and writes
 * events, and several cores generate at once. A model that decodes its sequences together (a GPT's
 * `decodeGroup`) has one home worker that runs all of its generations, so they share every step (split
 * over workers they would not batch); the homes of several such models are spread over the workers.
 * Other models' generations go to the worker with the fewest running. A worker answers with one
 * message per decoding step. A generation looks the same as an in-process `streamText`: an async
 * stream of text deltas.
 */
import { Worker } from 'node:worker_threads';
import type { StreamOptions, StreamResult } from '../generate/stream.js';
import { ApiError } from './errors.js';

/** Messages to a worker. */
export type ToWorker =
  | { type: 'start'; id: number; model: string; prompt: number[]; options: StreamOptions }
  | { type: 'cancel'; id: number };

/** What happened to one generation in a worker. */
export type WorkerEvent =
  | { type: 'delta'; id: number; text: string }
  | { type: 'done'; id: number; result: StreamResult }
  | { type: 'error'; id: number; message: string };

/** How many generations of a model one decoding step advanced. */
export interface StepSize {
  model: string;
  size: number;
}

/** Messages from a worker: the events of one decoding step (or of a refused start), in order, and its size. */
export type FromWorker = { type: 'events'; events: WorkerEvent[]; steps: StepSize[] };

interface Job {
  deltas: string[];
  result?: StreamResult;
  error?: Error;
  wake?: () => void;
}

interface Slot {
  worker: Worker;
  jobs: Set<number>;
}

/** A model file the workers serve; `batches` when its generations share decoding steps. */
export interface PoolModel {
  id: string;
  path: string;
  batches?: boolean;
}

/** A fixed set of generation workers (see the module comment for which one runs a generation). */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly jobs = new Map<number, Job>();
  /** The slot index of each batching model. */
  private readonly homes = new Map<string, number>();
  private nextId = 0;
  private closing = false;
  /** Hears the size of every decoding step (e.g. for the metrics). */
  onStep?: (step: StepSize) => void;

  /** Starts `size` workers serving the model files `models`. */
  constructor(
    size: number,
    private readonly models: PoolModel[],
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
    for (const m of models) if (m.batches) this.homes.set(m.id, this.homes.size % size);
  }

  /** Whether the workers hold this model. */
  has(modelId: string): boolean {
    return this.models.some((m) => m.id === modelId);
  }

  /** Generates in a worker; yields text deltas and returns how generation ended (see streamText). */
  async *generate(modelId: string, prompt: number[], o: StreamOptions): AsyncGenerator<string, StreamResult> {
    const { signal, rng: _rng, ...options } = o;
    const home = this.homes.get(modelId);
    const slot =
      home === undefined
        ? this.slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a))
        : this.slots[home];
    const id = this.nextId++;
    const job: Job = { deltas: [] };
    this.jobs.set(id, job);
    slot.jobs.add(id);
    slot.worker.ref(); // an idle pool does not keep the process alive; a running job does
    const cancel = () => slot.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
    signal?.addEventListener('abort', cancel, { once: true });
    slot.worker.postMessage({ type: 'start', id, model: modelId, prompt, options } satisfies ToWorker);
    if (signal?.aborted) cancel();
    try {
      for (;;) {
        while (job.deltas.length) yield job.deltas.shift() as string;
        if (job.error) throw job.error;
        if (job.result) return job.result;
        await new Promise<void>((resolve) => (job.wake = resolve));
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
      if (!job.result && !job.error) cancel();
      this.jobs.delete(id);
      slot.jobs.delete(id);
      if (!slot.jobs.size) slot.worker.unref();
    }
  }

  /** Stops every worker once the generations running now have ended (no new ones should be sent). */
  async closeWhenIdle(): Promise<void> {
    while (this.jobs.size) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.close();
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { models: this.models.map(({ id, path }) => ({ id, path })) },
    });
    const slot: Slot = { worker, jobs: new Set() };
    worker.on('message', (m: FromWorker) => {
      if (this.onStep) for (const s of m.steps) this.onStep(s);
      for (const e of m.events) {
        const job = this.jobs.get(e.id);
        if (!job) continue;
        if (e.type === 'delta') job.deltas.push(e.text);
        else if (e.type === 'done') job.result = e.result;
        else
          job.error = new ApiError(
            500,
            `generation failed: ${e.message}`,
            'server_error',
            'generation_failed',
          );
        job.wake?.();
      }
    });
    const fail = (why: string) => {
      for (const id of slot.jobs) {
        const job = this.jobs.get(id);
        if (!job) continue;
        job.error = new ApiError(500, `generation worker stopped: ${why}`, 'server_error', 'worker_failed');
        job.wake?.();
      }
      if (this.closing) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => code !== 0 && !this.closing && fail(`exit code ${code}`));
    worker.unref();
    return slot;
  }
}
