/**
 * The web chat UI: `GET /` answers the page and `GET /assets/NAME` its script and style sheet, built by
 * `npm run build` into dist/ui from web/. Open without the API key (the page holds no secrets; it asks
 * for the key when the API needs one). The page's Content-Security-Policy allows only its own scripts,
 * so even markup that slipped past sanitising could not run code.
 */
import { fileURLToPath } from 'node:url';
import type { RequestContext, Route } from '../context.js';
import { notFound } from '../errors.js';

/** Where `npm run build` puts the UI: dist/ui beside dist/src. */
export const DEFAULT_UI_ROOT = fileURLToPath(new URL('../../../ui/', import.meta.url));

/** Headers for the page: a strict Content-Security-Policy and no framing or referrers. */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function files(ctx: RequestContext) {
  const ui = ctx.state.ui;
  if (!ui || ui.empty)
    throw notFound(
      `the web UI is not built${ui ? ` (nothing in ${ui.root})` : ''}: run 'npm run build'; the API under /v1 works without it`,
      'ui_not_built',
    );
  return ui;
}

function page(ctx: RequestContext): void {
  const ui = files(ctx);
  if (!ui.has('index.html')) throw notFound(`the web UI has no index.html in ${ui.root}`, 'ui_not_built');
  ui.send(ctx.req, ctx.res, 'index.html', PAGE_HEADERS);
}

function asset(ctx: RequestContext): void {
  const ui = files(ctx);
  const name = `assets/${ctx.params[0]}`;
  if (!ui.has(name)) throw notFound(`no file ${ctx.url.pathname}`, 'unknown_url');
  ui.send(ctx.req, ctx.res, name);
}

/** The UI routes. */
export const WEB_ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/$/, name: 'ui', auth: false, handle: page },
  { method: 'GET', pattern: /^\/assets\/(.+)$/, name: 'ui_asset', auth: false, handle: asset },
];
