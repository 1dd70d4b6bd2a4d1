/** Reads a server-sent event stream incrementally: text chunks in, the `data` of complete events out. */

/** An incremental parser of `text/event-stream`. */
export class SseParser {
  private buffer = '';
  /** A trailing CR held back until we know whether an LF follows it. */
  private cr = '';

  /** Adds a chunk of the stream; returns the data of every event it completed (`[DONE]` included). */
  push(chunk: string): string[] {
    const text = this.cr + chunk;
    this.cr = text.endsWith('\r') ? '\r' : '';
    this.buffer += text.slice(0, text.length - this.cr.length).replace(/\r\n?/g, '\n');
    const events: string[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
      if (data.length) events.push(data.join('\n'));
    }
    return events;
  }
}
