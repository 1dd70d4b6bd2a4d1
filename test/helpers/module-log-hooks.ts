/**
 * Module loader hooks (run in Node's hooks thread) that append the URL of every ES module loaded to
 * the file given at registration, one per line: how tests see what a command imports.
 */
import { appendFileSync } from 'node:fs';

let logFile = '';

/** Receives the log file's path from module-log.ts. */
export function initialize(data: { file: string }): void {
  logFile = data.file;
}

/** Logs `url`, then loads it as Node would. */
export async function load(
  url: string,
  context: unknown,
  nextLoad: (url: string, context: unknown) => Promise<unknown>,
): Promise<unknown> {
  appendFileSync(logFile, url + '\n');
  return nextLoad(url, context);
}
