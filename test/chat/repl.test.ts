import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const SENTENCES = ['the jury said that the city was good .', 'the dog ran home .', 'a man said nothing .'];

function setup(): { model: string; db: string } {
  const dir = tempDir();
  const model = join(dir, 'tiny.arpa');
  new NGramModel(trainNGram(SENTENCES, { order: 3, smoothing: 'kn' }).model).save(model);
  return { model, db: join(dir, 'history.db') };
}

function history(db: string): ConversationStore {
  return new ConversationStore(openDatabase(db));
}

describe('lmkit chat', () => {
  it('answers each message, reads """ blocks as one message, and stops at /bye', async () => {
    const { model, db } = setup();
    const input = ['the jury', '"""', 'the dog', 'ran', '"""', '/bye', 'never answered'].join('\n') + '\n';
    const r = await runCli(['chat', model, '--db', db, '--seed', '3'], input);
    assert.equal(r.code, 0, r.stderr);
    const replies = r.stdout.trimEnd().split('\n');
    assert.equal(replies.length, 2);
    const store = history(db);
    const [c] = store.list();
    assert.deepEqual(
      store.path(c.id).map((m) => [m.role, m.role === 'user' ? m.content : '']),
      [
        ['user', 'the jury'],
        ['assistant', ''],
        ['user', 'the dog\nran'],
        ['assistant', ''],
      ],
    );
    assert.deepEqual(
      store
        .path(c.id)
        .filter((m) => m.role === 'assistant')
        .map((m) => m.content),
      replies,
    );
    store.db.close();
  });

  it('sets parameters, keeps the system prompt, saves, resets and loads conversations', async () => {
    const { model, db } = setup();
    const input = [
      '/system You continue text.',
      '/set temperature 0.5',
      '/set temperature 9',
      '/set max_tokens 3',
      'the',
      '/save first chat',
      '/reset',
      'a man',
      '/load first chat',
      '/show',
      '/nonsense',
    ].join('\n');
    const r = await runCli(['chat', model, '--db', db, '--seed', '1'], input);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /system prompt set/);
    assert.match(r.stdout, /temperature set to 0.5/);
    assert.match(r.stdout, /temperature must be in \[0, 2\] \(got 9\)/);
    assert.match(r.stdout, /saved as "first chat"/);
    assert.match(r.stdout, /loaded "first chat" \(3 messages\)/);
    assert.match(r.stdout, /max_tokens 3/);
    assert.match(r.stdout, /unknown command \/nonsense/);
    const store = history(db);
    const saved = store.list().find((c) => c.title === 'first chat');
    assert.ok(saved);
    const path = store.path(saved.id);
    assert.deepEqual(path[0], { ...path[0], role: 'system', content: 'You continue text.' });
    assert.deepEqual(path[2].params, { temperature: 0.5, max_tokens: 3, seed: 1 });
    assert.ok(path[2].content.split(' ').length <= 3);
    assert.equal(store.list().length, 2);
    store.db.close();
  });

  it('works without a history store', async () => {
    const { model } = setup();
    const r = await runCli(['chat', model, '--db', 'none', '--seed', '1'], 'the dog\n/save x\n');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /no history store/);
  });
});
