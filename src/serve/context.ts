/** What a route handler gets: the request, the response, the server's shared state and a cancel signal. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Limits } from './limits.js';
import type { Metrics } from './metrics.js';
import type { ModelRegistry } from './models.js';
import type { GenerationQueue } from './queue.js';
import type { StaticFiles } from './static.js';
import type { ConversationStore } from './store/conversations.js';
import type { WorkerPool } from './worker-pool.js';

/** State shared by every request of one server. */
export interface AppState {
  registry: ModelRegistry;
  /** False while models are loading (generation routes answer 503). */
  ready: boolean;
  limits: Limits;
  queue: GenerationQueue;
  metrics: Metrics;
  /** Chat history; absent when the server runs without a database. */
  store?: ConversationStore;
  /** The web UI's files; absent when the UI is off. */
  ui?: StaticFiles;
  /** Worker threads that generate for the models loaded from files; absent: generate in this thread. */
  pool?: WorkerPool;
  /** Loads the models again and swaps them in (POST /admin/reload); absent when the server cannot. */
  reload?: () => Promise<ReloadReport>;
}

/** What a reload changed, by model id. */
export interface ReloadReport {
  object: 'reload';
  /** Every model served now. */
  models: string[];
  added: string[];
  removed: string[];
  /** Models served before and after, read again from their files. */
  reloaded: string[];
}

/** One request being handled. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The groups the route's pattern captured from the path. */
  params: string[];
  state: AppState;
  /** Aborts when the client disconnects before the response is complete. */
  signal: AbortSignal;
  /** performance.now() when the request arrived. */
  started: number;
}

/** A route: method and path pattern, a name for metrics, and whether it needs the API key. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  name: string;
  /** False for routes open without a key (health). */
  auth?: boolean;
  /** True for routes that generate, refused with 503 until models are loaded. */
  needsModels?: boolean;
  handle(ctx: RequestContext): Promise<void> | void;
}
