/**
 * A generation worker thread: loads the server's model files once, then runs the generations the main
 * thread sends it (several at once, interleaved token by token) and posts their text deltas back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { streamText, type StreamOptions } from '../generate/stream.js';
import { loadModel, type ServedModel } from './models.js';
import type { FromWorker, ToWorker } from './worker-pool.js';

const models = new Map<string, ServedModel>(
  (workerData as { models: { id: string; path: string }[] }).models.map((m) => [
    m.id,
    { ...loadModel(m.path), id: m.id },
  ]),
);
const running = new Map<number, AbortController>();
const port = parentPort as NonNullable<typeof parentPort>;
const post = (m: FromWorker) => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') running.get(m.id)?.abort();
  else void run(m.id, m.model, m.prompt, m.options);
});

async function run(id: number, modelId: string, prompt: number[], options: StreamOptions): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const served = models.get(modelId);
    if (!served) throw new Error(`worker has no model '${modelId}'`);
    const gen = streamText(served.model, prompt, { ...options, signal: controller.signal });
    let r = await gen.next();
    while (!r.done) {
      post({ type: 'delta', id, text: r.value });
      r = await gen.next();
    }
    post({ type: 'done', id, result: r.value });
  } catch (err) {
    post({ type: 'error', id, message: (err as Error).message });
  } finally {
    running.delete(id);
  }
}
