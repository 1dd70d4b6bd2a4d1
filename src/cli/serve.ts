/** `lmkit serve`: an OpenAI-compatible HTTP server for any lmkit model, with chat history. */
import type { CommandGroup } from './args.js';

/** The serve command. */
export const SERVE: CommandGroup = {
  name: 'serve',
  summary: 'serve models over an OpenAI-compatible HTTP API (chat, completions, streaming, history)',
  command: {
    name: 'serve',
    summary: 'serve models over an OpenAI-compatible HTTP API (chat, completions, streaming, history)',
    details:
      'MODEL files (.arpa, .arpa.gz, .bin) and checkpoint folders are served under their names without extension.\n' +
      'Word vectors (word2vec .bin/.vec/.txt from lmkit embed train or gensim) are served by /v1/embeddings only.\n' +
      "With none, the latest speedrun's assistant (lmkit speedrun) and every model in --models-dir are served;\n" +
      'when there are none, a Kneser-Ney trigram is built on Brown first.\n' +
      'Routes: /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models, /tokenize, /detokenize, /health, /metrics,\n' +
      '/api/conversations (history). Listening beyond loopback needs --api-key. On loopback it answers only to\n' +
      'the Host names localhost, 127.0.0.1 and [::1] (and --allowed-host), and refuses requests from other\n' +
      "sites' web pages (allow one with --cors). JSON bodies must be sent as Content-Type: application/json.",
    flags: [
      { name: 'host', type: 'string', default: '127.0.0.1', description: 'address to listen on' },
      {
        name: 'port',
        type: 'integer',
        min: 0,
        max: 65535,
        default: 8000,
        description: 'port (0: any free one)',
      },
      {
        name: 'api-key',
        type: 'string',
        value: 'KEY',
        description: 'require "Authorization: Bearer KEY" (default $LMKIT_API_KEY)',
      },
      {
        name: 'insecure-no-key',
        type: 'boolean',
        description: 'allow a non-loopback --host without an API key',
      },
      {
        name: 'cors',
        type: 'string',
        value: 'ORIGIN',
        description:
          'allow web pages from ORIGIN (comma-separated; * for any) to call the server; by default only its own pages may',
      },
      {
        name: 'allowed-host',
        type: 'string',
        value: 'NAME',
        repeatable: true,
        description:
          'a Host name to answer to on loopback besides localhost, 127.0.0.1 and [::1] (e.g. behind a proxy)',
      },
      {
        name: 'concurrency',
        type: 'integer',
        min: 1,
        default: 16,
        description: 'generations running at once (batched: they share each decoding step)',
      },
      {
        name: 'workers',
        type: 'integer',
        min: 0,
        description: 'generation threads (default: one per core up to --concurrency; 0: the HTTP thread)',
      },
      {
        name: 'max-queue',
        type: 'integer',
        min: 0,
        default: 256,
        description: 'requests that may wait before 429',
      },
      {
        name: 'models-dir',
        type: 'string',
        value: 'DIR',
        description: 'folder of models (default $LMKIT_MODELS, else $LMKIT_HOME/models, ~/.lmkit)',
      },
      {
        name: 'db',
        type: 'string',
        value: 'FILE',
        description: 'history database (default $LMKIT_DB, else $LMKIT_HOME/history.db, ~/.lmkit; none: off)',
      },
      {
        name: 'max-tokens',
        type: 'integer',
        min: 1,
        description: 'highest max_tokens a request may ask (default 4096)',
      },
      {
        name: 'max-body',
        type: 'integer',
        min: 1024,
        value: 'BYTES',
        description: 'largest request body (default 1 MiB)',
      },
    ],
    positionals: [{ name: 'MODEL', description: 'model files to serve', optional: true, variadic: true }],
    load: () => import('./run/serve.js').then((m) => m.run),
  },
};
