/**
 * Starts `lmkit serve`: picks the models (files given, else the latest speedrun's assistant and the
 * models folder, else a freshly built Brown model), opens the history database, refuses an exposed bind without an API key, runs BLAS on one
 * thread per call (unless LMKIT_THREADS says otherwise), listens, and prints where it is and how to use
 * it. Stops cleanly on SIGINT/SIGTERM.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { LmkitError } from '../errors.js';
import { setBlasThreads } from '../tensor/backend.js';
import { createApp, type App, type AppOptions } from './app.js';
import { isLoopback } from './auth.js';
import { buildDefaultModel } from './default-model.js';
import type { Limits } from './limits.js';
import { isVectorsFile, loadEmbedder, loadModel, modelFilesIn, type ServedModel } from './models.js';
import { ConversationStore } from './store/conversations.js';
import { openDatabase } from './store/db.js';
import { latestAssistant } from '../speedrun/latest.js';
import { defaultHistoryPath, defaultModelsDir, lmkitHome } from '../util/home.js';

export { lmkitHome };

/** The options of {@link startServer} (the CLI's flags). */
export interface ServeOptions {
  models: string[];
  modelsDir?: string;
  host: string;
  port: number;
  apiKey?: string;
  insecureNoKey?: boolean;
  cors?: string;
  /** Host names answered to on loopback besides localhost, 127.0.0.1 and [::1]. */
  allowedHosts?: string[];
  concurrency?: number;
  /** Generation worker threads (default: one per core, at most `concurrency`; 0: the HTTP thread). */
  workers?: number;
  maxQueue?: number;
  /** History database file; `none` for no history. */
  db?: string;
  limits?: Partial<Limits>;
  /** Where progress lines go. */
  log: (line: string) => void;
}

/** Starts a server as the CLI does; resolves once it listens. */
export async function startServer(o: ServeOptions): Promise<{ app: App; url: string }> {
  if (!isLoopback(o.host) && !o.apiKey && !o.insecureNoKey) {
    throw new LmkitError(
      `refusing to listen on ${o.host} without an API key: anyone who can reach it could use it`,
      {
        hint: 'pass --api-key KEY (or --insecure-no-key if the network is trusted)',
      },
    );
  }
  const modelsDir = o.modelsDir ?? defaultModelsDir();
  /** The files to serve: those named, else the latest speedrun's assistant first and the models folder. */
  const discover = (say: boolean): string[] => {
    if (o.models.length) return o.models;
    const found = modelFilesIn(modelsDir, (path, why) => o.log(`not serving ${path}: ${why}`));
    const speedrun = latestAssistant();
    if (!speedrun) return found;
    // the latest speedrun's assistant first (the default model of the UI), then the models folder
    if (say) o.log(`serving the latest speedrun's assistant, ${speedrun}`);
    return [speedrun, ...found.filter((f) => resolve(f) !== resolve(speedrun))];
  };
  let files = discover(true);
  if (!files.length) {
    o.log(`no models in ${modelsDir}: building a Kneser-Ney trigram on the Brown corpus (a few seconds)...`);
    files = [await buildDefaultModel(modelsDir)];
    o.log(
      `saved ${files[0]}. Train more with e.g. 'lmkit ngram train --order 5 brown --lowercase --out ${join(modelsDir, 'brown5.bin')}';\n` +
        `every .arpa/.bin file and checkpoint folder in ${modelsDir} is served under its name.`,
    );
  }
  // generations run side by side (workers, batches): each BLAS call on its own thread, since OpenBLAS
  // threads on products this small wait on each other (and on a busy machine, on the scheduler)
  if (!process.env.LMKIT_THREADS) setBlasThreads(1);
  const dbPath = o.db ?? defaultHistoryPath();
  const store = dbPath === 'none' ? undefined : new ConversationStore(openDatabase(dbPath));
  const loadFiles = (paths: string[]) => ({
    models: paths.filter((f) => !isVectorsFile(f)).map(loadModel),
    embedders: paths.filter(isVectorsFile).map(loadEmbedder),
  });
  const options: AppOptions = {
    ...loadFiles(files),
    // a reload reads the named files again, or looks again (new runs join, the speedrun's assistant stays first)
    loadAgain: async () => {
      const paths = discover(false);
      if (!paths.length)
        throw new LmkitError(`there are no models in ${modelsDir} any more`, {
          hint: 'put a model back and reload again',
        });
      return loadFiles(paths);
    },
    apiKey: o.apiKey,
    cors: o.cors,
    allowedHosts: o.allowedHosts,
    concurrency: o.concurrency,
    workers: o.workers ?? Math.min(o.concurrency ?? 16, availableParallelism()),
    maxQueue: o.maxQueue,
    store,
    limits: o.limits,
  };
  const app = createApp(options);
  await app.ready;
  let address;
  try {
    address = await app.listen(o.port, o.host);
  } catch (err) {
    store?.db.close();
    throw new LmkitError(`cannot listen on ${o.host}:${o.port}: ${(err as Error).message}`, {
      hint: 'pick another --port, or stop the program using it',
    });
  }
  const models = app.state.registry.list();
  const ids = models.map((m) => m.id);
  const vectors = app.state.registry.listEmbedders().map((e) => e.id);
  const all = [...ids, ...vectors];
  const example = models.length
    ? exampleRequest(address.url, models[0])
    : `curl ${address.url}/v1/embeddings -H 'content-type: application/json' ` +
      `-d '{"model":"${vectors[0]}","input":"the king and the queen"}'`;
  o.log(
    `lmkit serve: ${all.length} model${all.length === 1 ? '' : 's'} (${all.join(', ')}) at ${address.url}\n` +
      `  OpenAI API: ${address.url}/v1  (e.g. ${example})\n` +
      `  web UI: ${app.state.ui?.empty === false ? `${address.url}/` : "not built (run 'npm run build')"}\n` +
      `  history: ${dbPath === 'none' ? 'off' : dbPath}; health: ${address.url}/health; metrics: ${address.url}/metrics\n` +
      `  new weights on disk (a PPO or DPO run saved in place)? curl -X POST ${address.url}/admin/reload`,
  );
  app.server.once('close', () => store?.db.close());
  return { app, url: address.url };
}

/**
 * The banner's example request for a model: a question like its SFT data's to a model trained on chats, else a
 * text to continue at temperature 0.7, the kind of request a plain language model answers well.
 */
function exampleRequest(url: string, m: ServedModel): string {
  const curl = (route: string, body: object) =>
    `curl ${url}/v1/${route} -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  if (m.template.name === 'tokens')
    return curl('chat/completions', {
      model: m.id,
      messages: [{ role: 'user', content: 'What is 12 + 7?' }],
    });
  return curl('completions', { model: m.id, prompt: 'the jury said that', max_tokens: 30, temperature: 0.7 });
}
