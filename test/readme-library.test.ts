import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/paths.js';

describe('the README library example', () => {
  it("runs as written, importing 'lmkit' through the package's entry point", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /readme-library-example[^\n]*\n+```js\n([\s\S]*?)```/.exec(readme);
    assert.ok(block, 'README has the marked library example');
    // inside the package folder, so `import ... from 'lmkit'` resolves to the package itself
    const dir = join(ROOT, 'test-output');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'readme-library-example.mjs');
    writeFileSync(file, block[1]);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const [ppl, sample] = r.stdout.trim().split('\n');
    const value = Number(/^test perplexity (\d+\.\d)$/.exec(ppl)?.[1]);
    assert.ok(value > 50 && value < 1000, ppl);
    assert.match(sample, /^the jury said that \S/);
  });
});
