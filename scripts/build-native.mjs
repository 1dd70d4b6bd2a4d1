/* global process, console */
// Builds the native tensor addon during `npm install`. Never fails the install: when there is no
// compiler or no OpenBLAS, it says so once and lmkit runs on its plain TypeScript (`ref`) backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The node-gyp script: npm's own (offline) copy when npm tells us where it is, else the one beside npm. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  return candidates.find((p) => p && existsSync(p));
}

/** Node's installed headers, so node-gyp does not try to download them. */
function nodeDir() {
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function main() {
  if (process.env.LMKIT_SKIP_NATIVE === '1') {
    console.warn('lmkit: LMKIT_SKIP_NATIVE=1, not building the native addon (the ref backend will be used)');
    return;
  }
  const gyp = nodeGyp();
  if (!gyp) {
    console.warn('lmkit: node-gyp not found; the native addon was not built (the ref backend will be used)');
    return;
  }
  const args = [gyp, 'rebuild'];
  const dir = process.env.npm_config_nodedir ?? nodeDir();
  if (dir) args.push(`--nodedir=${dir}`);
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0) {
    console.log('lmkit: built the native addons (build/Release/lmkit.node, lmkit_io.node)');
    return;
  }
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
  console.warn(
    'lmkit: could not build the native tensor addon; lmkit will run on the slower ref backend.\n' +
      'Install a C++ compiler and OpenBLAS (Debian/Ubuntu: apt-get install g++ make libopenblas-dev),\n' +
      `then run 'node scripts/build-native.mjs' in the lmkit folder.\n${log}`,
  );
}

try {
  main();
} catch (err) {
  console.warn(`lmkit: native addon build skipped: ${err instanceof Error ? err.message : String(err)}`);
}
