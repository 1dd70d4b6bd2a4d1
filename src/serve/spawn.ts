/**
 * `lmkit serve` in a process of its own, for programs that drive a real server over HTTP (the load,
 * speed and soak benchmarks, the crash test): it listens on a free port and the caller gets its URL
 * once it says where it is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A running server process. */
export interface ServerProcess {
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  url: string;
  child: ChildProcess;
  pid: number;
  /** Sends SIGTERM (it finishes running generations and exits). */
  stop(): void;
}

/** This checkout's `bin/lmkit.js`. */
export const LMKIT_BIN = fileURLToPath(new URL('../../../bin/lmkit.js', import.meta.url));

/**
 * Starts `lmkit serve ARGS --port 0` (models and flags in `args`); resolves when it prints its URL, rejects
 * with its standard error when it exits first. `bin` runs another checkout's lmkit (e.g. a baseline).
 */
export function spawnServer(
  args: readonly string[],
  o: { bin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [o.bin ?? LMKIT_BIN, 'serve', ...args, '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: o.env ?? process.env,
  });
  return new Promise((resolve, reject) => {
    let err = '';
    const onData = (c: Buffer) => {
      err += c.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (!m) return;
      child.stderr?.off('data', onData);
      child.stderr?.resume(); // keep draining what it says later
      resolve({ url: m[1], child, pid: child.pid as number, stop: () => child.kill('SIGTERM') });
    };
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`server exited with ${code ?? signal}: ${err}`)));
  });
}
