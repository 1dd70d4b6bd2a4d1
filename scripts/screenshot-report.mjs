/* global process */
// Renders a speedrun's report.html in Debian's Chromium (through playwright-core, as the web UI's test
// does) and saves a PNG: node scripts/screenshot-report.mjs runs/speedrun/report.html docs/speedrun-report.png [height]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [html, png, height = '2400'] = process.argv.slice(2);
if (!html || !png) {
  process.stderr.write('usage: node scripts/screenshot-report.mjs REPORT.html OUT.png [HEIGHT]\n');
  process.exit(2);
}
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'lmkit-chromium-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  viewport: { width: 1200, height: Number(height) },
});
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(pathToFileURL(resolve(html)).href);
await page.screenshot({ path: png });
await context.close();
process.stderr.write(`wrote ${png}\n`);
