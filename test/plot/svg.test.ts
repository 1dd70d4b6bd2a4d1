import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { escapeXml, lossChart, niceAxis, readRunCurves, renderSvg } from '../../src/plot/svg.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A strict parser for the XML subset an SVG uses (declaration, elements, quoted attributes, text, the five
 * predefined entities); throws on anything malformed: unbalanced or crossing tags, bad attributes, stray
 * '<' or '&', content after the root.
 */
function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (why: string) => {
    throw new Error(`malformed XML at ${i}: ${why}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  const entity = (s: string) => {
    if (/&(?!(lt|gt|amp|quot|apos);)/.test(s)) fail('bad entity');
    if (s.includes('<')) fail("'<' in text or attribute");
    return s.replace(
      /&(lt|gt|amp|quot|apos);/g,
      (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] as string,
    );
  };
  const skipSpace = () => {
    while (/\s/.test(xml[i] ?? '')) i++;
  };
  if (xml.startsWith('<?xml')) {
    i = xml.indexOf('?>') + 2;
    if (i < 2) fail('unterminated declaration');
  }
  skipSpace();
  const element = (): XmlElement => {
    if (xml[i] !== '<') fail('expected <');
    i++;
    const name = /^[A-Za-z_][\w.-]*/.exec(xml.slice(i))?.[0];
    if (!name) fail('bad tag name');
    i += (name as string).length;
    const el: XmlElement = { name: name as string, attrs: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const m = /^([A-Za-z_:][\w.:-]*)="([^"]*)"/.exec(xml.slice(i));
      if (!m) fail('bad attribute');
      const [all, key, value] = m as RegExpExecArray;
      if (key in el.attrs) fail(`duplicate attribute ${key}`);
      el.attrs[key] = entity(value);
      i += all.length;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) fail(`unclosed <${el.name}>`);
      el.text += entity(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith('</', i)) {
        const close = `</${el.name}>`;
        if (!xml.startsWith(close, i)) fail(`expected ${close}`);
        i += close.length;
        return el;
      }
      el.children.push(element());
    }
  };
  const root = element();
  skipSpace();
  if (i !== xml.length) fail('content after the root element');
  return root;
}

function all(el: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  return [...(pred(el) ? [el] : []), ...el.children.flatMap((c) => all(c, pred))];
}

function byClass(root: XmlElement, cls: string): XmlElement[] {
  return all(root, (e) => e.attrs.class === cls);
}

function points(line: XmlElement): [number, number][] {
  return line.attrs.points.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

/** A run directory with a metrics.jsonl: `steps` train records and an eval every `every` steps. */
function runDir(steps: number, every: number, loss: (s: number) => number, timed = true): string {
  const dir = join(tempDir(), `run${steps}`);
  mkdirSync(dir);
  const lines: string[] = [];
  for (let s = 0; s <= steps; s++) {
    if (s % every === 0)
      lines.push(
        JSON.stringify({
          type: 'eval',
          step: s,
          train_loss: loss(s),
          val_loss: loss(s) + 0.25,
          ...(timed ? { train_s: s * 0.5 } : {}),
        }),
      );
    if (s < steps)
      lines.push(
        JSON.stringify({
          type: 'train',
          step: s + 1,
          loss: loss(s + 1),
          lr: 1e-3,
          ...(timed ? { train_s: (s + 1) * 0.5 } : {}),
        }),
      );
  }
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  return dir;
}

describe('niceAxis', () => {
  it('covers the data with ticks at 1, 2 or 5 × 10^k', () => {
    assert.deepEqual(niceAxis(0, 97), { min: 0, max: 100, ticks: [0, 20, 40, 60, 80, 100] });
    const a = niceAxis(1.23, 4.56);
    assert.ok(a.min <= 1.23 && a.max >= 4.56);
    const step = a.ticks[1] - a.ticks[0];
    assert.ok(
      [0.5, 1].some((s) => Math.abs(step - s) < 1e-12),
      `step ${step}`,
    );
    assert.ok(a.min > 1.23 - step && a.max < 4.56 + step);
    assert.ok(niceAxis(5, 5).ticks.includes(5)); // a flat series still gets an axis around it
  });
});

describe('renderSvg and lmkit plot', () => {
  it('draws train and validation curves of a run as well-formed SVG with data-derived axes', async () => {
    const dir = runDir(300, 50, (s) => 4 - 2 * (s / 300));
    const out = join(dir, 'loss.svg');
    const r = await runCli(['plot', dir, '--out', out, '--smooth', '10', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const root = parseXml(readFileSync(out, 'utf8'));
    assert.equal(root.name, 'svg');
    assert.equal(root.attrs.xmlns, 'http://www.w3.org/2000/svg');
    const lines = byClass(root, 'series');
    assert.deepEqual(
      lines.map((l) => l.attrs['data-label']),
      ['train loss', 'validation loss'],
    );
    assert.equal(points(lines[0]).length, 30); // 300 steps averaged 10 at a time
    assert.equal(points(lines[1]).length, 7); // evaluations at 0, 50, ..., 300
    assert.equal(byClass(root, 'marker').length, 7); // a dot per evaluation
    assert.equal(lines[0].attrs['stroke-dasharray'], '5 3');
    // x: steps 0..300 → ticks 0..300; y: losses 2..4.25 → ticks 2..4.5 (step 0.5)
    const xt = byClass(root, 'x-ticks')[0].children.map((t) => Number(t.text));
    const yt = byClass(root, 'y-ticks')[0].children.map((t) => Number(t.text));
    assert.deepEqual(xt, [0, 50, 100, 150, 200, 250, 300]);
    assert.equal(yt[0], 2);
    assert.equal(yt[yt.length - 1], 4.5);
    // the validation curve starts at the left axis and falls to the right
    const v = points(lines[1]);
    const axisX = Number(byClass(root, 'axes')[0].children[1].attrs.x1);
    assert.equal(v[0][0], axisX);
    assert.ok(v[v.length - 1][1] > v[0][1]); // lower loss = larger SVG y
    assert.match(byClass(root, 'title')[0].text, /Training curves/);
    assert.equal(byClass(root, 'x-label')[0].text, 'step');
    assert.equal(JSON.parse(r.stdout).series, 2);
  });

  it('overlays several runs, one color per run, and plots against training time', async () => {
    const a = runDir(100, 25, (s) => 3 - s / 100);
    const b = runDir(200, 50, (s) => 3.5 - s / 200);
    const out = join(tempDir(), 'both.svg');
    const r = await runCli(['plot', a, b, '--out', out, '--x', 'time', '--smooth', '1']);
    assert.equal(r.code, 0, r.stderr);
    const root = parseXml(readFileSync(out, 'utf8'));
    const lines = byClass(root, 'series');
    assert.equal(lines.length, 4);
    assert.equal(lines[0].attrs.stroke, lines[1].attrs.stroke);
    assert.notEqual(lines[0].attrs.stroke, lines[2].attrs.stroke);
    assert.equal(points(lines[2]).length, 200);
    assert.equal(byClass(root, 'x-label')[0].text, 'training time (s)');
    const xt = byClass(root, 'x-ticks')[0].children.map((t) => Number(t.text));
    assert.equal(xt[0], 0);
    assert.equal(xt[xt.length - 1], 100); // run b trains for 200 × 0.5 s
    assert.equal(byClass(root, 'legend')[0].children.filter((c) => c.name === 'text').length, 4);
  });

  it('escapes labels and fails clearly on a missing or damaged metrics file, or time not logged', async () => {
    const chart = lossChart([readRunCurves(runDir(10, 5, (s) => s))], { title: 'a <b> & "c"' });
    const root = parseXml(renderSvg(chart));
    assert.equal(byClass(root, 'title')[0].text, 'a <b> & "c"');
    assert.equal(escapeXml(`<&>"'`), '&lt;&amp;&gt;&quot;&apos;');
    const missing = await runCli(['plot', join(tempDir(), 'nope')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /metrics\.jsonl does not exist/);
    const bad = runDir(10, 5, (s) => s);
    writeFileSync(join(bad, 'metrics.jsonl'), '{"type":"train","step":1,"loss":2}\nnot json\n');
    const damaged = await runCli(['plot', bad]);
    assert.notEqual(damaged.code, 0);
    assert.match(damaged.stderr, /line 2 is not JSON/);
    const untimed = await runCli(['plot', runDir(10, 5, (s) => s, false), '--x', 'time']);
    assert.notEqual(untimed.code, 0);
    assert.match(untimed.stderr, /did not log training time/);
  });
});
