import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';

const dir = tempDir();
const runs = join(dir, 'runs');
mkdirSync(join(runs, 'sotu-gpt'), { recursive: true });
writeFileSync(join(runs, 'sotu-gpt', 'config.json'), '{"model_type":"gpt2"}');
const readme = join(ROOT, 'README.md');
const tokenizer = join(dir, 'my.tokenizer.json');
writeFileSync(tokenizer, '{"version":"1.0","added_tokens":[],"model":{"type":"BPE"}}');
const binary = join(dir, 'blob');
writeFileSync(binary, Buffer.from([0, 1, 2, 3, 0xff, 0xfe]));

/** Runs a command and returns its one stderr line, checking the exit code is 1. */
async function error(args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  return r.stderr;
}

describe('a path that is not a model', () => {
  it('gets the same message from generate, chat, eval and ngram commands (a text file)', async () => {
    for (const args of [
      ['generate', readme],
      ['chat', readme, '--db', 'none'],
      ['eval', readme, readme],
      ['ngram', 'info', readme],
    ]) {
      const e = await error(args);
      assert.match(e, /README\.md is a text file, not a model/, args[0]);
      assert.match(e, /n-gram file \(\.arpa, \.arpa\.gz, \.bin\) or a checkpoint folder/);
      assert.doesNotMatch(e, /line 3|cannot serve/);
    }
  });

  it('says a folder holds runs and names one to give', async () => {
    assert.match(await error(['generate', runs]), /is a folder of runs, not a model.*runs\/sotu-gpt/);
  });

  it('points from a file inside a checkpoint to its folder', async () => {
    assert.match(
      await error(['generate', join(runs, 'sotu-gpt', 'config.json')]),
      /inside the checkpoint .*sotu-gpt.*give the folder/,
    );
  });

  it('recognises a tokenizer file, a binary file and a missing path', async () => {
    assert.match(await error(['generate', tokenizer]), /is a tokenizer file, not a model/);
    assert.match(await error(['generate', binary]), /is a binary file, not a model/);
    assert.match(await error(['generate', join(dir, 'nope')]), /nope does not exist/);
  });

  it('tells ngram commands that a checkpoint folder is not an n-gram file', async () => {
    assert.match(
      await error(['ngram', 'info', join(runs, 'sotu-gpt')]),
      /is a checkpoint folder, not an n-gram file.*'lmkit generate'/,
    );
  });
});
