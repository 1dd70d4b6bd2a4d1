/**
 * 唐诗三百首 (300 Tang poems) with title, author and form from npm `chinese-poetry@2.0.1` (MIT;
 * `dist/mengxue/tangshisanbaishou.json`, traditional script, kept as is). Questions are templated, the
 * answers are the anthology's text: "写一首{form}，题为《title》。" → the poem; "《title》的作者是谁？" →
 * the author, sometimes followed by "它的第一句是什么？" → the poem's first line (a follow-up that refers
 * to the earlier turn). Editorial notes in brackets are removed from the poems; titles shared by several
 * poems get no author question.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHINESE_POETRY } from '../chinese.js';
import { Rng } from '../../util/rng.js';
import {
  ensurePackage,
  packagePath,
  pick,
  qa,
  spread,
  type InstructExample,
  type InstructSource,
} from './example.js';

const LICENSE = 'MIT (npm chinese-poetry)';
const WRITE = ['写一首{f}，题为《{t}》。', '请背诵{a}的{f}《{t}》。', '《{t}》这首{f}怎么写？'];
const AUTHOR = ['《{t}》的作者是谁？', '谁写了《{t}》？'];
const FIRST = ['它的第一句是什么？', '这首诗怎么开头？'];

/** One poem of the anthology. */
export interface TangPoem {
  title: string;
  author: string;
  form: string;
  lines: string[];
}

/** The anthology's poems, in its order, notes removed. */
export async function tang300Poems(): Promise<TangPoem[]> {
  const path = join(packagePath(CHINESE_POETRY), 'dist', 'mengxue', 'tangshisanbaishou.json');
  const json = JSON.parse(await readFile(path, 'utf8')) as {
    content?: { type?: string; content?: { chapter?: string; author?: string; paragraphs?: unknown }[] }[];
  };
  const out: TangPoem[] = [];
  for (const group of json.content ?? [])
    for (const p of group.content ?? []) {
      if (!p.chapter || !p.author || !group.type || !Array.isArray(p.paragraphs)) continue;
      const lines = p.paragraphs
        .filter((l): l is string => typeof l === 'string')
        .map((l) => l.replace(/[(（][^)）]*[)）]/g, '').trim())
        .filter((l) => l);
      if (lines.length)
        out.push({ title: p.chapter.trim(), author: p.author.trim(), form: group.type.trim(), lines });
    }
  return out;
}

/** The Tang poems source. */
export const TANG300: InstructSource = {
  name: 'tang300',
  lang: 'zh',
  license: LICENSE,
  origin: `npm ${CHINESE_POETRY.name}@${CHINESE_POETRY.version} (81 MB)`,
  ensure: (log) => ensurePackage(CHINESE_POETRY, log),
  async examples(max) {
    const rng = new Rng(11);
    const poems = await tang300Poems();
    const titles = new Map<string, number>();
    for (const p of poems) titles.set(p.title, (titles.get(p.title) ?? 0) + 1);
    const out: InstructExample[] = [];
    for (const p of poems) {
      const fill = (s: string) => s.replace('{t}', p.title).replace('{a}', p.author).replace('{f}', p.form);
      out.push(tag(qa(fill(pick(rng, WRITE)), p.lines.join('\n')), 'poem'));
      if (titles.get(p.title) !== 1) continue;
      const messages = qa(fill(pick(rng, AUTHOR)), p.author);
      const first = p.lines[0].split(/[，。！？；]/)[0];
      const follow = rng.uniform() < 0.5 && first.length > 0;
      if (follow) messages.push(...qa(pick(rng, FIRST), first));
      out.push(tag(messages, follow ? 'poem-author-followup' : 'poem-author'));
    }
    return spread(out, max);
  },
};

function tag(messages: InstructExample['messages'], task: string): InstructExample {
  return { messages, source: 'tang300', license: LICENSE, task, lang: 'zh' };
}
