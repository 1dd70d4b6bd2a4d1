import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../src/cli/commands.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { ROOT, tempDir } from '../helpers/paths.js';

const LMKIT = join(ROOT, 'bin/lmkit.js');
const LOGGER = fileURLToPath(new URL('../helpers/module-log.js', import.meta.url));

/** Runs `lmkit ...args` in a fresh process and returns the lmkit files and packages it imported. */
function modulesLoadedBy(args: string[], input = ''): string[] {
  const log = join(tempDir(), 'modules.txt');
  const r = spawnSync(process.execPath, ['--import', LOGGER, LMKIT, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, LMKIT_MODULE_LOG: log },
  });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => fileURLToPath(url).slice(ROOT.length + 1))
    .filter((path) => !path.startsWith('dist/test/'));
}

/** Code no start-up path may load: the tensor engine (and its native addon), networks, training, serving, packages. */
const HEAVY =
  /^(dist\/src\/(tensor|nn|models\/(?!what-is-this-path)|train|serve|chat|embed)\/)|node_modules\//;

describe('CLI start-up loads only what the command needs', () => {
  it('--version and --help load the command table and nothing else', () => {
    for (const args of [['--version'], ['--help']]) {
      assert.deepEqual(modulesLoadedBy(args).sort(), [
        'bin/lmkit.js',
        'dist/src/cli/args.js',
        'dist/src/cli/commands.js',
        'dist/src/cli/main.js',
        'dist/src/errors.js',
      ]);
    }
  });

  it('a group lists its commands, and a command shows its flags, without loading their implementations', () => {
    for (const args of [
      ['ngram', '--help'],
      ['ngram', 'query', '--help'],
      ['serve', '--help'],
    ]) {
      const loaded = modulesLoadedBy(args);
      assert.deepEqual(
        loaded.filter((m) => m.includes('/cli/run/')),
        [],
        `${args.join(' ')} loaded implementations`,
      );
      assert.deepEqual(
        loaded.filter((m) => HEAVY.test(m)),
        [],
      );
    }
  });

  it('ngram query of one sentence loads the binary reader and scorer, not sampling, ARPA, datasets or tensors', () => {
    const model = join(tempDir(), 'm.bin');
    new NGramModel(trainNGram(['a b c', 'a c b'], { order: 3, smoothing: 'kn' }).model).save(model);
    const loaded = modulesLoadedBy(['ngram', 'query', model], 'a b c\n');
    assert.ok(loaded.includes('dist/src/ngram/binary.js'));
    assert.deepEqual(
      loaded.filter(
        (m) =>
          HEAVY.test(m) ||
          /\/(data|tokenizers)\/|\/generate\/sample\.js$/.test(m) ||
          /\/ngram\/(train|ngram-model|sampler|arpa)\.js$/.test(m),
      ),
      [],
    );
    assert.ok(loaded.length < 28, `${loaded.length} modules: ${loaded.join(' ')}`);
  });

  it("each row of the command table names its group as the group's own file does", async () => {
    for (const entry of COMMANDS) {
      const group = await entry.load();
      assert.equal(group.name, entry.name);
      assert.equal(group.summary, entry.summary);
    }
  });
});
