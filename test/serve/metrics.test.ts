import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';

describe('/metrics', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it("reports the event loop's delay, resident memory and open file descriptors", async () => {
    await new Promise((r) => setTimeout(r, 50));
    // block the server's thread (the test runs it in-process) for 150 ms, as a long synchronous job would
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        const until = performance.now() + 150;
        while (performance.now() < until);
        resolve();
      }, 0),
    );
    await new Promise((r) => setTimeout(r, 30));
    const text = await (await fetch(`${s.url}/metrics`)).text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1]);
    const max = value(/^lmkit_event_loop_delay_seconds\{quantile="1"\} ([\d.]+)$/m);
    const p50 = value(/^lmkit_event_loop_delay_seconds\{quantile="0.5"\} ([\d.]+)$/m);
    assert.ok(max >= 0.12 && max < 5, `the 150 ms block shows as the max delay: ${max}`);
    assert.ok(p50 < max, `most samples are not blocked: p50 ${p50}`);
    assert.ok(value(/^process_resident_memory_bytes (\d+)$/m) > 10 * 2 ** 20);
    assert.ok(value(/^process_open_fds (\d+)$/m) > 3);
  });
});
