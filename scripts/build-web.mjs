/* global process, console */
// Builds the web chat UI (web/) into dist/ui: esbuild bundles web/src/main.ts with its npm dependencies
// (marked, DOMPurify, highlight.js) and its CSS into content-hashed files under assets/, and
// web/index.html is written with their names; the bundled packages' licenses go to assets/licenses.txt.
// Run by `npm run build`; `--out DIR` builds elsewhere.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = resolve(outFlag >= 0 ? process.argv[outFlag + 1] : join(root, 'dist', 'ui'));

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'web', 'src', 'main.ts') },
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'eof',
  banner: {
    js: '/*! lmkit web UI. Bundles marked (MIT), DOMPurify (MPL-2.0 OR Apache-2.0) and highlight.js (BSD-3-Clause): see /assets/licenses.txt */',
  },
  entryNames: '[name]-[hash]',
  outdir: join(out, 'assets'),
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const script = outputs.find((n) => n.endsWith('.js'));
const style = outputs.find((n) => n.endsWith('.css'));
if (!script || !style)
  throw new Error(`build-web: expected a .js and a .css bundle, got ${outputs.join(', ')}`);

const page = readFileSync(join(root, 'web', 'index.html'), 'utf8')
  .replace('{{script}}', `/assets/${script}`)
  .replace('{{style}}', `/assets/${style}`);
writeFileSync(join(out, 'index.html'), page);

const licenses = ['marked', 'dompurify', 'highlight.js'].map((name) => {
  const dir = join(root, 'node_modules', name);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return `${name} ${version}\n\n${readFileSync(join(dir, 'LICENSE'), 'utf8').trim()}\n`;
});
writeFileSync(join(out, 'assets', 'licenses.txt'), licenses.join(`\n${'-'.repeat(72)}\n\n`));
console.log(`web UI built in ${out}: ${script}, ${style}`);
