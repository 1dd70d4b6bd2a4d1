/**
 * The HTTP server: refuses foreign Host names (on loopback) and other sites' pages, routes requests
 * (OpenAI API, tokens, operations, chat history, web UI), checks the API key, answers CORS when enabled, turns errors into OpenAI error objects, and cancels the generation
 * of a client that disconnects. Built on Node's own `http` module.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkApiKey, isLoopback } from './auth.js';
import type { AppState, RequestContext, Route } from './context.js';
import { ApiError, badRequest, notFound, notReady } from './errors.js';
import { sendError } from './http.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { Metrics } from './metrics.js';
import { ModelRegistry, type ServedEmbedder, type ServedModel } from './models.js';
import { checkHost, checkOrigin } from './origin.js';
import { GenerationQueue } from './queue.js';
import { StaticFiles } from './static.js';
import { WorkerPool } from './worker-pool.js';
import { FEEDBACK_ROUTES } from './routes/feedback.js';
import { HISTORY_ROUTES } from './routes/history.js';
import { EMBEDDING_ROUTES } from './routes/embeddings.js';
import { OPENAI_ROUTES } from './routes/openai.js';
import { OPS_ROUTES } from './routes/ops.js';
import { TOKEN_ROUTES } from './routes/tokens.js';
import { DEFAULT_UI_ROOT, WEB_ROUTES } from './routes/web.js';
import type { ConversationStore } from './store/conversations.js';

/** How to build a server. */
export interface AppOptions {
  /** The models, or a promise of them (the server answers 503 on generation routes until it settles). */
  models: ServedModel[] | Promise<ServedModel[]>;
  /** Word vectors served by /v1/embeddings only. */
  embedders?: ServedEmbedder[];
  /** Require `Authorization: Bearer KEY` on every route but /health. */
  apiKey?: string;
  /**
   * Allow browser requests from these origins (comma-separated, `*` for any); when absent, only the
   * server's own pages may call it from a browser and CORS is off.
   */
  cors?: string;
  /** Host names a loopback-bound server answers to besides localhost, 127.0.0.1 and [::1]. */
  allowedHosts?: string[];
  limits?: Partial<Limits>;
  /** Generations running at once, continuously batched per model (default 16). */
  concurrency?: number;
  /** Requests allowed to wait for a generation slot before 429 (default 256). */
  maxQueue?: number;
  /** Worker threads generating for models loaded from files (default 0: generate on the HTTP thread). */
  workers?: number;
  /** Chat history; the /api routes answer 404 without it. */
  store?: ConversationStore;
  /** The folder the web UI is served from at / (default: the built dist/ui); null turns the UI off. */
  uiRoot?: string | null;
  /** Where unexpected errors are reported (default: stderr). */
  log?: (line: string) => void;
  /**
   * Reads the models from their files again, for `POST /admin/reload` (absent: the route answers 404).
   * A reload that fails changes nothing.
   */
  loadAgain?: () => Promise<{ models: ServedModel[]; embedders: ServedEmbedder[] }>;
}

/** A server and its state. */
export interface App {
  server: Server;
  state: AppState;
  /** Settles when the models are loaded (rejects if loading failed). */
  ready: Promise<void>;
  /** Starts listening; resolves with the bound address. */
  listen(port: number, host: string): Promise<{ host: string; port: number; url: string }>;
  /** Stops accepting, drops open connections (cancelling their generations) and waits for the close. */
  close(): Promise<void>;
}

const ROUTES: Route[] = [
  ...OPENAI_ROUTES,
  ...EMBEDDING_ROUTES,
  ...TOKEN_ROUTES,
  ...OPS_ROUTES,
  ...HISTORY_ROUTES,
  ...FEEDBACK_ROUTES,
  ...WEB_ROUTES,
];

