/**
 * Which browser requests the server accepts. Two guards run before any route: the Host check (a server
 * bound to loopback answers only to loopback names, so a page whose domain rebinds to 127.0.0.1 cannot
 * read it) and the Origin check (a request a browser sends on behalf of another site's page is refused
 * unless that site was allowed with --cors, so no page can write history or start generations).
 */
import type { IncomingMessage } from 'node:http';
import { forbidden } from './errors.js';

/** The names a loopback-bound server answers to, besides the address it is bound to. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** A Host header split into a lower-cased name (IPv6 in brackets) and a port (null when absent). */
export interface HostParts {
  name: string;
  port: number | null;
}

/** Parses a Host header value (`name`, `name:port`, `[v6]`, `[v6]:port`); null when it is not one. */
export function parseHost(value: string): HostParts | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]+)(?::(\d{1,5}))?$/i.exec(value);
  if (!m) return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && port > 65535) return null;
  return { name: m[1].toLowerCase(), port };
}

/** The name of a bound address as a Host header writes it (`::1` becomes `[::1]`). */
function hostName(address: string): string {
  return address.includes(':') ? `[${address.toLowerCase()}]` : address.toLowerCase();
}

/**
 * Throws 403 unless the request's Host is one a loopback-bound server answers to: `localhost`,
 * `127.0.0.1`, `[::1]` or the bound address, with the port the request arrived on (or none on port 80),
 * or a name in `allowed` (any port). An absent or empty Host is refused too.
 */
export function checkHost(req: IncomingMessage, boundAddress: string, allowed: readonly string[]): void {
  const header = req.headers.host ?? '';
  const host = parseHost(header);
  const refuse = () =>
    forbidden(
      `the Host header '${header}' is not a name this server answers to; it listens on loopback and ` +
        `answers to localhost, 127.0.0.1 and [::1] (add others with --allowed-host)`,
      'forbidden_host',
    );
  if (!host) throw refuse();
  if (allowed.some((a) => a.toLowerCase() === host.name)) return;
  const own = host.name === hostName(boundAddress) || LOOPBACK_NAMES.includes(host.name);
  const port = host.port ?? 80;
  if (!own || port !== req.socket.localPort) throw refuse();
}

/**
 * Checks the request's Origin (absent for requests that are not from a web page, and for a page's
 * same-origin GETs): it must be the server's own (scheme http or https, host equal to the request's Host)
 * or one of `cors` (`*`: any). Returns the origin to name in Access-Control-Allow-Origin (undefined when
 * there is none to name); throws 403 for another site's origin.
 */
export function checkOrigin(req: IncomingMessage, cors: readonly string[]): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  if (cors.includes('*')) return '*';
  if (cors.includes(origin)) return origin;
  if (isOwnOrigin(origin, req.headers.host)) return undefined;
  throw forbidden(
    `requests from the web page origin '${origin}' are not allowed: only this server's own pages may ` +
      `call it from a browser (allow another site with --cors ORIGIN)`,
    'forbidden_origin',
  );
}

/** Whether `origin` is `http(s)://` followed by exactly the request's Host (ports compared as URLs do). */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (!host || !parseHost(host)) return false;
  let o: URL;
  let h: URL;
  try {
    o = new URL(origin);
    h = new URL(`${o.protocol}//${host}`);
  } catch {
    return false;
  }
  if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
  return o.origin === origin.toLowerCase().replace(/\/$/, '') && o.host === h.host;
}
