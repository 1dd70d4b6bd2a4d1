/** API keys (Bearer tokens, compared in constant time) and whether a bind address is loopback only. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { unauthorized } from './errors.js';

/** Throws 401 unless the request carries `Authorization: Bearer <key>`. */
export function checkApiKey(req: IncomingMessage, key: string): void {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const digest = (s: string) => createHash('sha256').update(s).digest();
  if (!match || !timingSafeEqual(digest(match[1].trim()), digest(key))) throw unauthorized();
}

/** Whether `host` is reachable only from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.toLowerCase() === '::ffff:127.0.0.1';
  return false;
}
