/**
 * Expert-selection pairs that need no model, from 唐诗三百首 (npm `chinese-poetry@2.0.1`, MIT; see
 * data/instruct/tang300.ts): asked for a poem by title, form and author, the anthology's poem is preferred
 * to another poem by the same author in the same form. The anthology's editors are the labelers: a pair
 * says which poem carries the title, not which is better verse. Titles held by several poems are skipped.
 */
import type { ChatMessage } from '../../chat/conversation.js';
import { Rng } from '../../util/rng.js';
import { tang300Poems } from '../instruct/tang300.js';

/** One preference pair with how it was labelled. */
export interface ExpertPair {
  prompt: ChatMessage[];
  chosen: string;
  rejected: string;
  labeler: string;
  source: string;
  license: string;
  task: string;
  lang: 'zh';
}

/** Every such pair the anthology gives (the other poem drawn by a seeded generator). */
export async function tangExpertPairs(): Promise<ExpertPair[]> {
  const poems = await tang300Poems();
  const rng = new Rng(29);
  const titles = new Map<string, number>();
  for (const p of poems) titles.set(p.title, (titles.get(p.title) ?? 0) + 1);
  const out: ExpertPair[] = [];
  for (const p of poems) {
    if (titles.get(p.title) !== 1) continue;
    const others = poems.filter((q) => q !== p && q.author === p.author && q.form === p.form);
    if (!others.length) continue;
    const q = others[rng.int(others.length)];
    out.push({
      prompt: [{ role: 'user', content: `写一首${p.form}，题为《${p.title}》，作者${p.author}。` }],
      chosen: p.lines.join('\n'),
      rejected: q.lines.join('\n'),
      labeler: 'expert-selection: the anthology pairs this title with this poem',
      source: 'tang300',
      license: 'MIT (npm chinese-poetry)',
      task: 'poem-by-title',
      lang: 'zh',
    });
  }
  return out;
}
