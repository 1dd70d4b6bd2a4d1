import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { backendInfo, nativeAvailable } from '../../src/tensor/index.js';

function lmkit(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'lmkit.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('backend selection and doctor', () => {
  it('doctor --json reports the backend in use and the BLAS core type', async () => {
    const r = await runCli(['doctor', '--json']);
    assert.equal(r.code, 0);
    const report = JSON.parse(r.stdout) as { backend: string; blas: { coreType: string } | null };
    assert.equal(report.backend, backendInfo().backend);
    if (nativeAvailable()) assert.ok(report.blas && report.blas.coreType.length > 0);
  });

  it('LMKIT_BACKEND=ref selects the TypeScript kernels', () => {
    const r = lmkit(['doctor', '--json'], { LMKIT_BACKEND: 'ref' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { backend: string }).backend, 'ref');
  });

  it('an unknown LMKIT_BACKEND is a clear error', () => {
    const r = lmkit(['doctor'], { LMKIT_BACKEND: 'gpu' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /LMKIT_BACKEND must be 'ref' or 'native'/);
  });

  it('the install-time build never fails, even without a working compiler', () => {
    const dir = tempDir();
    cpSync(join(ROOT, 'native'), join(dir, 'native'), { recursive: true });
    cpSync(join(ROOT, 'binding.gyp'), join(dir, 'binding.gyp'));
    mkdirSync(join(dir, 'scripts'));
    cpSync(join(ROOT, 'scripts', 'build-native.mjs'), join(dir, 'scripts', 'build-native.mjs'));
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, CXX: '/nonexistent/c++', CC: '/nonexistent/cc' },
    });
    assert.equal(r.status, 0);
    assert.match(
      r.stderr,
      /could not build the native tensor addon; lmkit will run on the slower ref backend/,
    );
    assert.equal(existsSync(join(dir, 'build', 'Release', 'lmkit.node')), false);
  });
});
