/**
 * Operations routes: `GET /health` (open, 503 while loading), `GET /metrics` (Prometheus text) and
 * `POST /admin/reload` (read the model files again, e.g. a new policy after PPO, without a restart).
 */
import { LmkitError } from '../../errors.js';
import type { RequestContext, Route } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { sendJson } from '../http.js';

function health(ctx: RequestContext): void {
  const { ready, registry, queue } = ctx.state;
  sendJson(ctx.res, ready ? 200 : 503, {
    status: ready ? 'ok' : 'loading',
    models: ready ? registry.list().map((m) => m.id) : [],
    active: queue.active,
    queued: queue.queued,
  });
}

function metrics(ctx: RequestContext): void {
  const { metrics, queue } = ctx.state;
  const text = metrics.render({ active: queue.active, queued: queue.queued });
  ctx.res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  ctx.res.end(text);
}

/** Loads the models again and swaps them in; a failure (a damaged file, a clash of ids) changes nothing. */
async function reload(ctx: RequestContext): Promise<void> {
  const run = ctx.state.reload;
  if (!run)
    throw notFound(
      'this server cannot reload its models (it was not started from files)',
      'reload_unsupported',
    );
  try {
    sendJson(ctx.res, 200, await run());
  } catch (err) {
    if (!(err instanceof LmkitError)) throw err;
    throw new ApiError(
      400,
      `reload failed, still serving the models as they were: ${err.message}${err.hint ? ` (${err.hint})` : ''}`,
      'invalid_request_error',
      'reload_failed',
    );
  }
}

/** The operations routes. */
export const OPS_ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/health$/, name: 'health', auth: false, handle: health },
  { method: 'GET', pattern: /^\/metrics$/, name: 'metrics', handle: metrics },
  { method: 'POST', pattern: /^\/admin\/reload$/, name: 'admin_reload', needsModels: true, handle: reload },
];
