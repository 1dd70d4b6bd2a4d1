import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConversationStore } from '../../src/serve/store/conversations.js';
import { openDatabase } from '../../src/serve/store/db.js';
import { tempDir } from '../helpers/paths.js';

function memoryStore(): ConversationStore {
  return new ConversationStore(openDatabase(':memory:'));
}

describe('conversation store', () => {
  it('titles a conversation from its first user message and lists the newest first', () => {
    const s = memoryStore();
    const a = s.create();
    const b = s.create({ title: 'second' });
    s.add(a.id, { role: 'system', content: 'be nice' });
    s.add(a.id, { role: 'user', content: 'What   is\nan n-gram?' });
    assert.equal(s.get(a.id).title, 'What is an n-gram?');
    assert.deepEqual(
      s.list().map((c) => c.id),
      [a.id, b.id],
    );
  });

  it('keeps edits and regenerations as branches and remembers the current one', () => {
    const s = memoryStore();
    const c = s.create();
    const q1 = s.add(c.id, { role: 'user', content: 'q1' });
    const a1 = s.add(c.id, { role: 'assistant', content: 'a1', model: 'tiny', params: { temperature: 0.7 } });
    const a1b = s.add(c.id, { role: 'assistant', content: 'a1 again', parentId: q1.id });
    assert.deepEqual(
      s.path(c.id).map((m) => m.content),
      ['q1', 'a1 again'],
    );
    const q1edit = s.add(c.id, { role: 'user', content: 'q1 edited', parentId: null });
    assert.deepEqual(
      s.path(c.id).map((m) => m.content),
      ['q1 edited'],
    );
    s.select(c.id, q1.id);
    assert.deepEqual(
      s.path(c.id).map((m) => m.id),
      [q1.id, a1b.id],
    );
    s.select(c.id, a1.id);
    assert.equal(s.get(c.id).current_leaf_id, a1.id);
    assert.deepEqual(s.message(c.id, a1.id).params, { temperature: 0.7 });
    assert.equal(s.messages(c.id).length, 4);
    assert.equal(q1edit.parent_id, null);
  });

  it('exports the tree and the current branch as chat messages', () => {
    const s = memoryStore();
    const c = s.create({ title: 't' });
    s.add(c.id, { role: 'user', content: 'hi' });
    s.add(c.id, { role: 'assistant', content: 'hello' });
    const doc = s.export(c.id);
    assert.deepEqual(doc.current, [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
    assert.equal(doc.messages.length, 2);
  });

  it('renames, deletes with its messages, and answers 404 for what does not exist', () => {
    const s = memoryStore();
    const c = s.create();
    s.add(c.id, { role: 'user', content: 'x' });
    assert.equal(s.rename(c.id, 'new name').title, 'new name');
    s.delete(c.id);
    assert.throws(() => s.get(c.id), { status: 404 });
    assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n, 0);
    const d = s.create();
    assert.throws(() => s.add(d.id, { role: 'user', content: 'x', parentId: 'nope' }), { status: 404 });
  });

  it('persists across reopening the file, in WAL mode', () => {
    const path = join(tempDir(), 'history.db');
    const s = new ConversationStore(openDatabase(path));
    const c = s.create({ title: 'kept' });
    s.add(c.id, { role: 'user', content: 'still here?' });
    assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
    s.db.close();
    const again = new ConversationStore(openDatabase(path));
    assert.equal(again.export(c.id).current[0].content, 'still here?');
    again.db.close();
  });
});
