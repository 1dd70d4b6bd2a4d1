/** Server-sent events: `data: JSON` lines, flow-controlled, ending with `data: [DONE]`. */
import type { ServerResponse } from 'node:http';

/** Writes one event stream to a response. */
export class SseWriter {
  /** Starts the stream (status 200, no caching, no proxy buffering). */
  constructor(
    private readonly res: ServerResponse,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    res.flushHeaders();
  }

  private corked = false;

  /**
   * Sends one event; waits while the client is slower than the generator. Events sent in one turn of
   * the event loop (the tokens of several steps that arrived together) leave in one socket write.
   */
  async send(data: unknown): Promise<void> {
    if (this.res.destroyed || this.res.writableEnded) return;
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      setImmediate(() => {
        this.corked = false;
        this.res.uncork();
      });
    }
    if (!this.res.write(`data: ${JSON.stringify(data)}\n\n`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off('drain', done);
          this.res.off('close', done);
          resolve();
        };
        this.res.on('drain', done);
        this.res.on('close', done);
      });
    }
  }

  /** Sends `data: [DONE]` and ends the response. */
  done(): void {
    if (!this.res.writableEnded) this.res.end('data: [DONE]\n\n');
  }
}
