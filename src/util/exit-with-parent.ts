/**
 * A child process that dies with its parent: Linux's prctl(PR_SET_PDEATHSIG) without native code. A
 * worker thread checks the process's parent id every `intervalMs`; once it differs from `parentPid` (the
 * parent died and the child was adopted by init or a subreaper) it kills its own process with SIGKILL.
 * The check runs on its own thread, so it works while the main thread is busy in a long synchronous
 * computation (a training step, a scoring pass) that would never reach an event-loop timer or a pipe's EOF.
 * The worker is unreferenced: it never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';

/** The environment variable that asks an `lmkit` process to die with the process of that id (set by `lmkit speedrun`). */
export const PARENT_PID_ENV = 'LMKIT_PARENT_PID';

// runs in the worker: sleeps on an Atomics.wait (no event loop needed), then compares the parent id
const WATCHER = `
const { workerData } = require('node:worker_threads');
const nap = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  if (process.ppid !== workerData.parentPid) process.kill(process.pid, 'SIGKILL');
  Atomics.wait(nap, 0, 0, workerData.intervalMs);
}
`;

/** Kills this process as soon as `parentPid` is no longer its parent (checked every `intervalMs`). */
export function exitWithParent(parentPid: number, intervalMs = 250): void {
  if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL'); // already orphaned
  const w = new Worker(WATCHER, { eval: true, workerData: { parentPid, intervalMs } });
  w.unref();
}

/**
 * Calls {@link exitWithParent} when the environment names a parent (PARENT_PID_ENV), and removes the name
 * so that this process's own children do not inherit it; a malformed value is ignored.
 */
export function exitWithParentFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  const value = env[PARENT_PID_ENV];
  if (value === undefined) return;
  delete env[PARENT_PID_ENV];
  const pid = Number(value);
  if (Number.isInteger(pid) && pid > 1) exitWithParent(pid);
}
