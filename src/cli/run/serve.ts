/** What `lmkit serve` does when it runs (its flags and help are in ../serve.ts). */
import { startServer } from '../../serve/start.js';

import type { CliIO, ParsedArgs } from '../args.js';

/** `lmkit serve`. */
export async function run(a: ParsedArgs, io: CliIO): Promise<number | void> {
  const { app } = await startServer({
    models: a.rest('MODEL'),
    modelsDir: a.string('models-dir'),
    host: a.string('host') as string,
    port: a.number('port') as number,
    apiKey: a.string('api-key') ?? process.env.LMKIT_API_KEY,
    insecureNoKey: a.bool('insecure-no-key'),
    cors: a.string('cors'),
    allowedHosts: a.list('allowed-host'),
    concurrency: a.number('concurrency'),
    workers: a.number('workers'),
    maxQueue: a.number('max-queue'),
    db: a.string('db'),
    limits: {
      ...(a.number('max-tokens') === undefined ? {} : { maxTokens: a.number('max-tokens') }),
      ...(a.number('max-body') === undefined ? {} : { maxBodyBytes: a.number('max-body') }),
    },
    log: (line) => io.stderr.write(line + '\n'),
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      io.stderr.write('lmkit serve: stopping\n');
      app.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
