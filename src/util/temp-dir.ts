/**
 * A private temporary folder that goes away with the work that made it: on `remove()`, and when the
 * process exits or is stopped by SIGINT, SIGTERM or SIGHUP before that (the signal then does what it
 * would have done). Used for spill files, so a killed job leaves no gigabytes behind.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let hooked = false;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  unhook();
  process.kill(process.pid, signal);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  process.off('exit', removeAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** A temporary folder made inside `parent`. */
export interface TempDir {
  path: string;
  /** Deletes the folder and everything in it (again is harmless). */
  remove(): void;
}

/** Makes a fresh folder `parent/PREFIXxxxxxx`, or says clearly why `parent` cannot hold one. */
export function makeTempDir(parent: string, prefix: string, flag = '--temp'): TempDir {
  let path: string;
  try {
    accessSync(parent, constants.W_OK);
    path = mkdtempSync(join(parent, prefix));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? 'no such folder'
        : e.code === 'EACCES' || e.code === 'EROFS'
          ? 'not writable'
          : e.message;
    throw new LmkitError(`cannot make temporary files in ${parent}: ${why}`, {
      hint: `pass ${flag} DIR naming a writable folder with room for the spilled counts`,
    });
  }
  live.add(path);
  hook();
  return {
    path,
    remove() {
      rmSync(path, { recursive: true, force: true });
      live.delete(path);
      if (live.size === 0) unhook();
    },
  };
}