/** Builds a server; call `listen` to start it. */
export function createApp(options: AppOptions): App {
  const state: AppState = {
    registry: new ModelRegistry(),
    ready: false,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    queue: new GenerationQueue(options.concurrency ?? 16, options.maxQueue ?? 256),
    metrics: new Metrics(),
    store: options.store,
    ui: options.uiRoot === null ? undefined : new StaticFiles(options.uiRoot ?? DEFAULT_UI_ROOT),
  };
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  /** A registry and a worker pool for these models. */
  const serving = (models: ServedModel[], embedders: ServedEmbedder[]) => {
    const registry = new ModelRegistry();
    for (const m of models) registry.add(m);
    for (const e of embedders) registry.addEmbedder(e);
    const files = models
      .filter((m) => m.path)
      .map((m) => ({ id: m.id, path: m.path, batches: m.model.decodeGroup !== undefined }));
    const pool = options.workers && files.length ? new WorkerPool(options.workers, files) : undefined;
    if (pool) pool.onStep = (s) => state.metrics.batchSize.observe(s.size, { model: s.model });
    return { registry, pool };
  };
  const ready = Promise.resolve(options.models).then((models) => {
    Object.assign(state, serving(models, options.embedders ?? []));
    state.ready = true;
  });
  const loadAgain = options.loadAgain;
  if (loadAgain)
    state.reload = async () => {
      const loaded = await loadAgain();
      const next = serving(loaded.models, loaded.embedders);
      const ids = (r: ModelRegistry) => [...r.list(), ...r.listEmbedders()].map((m) => m.id);
      const [before, after] = [ids(state.registry), ids(next.registry)];
      const old = state.pool;
      // requests already running keep the models they started with; new ones get the new set
      Object.assign(state, next);
      void old?.closeWhenIdle();
      log(`lmkit serve: reloaded the models (${after.join(', ')})`);
      return {
        object: 'reload',
        models: after,
        added: after.filter((id) => !before.includes(id)),
        removed: before.filter((id) => !after.includes(id)),
        reloaded: after.filter((id) => before.includes(id)),
      };
    };
  ready.catch(() => undefined);

  const server = createServer((req, res) => {
    handle(req, res, state, options, server, log).catch((err) =>
      log(`lmkit serve: ${(err as Error).stack ?? err}`),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.maxConnections = 4096;

  return {
    server,
    state,
    ready,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          state.metrics.start();
          const a = server.address() as AddressInfo;
          const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          resolve({ host: a.address, port: a.port, url: `http://${shown}:${a.port}` });
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      state.metrics.stop();
      await state.pool?.close();
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  state: AppState,
  options: AppOptions,
  server: Server,
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new ApiError(499, 'client closed the request', 'cancelled'));
  });
  let routeName = 'unknown';
  res.on('finish', () => state.metrics.requests.inc({ route: routeName, status: String(res.statusCode) }));
  try {
    const bound = (server.address() as AddressInfo | null)?.address ?? '';
    if (isLoopback(bound)) checkHost(req, bound, options.allowedHosts ?? []);
    const cors = (options.cors ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    const allowOrigin = checkOrigin(req, cors);
    if (cors.length) {
      if (allowOrigin) res.setHeader('access-control-allow-origin', allowOrigin);
      res.setHeader('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const onPath = ROUTES.filter((r) => r.pattern.test(url.pathname));
    // HEAD is GET without the body (Node's response drops the body of a HEAD request by itself)
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const route = onPath.find((r) => r.method === method);
    if (!route) {
      if (onPath.length) {
        const allowed = onPath.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method]));
        res.setHeader('allow', allowed.join(', '));
        throw new ApiError(
          405,
          `${req.method} is not allowed on ${url.pathname}`,
          'invalid_request_error',
          'method_not_allowed',
        );
      }
      throw notFound(`no route ${req.method} ${url.pathname}`, 'unknown_url');
    }
    routeName = route.name;
    if (route.auth !== false && options.apiKey !== undefined) checkApiKey(req, options.apiKey);
    if (route.needsModels && !state.ready) throw notReady();
    const params = (route.pattern.exec(url.pathname) ?? []).slice(1).map(decodePathPart);
    const ctx: RequestContext = { req, res, url, params, state, signal: controller.signal, started };
    await route.handle(ctx);
  } catch (err) {
    if (controller.signal.aborted) return;
    if (!(err instanceof ApiError))
      log(`lmkit serve: ${req.method} ${req.url}: ${(err as Error).stack ?? err}`);
    sendError(res, err);
  }
}

/** A path segment with %-escapes decoded; 400 when they are not valid UTF-8. */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`the path segment '${part}' is not valid percent-encoded UTF-8`, null, 'invalid_path');
  }
}
