/** Runs the lmkit CLI in-process with captured output, for tests. */
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lmkit ...args` with `stdin` as standard input and returns exit code and output. */
export async function runCli(args: string[], stdin = ''): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errChunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  err.on('data', (c: Buffer) => errChunks.push(c.toString('utf8')));
  const code = await main(args, { stdout: out, stderr: err, stdin: Readable.from([stdin]), isTTY: false });
  return { code, stdout: chunks.join(''), stderr: errChunks.join('') };
}
