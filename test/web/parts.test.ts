import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupByRecency } from '../../web/src/recency.js';
import { SseParser } from '../../web/src/sse.js';
import { branchTo, siblings } from '../../web/src/tree.js';

describe('web UI: recency groups', () => {
  const now = new Date(2026, 10, 29, 9, 30);
  const at = (d: number, h = 12) => ({ updated_at: new Date(2026, 10, d, h).getTime(), d, h });

  it('puts conversations under Today, Yesterday, Previous 7 days and Older by local calendar day', () => {
    const items = [at(29, 0), at(28, 23), at(28, 0), at(22, 1), at(21, 23), at(1)];
    const groups = groupByRecency(items, now);
    assert.deepEqual(
      groups.map((g) => [g.label, g.items.map((i) => `${i.d}/${i.h}`)]),
      [
        ['Today', ['29/0']],
        ['Yesterday', ['28/23', '28/0']],
        ['Previous 7 days', ['22/1']],
        ['Older', ['21/23', '1/12']],
      ],
    );
  });

  it('leaves out empty groups and keeps the order within a group', () => {
    const groups = groupByRecency([at(29, 9), at(29, 1), at(2)], now);
    assert.deepEqual(
      groups.map((g) => g.label),
      ['Today', 'Older'],
    );
    assert.deepEqual(
      groups[0].items.map((i) => i.h),
      [9, 1],
    );
  });

  it('counts days across a month boundary', () => {
    const groups = groupByRecency(
      [{ updated_at: new Date(2026, 10, 30, 23).getTime() }],
      new Date(2026, 11, 1, 8),
    );
    assert.equal(groups[0].label, 'Yesterday');
  });
});

describe('web UI: message tree', () => {
  // r ─ u1 ─ a1
  //   │    └ a2
  //   └ u2 ─ a3
  const m = (id: string, parent_id: string | null) => ({ id, parent_id });
  const messages = [m('r', null), m('u1', 'r'), m('a1', 'u1'), m('a2', 'u1'), m('u2', 'r'), m('a3', 'u2')];

  it('walks from a leaf up to the root', () => {
    assert.deepEqual(
      branchTo(messages, 'a2').map((x) => x.id),
      ['r', 'u1', 'a2'],
    );
    assert.deepEqual(branchTo(messages, null), []);
    assert.deepEqual(branchTo(messages, 'missing'), []);
  });

  it('finds the versions of a message: its siblings, oldest first', () => {
    const s = siblings(messages, messages[4]);
    assert.deepEqual(
      s.all.map((x) => x.id),
      ['u1', 'u2'],
    );
    assert.equal(s.index, 1);
    assert.equal(siblings(messages, messages[0]).all.length, 1);
  });

  it('refuses a tree with a cycle instead of looping', () => {
    assert.throws(() => branchTo([m('x', 'y'), m('y', 'x')], 'x'), /cycle/);
  });
});

describe('web UI: server-sent events', () => {
  it('returns the data of complete events only, across arbitrary chunk boundaries and CRLF', () => {
    const stream = 'data: {"a":1}\r\n\r\n: comment\n\ndata: {"b":\ndata: 2}\n\ndata: [DONE]\n\n';
    for (let size = 1; size <= stream.length; size++) {
      const p = new SseParser();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...p.push(stream.slice(i, i + size)));
      assert.deepEqual(out, ['{"a":1}', '{"b":\n2}', '[DONE]'], `chunk size ${size}`);
    }
  });

  it('holds back an unfinished event', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('data: x\n'), []);
    assert.deepEqual(p.push('\n'), ['x']);
  });
});
