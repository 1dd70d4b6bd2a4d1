/**
 * Serves the files of one folder, read once into memory: only names found there when it was read can be
 * asked for, so no request path can reach outside it. Each file gets its content type, an ETag (answered
 * with 304 on a match) and a caching policy: names with a content hash are cached for a year, the rest
 * revalidated every time.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One file ready to send. */
interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** A name the build gives a file whose content never changes: `app-3F2A9C1B.js`. */
const HASHED = /-[A-Z0-9]{8,}\.[a-z0-9]+$/;

/** A path segment made of safe characters only, not starting with a dot. */
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** The files under a folder, by their relative path with `/` separators. */
export class StaticFiles {
  private readonly files = new Map<string, StaticFile>();

  /** Reads every regular file under `root` (a missing folder gives an empty set). */
  constructor(readonly root: string) {
    this.scan(root, '');
  }

  /** True when the folder held no files. */
  get empty(): boolean {
    return this.files.size === 0;
  }

  /** Whether `name` (already percent-decoded, relative, `/`-separated) is a file that can be served. */
  has(name: string): boolean {
    return isSafeName(name) && this.files.has(name);
  }

  /** Sends `name` (which must satisfy `has`), or 304 when the client's copy is current. */
  send(req: IncomingMessage, res: ServerResponse, name: string, headers: Record<string, string> = {}): void {
    const file = this.files.get(name);
    if (!file || !isSafeName(name)) throw new Error(`no static file '${name}'`);
    const common = {
      etag: file.etag,
      'cache-control': file.cacheControl,
      'x-content-type-options': 'nosniff',
      ...headers,
    };
    const match = req.headers['if-none-match'];
    if (match && match.split(',').some((t) => t.trim() === file.etag)) {
      res.writeHead(304, common);
      res.end();
      return;
    }
    res.writeHead(200, { ...common, 'content-type': file.type, 'content-length': file.body.length });
    res.end(file.body);
  }

  private scan(dir: string, prefix: string): void {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!SAFE_SEGMENT.test(name)) continue;
      const path = join(dir, name);
      const rel = prefix + name;
      const stat = statSync(path);
      if (stat.isDirectory()) this.scan(path, rel + '/');
      else if (stat.isFile()) {
        const body = readFileSync(path);
        this.files.set(rel, {
          body,
          type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
          cacheControl: HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
    }
  }
}

/** A relative path of safe segments: no `..`, no dot files, no backslashes, NULs or absolute paths. */
function isSafeName(name: string): boolean {
  return name.length > 0 && name.length < 256 && name.split('/').every((s) => SAFE_SEGMENT.test(s));
}
