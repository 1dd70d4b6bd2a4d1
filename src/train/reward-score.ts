/**
 * Scoring responses with a reward model: a prompt (string or messages ending in a user turn) and a
 * response, rendered as in training (the chat template, the response, the end of the turn), scored at
 * the last token. Many at once come as JSONL `{"prompt", "response"}` lines (TRL's `completion` is read as
 * the response too).
 */
import type { ChatMessage } from '../chat/conversation.js';
import { LmkitError } from '../errors.js';
import type { RewardModel } from '../models/reward.js';
import { checkPromptFits, encodePrompt, parsePromptJsonl } from './preference-data.js';

/** A prompt and the response to score. */
export interface ScoreItem {
  prompt: ChatMessage[];
  response: string;
  /** Where it came from, for errors ("stdin line 3"). */
  where: string;
}

/** The token ids the reward model scores for a prompt and response (as trained on). */
export function rewardInput(rm: RewardModel, prompt: readonly ChatMessage[], response: string): number[] {
  const { ids, endOfTurn } = encodePrompt(rm.tokenizer, rm.prefix, prompt);
  return [...ids, ...rm.tokenizer.encode(response), ...(endOfTurn === undefined ? [] : [endOfTurn])];
}

/** The reward of each item; a prompt or response longer than the model's context is an error naming it. */
export function scoreResponses(rm: RewardModel, items: readonly ScoreItem[]): Float64Array {
  const block = rm.contextLength;
  const inputs = items.map((item) => {
    checkPromptFits(encodePrompt(rm.tokenizer, rm.prefix, item.prompt).ids.length, block, item.where);
    const ids = rewardInput(rm, item.prompt, item.response);
    if (ids.length > block)
      throw new LmkitError(
        `${item.where}: prompt and response are ${ids.length} tokens, longer than the reward model's context of ${block}`,
        { hint: 'shorten the response' },
      );
    return ids;
  });
  return rm.score(inputs);
}

/** Parses `{"prompt", "response"}` JSONL (or `completion`); errors name `name` and the line. */
export function parseScoreJsonl(text: string, name: string): ScoreItem[] {
  return parsePromptJsonl(text, name).map(({ line, prompt, meta }) => {
    const where = `${name} line ${line}`;
    const response = meta.response ?? meta.completion;
    if (typeof response !== 'string')
      throw new LmkitError(`${where}: expected a "response" string beside the "prompt"`);
    return { prompt, response, where };
  });
}
