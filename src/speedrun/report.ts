/**
 * The speedrun's report card (nanochat's report.md as the model): built from the finished stages'
 * records alone (done.json: each command's line and JSON output) and the curves the evaluation drew,
 * as report.md and a standalone report.html (inline SVG and CSS, no external resources). A stage that
 * did not run shows as such; nothing is re-measured here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricChart } from '../plot/metric-chart.js';
import { escapeXml, lossChart, readRunCurves, renderSvg } from '../plot/svg.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import {
  chatModels,
  judgedPrompts,
  langs,
  languageModels,
  pickAssistant,
  SAMPLE_PROMPTS,
  type StageRecord,
} from './stages.js';

/** A piece of the report, rendered to Markdown and to HTML. */
type Block =
  | { h: string }
  | { p: string }
  | { table: { head: string[]; rows: string[][] } }
  | { svg: string; file: string }
  | { pre: string };

type Json = Record<string, unknown>;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The JSON output of the first command of `record` whose arguments start with `prefix` (and pass `match`). */
function output(
  record: StageRecord | undefined,
  prefix: string[],
  match?: (args: string[]) => boolean,
): Json | undefined {
  const step = record?.steps.find(
    (s) => s.args && prefix.every((a, i) => s.args?.[i] === a) && (!match || match(s.args)),
  );
  return step?.json[0] as Json | undefined;
}

function num(v: unknown, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';
}

function count(v: unknown): string {
  return typeof v === 'number' ? v.toLocaleString('en-US') : '—';
}

function pct(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '—';
}

function lmkitVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** The report's blocks. */
export function reportBlocks(out: string, done: ReadonlyMap<string, StageRecord>): Block[] {
  const b: Block[] = [];
  const ran = [...done.values()];
  const total = ran.reduce((t, r) => t + r.seconds, 0);
  const ctx = { out, done };
  const doctor = output(done.get('data'), ['doctor']) as
    | {
        backend?: string;
        blas?: { threads?: number; library?: string } | null;
        cpu?: { model?: string; logicalCores?: number };
        node?: string;
      }
    | undefined;
  const settings = readSettings(out);

  b.push({
    p:
      `A speedrun of lmkit ${lmkitVersion()} (commit ${gitCommit()}), finished ${new Date().toISOString()}: ` +
      `${ran.length} stages in ${(total / 60).toFixed(1)} minutes of a ${settings.budget ? `${(settings.budget / 60).toFixed(1)}-minute` : ''} budget, ` +
      `languages ${settings.lang ?? '?'}${settings.data ? `, data ${settings.data}` : ', built-in corpora'}.`,
  });
  b.push({ h: 'Machine' });
  b.push({
    table: {
      head: ['CPU', 'cores', 'memory', 'backend', 'BLAS threads', 'node'],
      rows: [
        [
          doctor?.cpu?.model ?? cpus()[0]?.model ?? '?',
          String(doctor?.cpu?.logicalCores ?? cpus().length),
          `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
          `${doctor?.backend ?? '?'}${doctor?.blas?.library ? ` (${doctor.blas.library})` : ''}`,
          String(doctor?.blas?.threads ?? '—'),
          doctor?.node ?? process.version,
        ],
      ],
    },
  });

  // every language model on the same held-out text
  const evaluation = done.get('evaluation');
  const lms = languageModels(ctx);
  if (lms.length) {
    b.push({ h: 'Language models on the same held-out text' });
    const test = join(out, 'data', 'test.txt');
    b.push({
      p:
        `All scored on ${test} (held-out sentences of each corpus, never trained on). Bits per character ` +
        "compare every kind; perplexity is per token of the model's own tokenizer (words for n-grams and the NPLM, " +
        'characters for the RNN and GPT), so it compares only models of one tokenizer. Training tokens are the size ' +
        "of the training text in the model's tokens; wall is the stage's time.",
    });
    const rows = lms.map((m) => {
      const e = output(evaluation, ['eval', m.path]);
      const rec = done.get(m.name);
      const train = output(rec, m.name.startsWith('kn') ? ['ngram', 'train'] : ['train']);
      const ngrams = Array.isArray(train?.ngrams)
        ? (train.ngrams as number[]).reduce((a, x) => a + x, 0)
        : undefined;
      const tokens = m.name.startsWith('kn') ? undefined : train?.train_tokens;
      const tps = m.name.startsWith('kn') ? undefined : train?.tokens_per_s;
      return [
        m.name,
        String(e?.kind ?? '—') + (e?.tokenizer ? ` (${String(e.tokenizer)})` : ''),
        num(e?.bits_per_char, 3),
        num(e?.perplexity, 1),
        typeof e?.oov === 'number' && typeof e?.tokens === 'number' && e.tokens ? pct(e.oov / e.tokens) : '—',
        m.name.startsWith('kn') ? `${count(ngrams)} n-grams` : count(train?.parameters),
        count(tokens),
        num(rec?.seconds, 1) + ' s',
        count(tps),
        count(train?.steps),
      ];
    });
    b.push({
      table: {
        head: [
          'model',
          'kind (tokens)',
          'bits/char',
          'ppl/token',
          'OOV',
          'parameters',
          'training tokens',
          'wall',
          'tokens/s',
          'steps',
        ],
        rows,
      },
    });
  }

  const elmo = lms.some((m) => m.name === 'elmo')
    ? (output(evaluation, ['eval', join(out, 'elmo', 'best')])?.readings as
        { name: string; perplexity: number }[] | undefined)
    : undefined;
  if (elmo?.length)
    b.push({
      p:
        "ELMo's row is its forward reading (a left-to-right LM); its readings' perplexities per word: " +
        elmo.map((r) => `${r.name} ${num(r.perplexity, 1)}`).join(', ') +
        '.' +
        (done.has('bert')
          ? ' BERT, a masked LM, has only a pseudo-perplexity (each token masked in turn), which no causal model ' +
            'can be compared with; it is left out of this table.'
          : ''),
    });

  const tok = done.get('tokenizer');
  if (tok) {
    b.push({ h: 'Tokenizers' });
    const rows: string[][] = [];
    for (const t of ['bpe', 'char']) {
      const file = join(out, 'tokenizer', `${t}.json`);
      const enc = output(tok, ['tokenizer', 'encode', file]) as
        { tokens?: number; characters?: number } | undefined;
      const made =
        t === 'bpe'
          ? output(tok, ['tokenizer', 'train'])
          : output(tok, ['data', 'vocab'], (a) => a.includes('char'));
      rows.push([
        t === 'bpe' ? 'byte-level BPE (with chat tokens)' : 'characters',
        count(made?.vocabSize ?? made?.size ?? made?.vocab_size),
        enc?.tokens && enc.characters ? (enc.characters / enc.tokens).toFixed(2) : '—',
      ]);
    }
    b.push({ table: { head: ['tokenizer', 'vocabulary', 'characters per token (held-out text)'], rows } });
  }

  // held-out questions
  const chats = chatModels(ctx);
  if (chats.length && evaluation) {
    b.push({ h: 'Held-out questions (exact match / token F1 per task)' });
    b.push({
      p:
        "The first conversations of each task of the instruction data's test split; every assistant turn answered " +
        'greedily after the reference history. The pretrained GPT has no chat tokens: it is prompted with the messages ' +
        'as lines and its reply is the next line.',
    });
    const scores = chats.map((m) => output(evaluation, ['eval', m.path], (a) => a[2].endsWith('.jsonl')));
    const tasks = [
      ...new Set(
        scores.flatMap((s) => ((s?.tasks as { task: string }[] | undefined) ?? []).map((t) => t.task)),
      ),
    ];
    const cell = (s: Json | undefined, task: string) => {
      const t = (s?.tasks as { task: string; turns: number; exact: number; f1: number }[] | undefined)?.find(
        (x) => x.task === task,
      );
      return t ? `${pct(t.exact)} / ${num(t.f1, 2)}` : '—';
    };
    b.push({
      table: {
        head: ['task', ...chats.map((m) => (m.name === 'gpt' ? 'pretrained GPT' : m.name.toUpperCase()))],
        rows: [
          ...tasks.map((t) => [t, ...scores.map((s) => cell(s, t))]),
          [
            '**all turns**',
            ...scores.map((s) => `${pct(s?.exact)} / ${num(s?.f1, 2)} (${count(s?.turns)} turns)`),
          ],
        ],
      },
    });
  }

  // preferences
  const rm = output(done.get('reward'), ['train']);
  const prefs = output(done.get('reward'), ['data', 'build-preferences']);
  const dpo = output(done.get('dpo'), ['train']);
  const ppo = output(done.get('ppo'), ['train']);
  if (rm || dpo || ppo) {
    b.push({ h: 'Learning from preferences' });
    if (prefs)
      b.push({
        p: `Preference data: the SFT model's samples ranked by the correctness judge (${count((prefs.train as unknown[] | undefined)?.length ?? prefs.train)} training and ${count((prefs.test as unknown[] | undefined)?.length ?? prefs.test)} held-out rankings).`,
      });
    const notHeldOut = ['reward', 'dpo', 'ppo'].filter((n) =>
      done
        .get(n)
        ?.steps.some(
          (s) => s.args?.[0] === 'train' && s.args[s.args.indexOf('--valid') + 1]?.endsWith('train.jsonl'),
        ),
    );
    if (notHeldOut.length)
      b.push({
        p: `No ranking fell on the held-out side, so ${notHeldOut.join(', ')} validated on training data: those figures are not held out.`,
      });
    b.push({
      table: {
        head: ['stage', 'held-out figure', 'value', 'steps', 'wall'],
        rows: [
          [
            'reward model',
            'pairwise accuracy (best model)',
            `${num(rm?.valid_accuracy, 3)} (${num(rm?.best_valid_accuracy, 3)})`,
            count(rm?.steps),
            `${num(done.get('reward')?.seconds, 1)} s`,
          ],
          [
            'DPO',
            'preference accuracy / reward margin',
            `${num(dpo?.valid_accuracy, 3)} / ${num(dpo?.rewards_margins, 3)}`,
            count(dpo?.steps),
            `${num(done.get('dpo')?.seconds, 1)} s`,
          ],
          [
            'PPO',
            'gold score / KL to SFT / RM reward',
            `${num(ppo?.valid_gold, 3)} / ${num(ppo?.valid_kl, 3)} / ${num(ppo?.valid_reward, 3)}`,
            count(ppo?.steps),
            `${num(done.get('ppo')?.seconds, 1)} s`,
          ],
        ],
      },
    });
    const prompts = judgedPrompts(ctx);
    const policies = chats
      .filter((m) => m.name !== 'gpt')
      .map((m) => ({ name: m.name, r: output(evaluation, ['eval', m.path, prompts ?? '']) }))
      .filter((x) => x.r);
    if (policies.length) {
      b.push({
        p:
          `The tuned models on the same ${count(policies[0].r?.prompts)} judged prompts (${prompts}): one response each ` +
          'at temperature 1 with the same seeds, scored by the correctness judge (1 for the exact answer, else half ' +
          "the token F1), and the KL to the SFT model: log π/π_SFT summed over the response's tokens, nats per response." +
          (prompts?.endsWith('prompts-train.jsonl')
            ? ' No prompt fell on the held-out side: these are training prompts.'
            : ''),
      });
      b.push({
        table: {
          head: ['policy', 'gold score', 'exact', 'KL to SFT', 'tokens/response'],
          rows: policies.map(({ name, r }) => [
            name.toUpperCase(),
            num(r?.gold, 3),
            pct(r?.exact),
            num(r?.kl, 3),
            num(r?.response_tokens, 1),
          ]),
        },
      });
    }
  }

  const w2v = done.get('word2vec');
  if (w2v) {
    const t = output(w2v, ['embed', 'train']);
    const e = output(w2v, ['embed', 'eval']);
    b.push({ h: 'Word vectors' });
    b.push({
      table: {
        head: ['vectors', 'vocabulary', 'words trained', 'words/s', 'WordNet synonyms ROC AUC'],
        rows: [
          [
            `${String(t?.algo ?? '?')}, ${String(t?.vector_size ?? '?')} dimensions, ${String(t?.epochs ?? '?')} epoch(s)`,
            count(t?.vocab_size),
            count(t?.trained_words),
            count(typeof t?.words_per_second === 'number' ? Math.round(t.words_per_second) : undefined),
            num(e?.wordnet_synonym_auc, 3),
          ],
        ],
      },
    });
    const near = w2v.steps
      .filter((x) => x.args?.[1] === 'neighbors')
      .map((x) => x.json[0] as { query?: string[]; neighbors?: { word: string; similarity: number }[] });
    if (near.some((n) => n?.neighbors?.length)) {
      b.push({ p: 'Nearest words by cosine similarity (lmkit embed neighbors):' });
      b.push({
        table: {
          head: ['word', 'nearest five (cosine)'],
          rows: near.map((n) => [
            (n?.query ?? []).join(' '),
            (n?.neighbors ?? []).map((x) => `${x.word} ${x.similarity.toFixed(2)}`).join(', ') || '—',
          ]),
        },
      });
    }
  }

  // curves, drawn from each run's metrics.jsonl
  const runs = ['nplm', 'rnn', 'gpt', 'sft', 'reward', 'dpo', 'ppo'].filter((n) =>
    existsSync(join(out, n, 'metrics.jsonl')),
  );
  if (runs.length) {
    b.push({ h: 'Training curves' });
    for (const n of runs) {
      const dir = join(out, n);
      const chart =
        n === 'ppo'
          ? metricChart([dir], ['reward', 'kl'], { title: 'ppo: reward and KL to the SFT model' })
          : lossChart([readRunCurves(dir)], { title: `${n}: loss` });
      const file = join(out, 'evaluation', `${n}.svg`);
      const svg = renderSvg(chart);
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomic(file, [svg]);
      b.push({ svg, file });
    }
  }

  // samples side by side
  const samples = lms.map((m) => ({
    name: m.name,
    lines: (evaluation?.steps.find((s) => s.args?.[0] === 'generate' && s.args[1] === m.path)?.json ??
      []) as {
      prompt: string;
      text: string;
    }[],
  }));
  if (samples.some((s) => s.lines.length)) {
    b.push({ h: 'The same prompts, continued by each model' });
    b.push({ p: 'Sampled at temperature 0.8, seed 1. Can you tell which is which?' });
    const prompts = langs(readSettings(out).lang ?? 'en').map((l) => SAMPLE_PROMPTS[l]);
    b.push({
      table: {
        head: ['model', ...prompts.map((p) => `“${p}”`)],
        rows: samples.map((s) => [
          s.name,
          // generate prints one sample per prompt, in the order of the prompts (as the model prepared them)
          ...prompts.map((_, i) => oneLine(s.lines[i]?.text ?? '—')),
        ]),
      },
    });
  }

  const assistantStage = done.get('assistant');
  if (assistantStage) {
    const asked = assistantStage.steps.filter((s) => s.args?.[0] === 'chat');
    const conversation = asked.at(-1);
    const single = asked.slice(0, -1);
    const questions = (stdinOf(single[0] ?? {}) ?? '').split('\n').filter((l) => l && l !== '/reset');
    if (single.length && questions.length) {
      b.push({ h: 'The same questions, answered by each fine-tuned model' });
      b.push({ p: 'Greedy, each question in a fresh conversation (/reset between them).' });
      // replies are one line each; /reset answers "new conversation." (a reply with a line break would shift them)
      const replies = single.map((s) => (s.text ?? '').split('\n').filter((l) => l !== 'new conversation.'));
      b.push({
        table: {
          head: ['question', ...single.map((s) => shortName(s.args?.[1] ?? ''))],
          rows: questions.map((q, i) => [q, ...replies.map((r) => oneLine(r[i] ?? '—'))]),
        },
      });
    }
    const assistant = pickAssistant(ctx);
    if (conversation && assistant) {
      b.push({ h: `A three-turn conversation with the assistant (${shortName(assistant)})` });
      const turns = (stdinOf(conversation) ?? '').split('\n').filter(Boolean);
      const replies = (conversation.text ?? '').split('\n');
      b.push({
        pre: turns.map((t, i) => `user:      ${t}\nassistant: ${replies[i] ?? ''}`).join('\n'),
      });
      b.push({
        p: `Serve it: lmkit serve ${assistant} (or plain lmkit serve, which serves the latest speedrun's assistant).`,
      });
    }
  }

  b.push({ h: 'Stages and their commands' });
  b.push({
    table: {
      head: ['stage', 'wall', 'budget share', 'of which fixed costs'],
      rows: ran.map((r) => [
        r.stage,
        `${r.seconds.toFixed(1)} s`,
        `${r.share.toFixed(1)} s`,
        r.floor === undefined ? '—' : `${r.floor.toFixed(1)} s`,
      ]),
    },
  });
  b.push({
    pre: ran
      .map(
        (r) =>
          `# ${r.stage}\n${r.steps.map((s) => (s.args ? s.command + (s.args[0] === 'chat' ? ` <<< ${JSON.stringify(stdinOf(s))}` : '') : `# ${s.command}`)).join('\n')}`,
      )
      .join('\n\n'),
  });
  return b;
}

/** The standard input a chat step was given (kept in its record). */
function stdinOf(s: { stdin?: string }): string | undefined {
  return s.stdin?.replace(/\n$/, '');
}

function shortName(path: string): string {
  return (
    path
      .replace(/\/best$/, '')
      .split('/')
      .at(-1) ?? path
  );
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function readSettings(out: string): { budget?: number; lang?: 'en' | 'zh' | 'both'; data?: string } {
  try {
    return JSON.parse(readFileSync(join(out, 'speedrun.json'), 'utf8')) as {
      budget?: number;
      lang?: 'en' | 'zh' | 'both';
      data?: string;
    };
  } catch {
    return {};
  }
}

/** Markdown of the blocks (curves as images of their SVG files). */
export function renderMarkdown(blocks: Block[], out: string): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['# lmkit speedrun report', ''];
  for (const x of blocks) {
    if ('h' in x) lines.push(`## ${x.h}`, '');
    else if ('p' in x) lines.push(x.p, '');
    else if ('pre' in x) lines.push('```', x.pre, '```', '');
    else if ('svg' in x) lines.push(`![${x.file}](${x.file.slice(out.length).replace(/^\//, '')})`, '');
    else {
      lines.push(`| ${x.table.head.map(cell).join(' | ')} |`, `|${x.table.head.map(() => '---').join('|')}|`);
      for (const r of x.table.rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

/** A standalone HTML page of the blocks: inline CSS and SVG, nothing loaded from elsewhere. */
export function renderHtml(blocks: Block[]): string {
  const e = escapeXml;
  const bold = (s: string) => e(s).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>');
  const body = blocks
    .map((x) => {
      if ('h' in x) return `<h2>${e(x.h)}</h2>`;
      if ('p' in x) return `<p>${e(x.p)}</p>`;
      if ('pre' in x) return `<pre>${e(x.pre)}</pre>`;
      if ('svg' in x) return `<figure>${x.svg.replace(/^<\?xml[^>]*>\s*/, '')}</figure>`;
      return (
        `<table><thead><tr>${x.table.head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>` +
        x.table.rows.map((r) => `<tr>${r.map((c) => `<td>${bold(c)}</td>`).join('')}</tr>`).join('') +
        '</tbody></table>'
      );
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lmkit speedrun report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1d1d1f}
h1{font-size:1.7em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f6}td{max-width:32em}pre{background:#f6f6f8;padding:.8em;overflow-x:auto;white-space:pre-wrap;font-size:.85em}
figure{margin:.6em 0}figure svg{max-width:100%;height:auto}
</style></head><body>
<h1>lmkit speedrun report</h1>
${body}
</body></html>
`;
}

/** Writes report.md and report.html into `out` from the finished stages' records. */
export function writeReport(out: string, done: ReadonlyMap<string, StageRecord>): void {
  const blocks = reportBlocks(out, done);
  writeFileAtomic(join(out, 'report.md'), [renderMarkdown(blocks, out)]);
  writeFileAtomic(join(out, 'report.html'), [renderHtml(blocks)]);
}
