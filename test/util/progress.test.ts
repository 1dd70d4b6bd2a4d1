import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { formatDuration, ProgressBar, readingBar } from '../../src/util/progress.js';

function stream(isTTY: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean };
  s.isTTY = isTTY;
  const out: string[] = [];
  s.on('data', (c: Buffer) => out.push(c.toString()));
  return { s, out };
}

describe('ProgressBar', () => {
  it('shows the fraction, the count, the rate, the ETA and extra figures', () => {
    const bar = new ProgressBar(stream(true).s, 'training', 1000, 'steps');
    const text = bar.render(500, performance.now() + 1000, 'loss 1.234');
    assert.match(
      text,
      /^training \[#{12}\.{12}\] {2}50% 500\/1000 steps \d+(\.\d)?\/s ETA 0:00:0[01] loss 1\.234$/,
    );
  });

  it('draws in place on a terminal and clears its line when done', async () => {
    const { s, out } = stream(true);
    const bar = new ProgressBar(s, 'counting', 10, 'sentences');
    bar.update(10);
    bar.done();
    await new Promise((r) => setImmediate(r));
    const text = out.join('');
    assert.ok(text.startsWith('\rcounting ') && text.includes('10/10 sentences'));
    assert.ok(text.endsWith('\u001b[K\r\u001b[K'));
  });

  it('stays silent when the stream is not a terminal', async () => {
    const { s, out } = stream(false);
    const bar = new ProgressBar(s, 'counting', 10, 'sentences');
    bar.update(5);
    bar.done();
    await new Promise((r) => setImmediate(r));
    assert.equal(out.join(''), '');
  });

  it('a reading bar counts megabytes of the size its reader reports', async () => {
    const { s, out } = stream(true);
    const reading = readingBar(s);
    reading.update(2_500_000, 10_000_000);
    reading.done();
    await new Promise((r) => setImmediate(r));
    assert.match(out.join(''), /^\rreading \[#{6}\.{18}\] {2}25% 2\.5\/10\.0 MB /);
  });

  it('formats durations as H:MM:SS', () => {
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatDuration(NaN), '?');
  });
});
