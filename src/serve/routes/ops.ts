/** Operations routes: `GET /health` (open, 503 while loading) and `GET /metrics` (Prometheus text). */
import type { RequestContext, Route } from '../context.js';
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

/** The operations routes. */
export const OPS_ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/health$/, name: 'health', auth: false, handle: health },
  { method: 'GET', pattern: /^\/metrics$/, name: 'metrics', handle: metrics },
];
