import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cachedPackageDir } from '../../src/data/packages.js';
import { cacheDir, defaultHistoryPath, defaultModelsDir, lmkitHome } from '../../src/util/home.js';
import { runCli } from '../helpers/cli.js';

const VARS = ['LMKIT_HOME', 'LMKIT_MODELS', 'LMKIT_DB', 'LMKIT_CACHE'] as const;

/** Runs `fn` with the given lmkit variables set and the others unset, restoring them after. */
async function withEnv(env: Partial<Record<(typeof VARS)[number], string>>, fn: () => unknown) {
  const saved = VARS.map((k) => [k, process.env[k]] as const);
  for (const k of VARS) delete process.env[k];
  Object.assign(process.env, env);
  try {
    await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('lmkit home', () => {
  it('keeps models, history and the download cache under ~/.lmkit by default', () =>
    withEnv({}, () => {
      assert.equal(lmkitHome(), join(homedir(), '.lmkit'));
      assert.equal(defaultModelsDir(), join(homedir(), '.lmkit', 'models'));
      assert.equal(defaultHistoryPath(), join(homedir(), '.lmkit', 'history.db'));
      assert.equal(cacheDir(), join(homedir(), '.lmkit', 'cache'));
    }));

  it('moves all of them with LMKIT_HOME, downloads (data install) included', () =>
    withEnv({ LMKIT_HOME: '/tmp/h' }, () => {
      assert.equal(defaultModelsDir(), '/tmp/h/models');
      assert.equal(defaultHistoryPath(), '/tmp/h/history.db');
      assert.match(cachedPackageDir('chinese-poetry', '1.0.0'), /^\/tmp\/h\/cache\/npm\//);
    }));

  it('moves each one on its own with LMKIT_MODELS, LMKIT_DB, LMKIT_CACHE', () =>
    withEnv({ LMKIT_HOME: '/tmp/h', LMKIT_MODELS: '/m', LMKIT_DB: '/d.db', LMKIT_CACHE: '/c' }, () => {
      assert.equal(defaultModelsDir(), '/m');
      assert.equal(defaultHistoryPath(), '/d.db');
      assert.equal(cacheDir(), '/c');
    }));

  it('lmkit doctor shows the folders', () =>
    withEnv({ LMKIT_HOME: '/tmp/h' }, async () => {
      const r = await runCli(['doctor', '--json']);
      const report = JSON.parse(r.stdout) as { paths: Record<string, string> };
      assert.deepEqual(report.paths, {
        home: '/tmp/h',
        models: '/tmp/h/models',
        history: '/tmp/h/history.db',
        cache: '/tmp/h/cache',
      });
    }));
});
