/**
 * The `native` backend: loads the C++ addon (build/Release/lmkit.node, built at install by
 * scripts/build-native.mjs) whose functions take the same arguments as the Kernels interface.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import type { Kernels } from '../backend.js';

/** What OpenBLAS reports about itself. */
export interface NativeInfo {
  config: string;
  corename: string;
  threads: number;
  procs: number;
  parallel: number;
}

type Addon = Omit<Kernels, 'name'> & {
  info(): NativeInfo;
  setThreads(n: number): void;
  abiVersion: number;
};

const ABI_VERSION = 1;

/** Loads the addon and returns its kernels (plus info/setThreads); throws when it is missing or stale. */
export function loadNative(): Kernels & { info(): NativeInfo; setThreads(n: number): void } {
  const file = join(packageRoot(), 'build', 'Release', 'lmkit.node');
  if (!existsSync(file)) throw new Error(`${file} is missing`);
  const addon = createRequire(import.meta.url)(file) as Addon;
  if (addon.abiVersion !== ABI_VERSION)
    throw new Error(
      `${file} is from another lmkit version (rebuild it with 'node scripts/build-native.mjs')`,
    );
  const threads = process.env.LMKIT_THREADS;
  if (threads !== undefined && threads !== '') {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`LMKIT_THREADS must be a whole number ≥ 1, got '${threads}'`);
    addon.setThreads(n);
  }
  return { ...addon, name: 'native' };
}
