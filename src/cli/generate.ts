/** `lmkit generate`: sample text from any model (n-gram file or checkpoint directory), streamed as it comes. */
import type { CommandGroup } from './args.js';
import { SAMPLING_FLAGS } from './sampling-flags.js';

/** The generate command. */
export const GENERATE: CommandGroup = {
  name: 'generate',
  summary: 'sample text from a model of any kind, streamed as it is generated',
  command: {
    name: 'generate',
    summary: 'sample text from a model of any kind, streamed as it is generated',
    details:
      "MODEL is an n-gram file (.arpa, .arpa.gz, .bin) or a checkpoint directory from 'lmkit train'.\n" +
      'Each sample continues its prompt (a T5 answers it: the answer is printed alone) and ends at the end-of-sequence token, at a --stop string (not\n' +
      'printed) or after --max-tokens. One prompt and --n 1 stream as they are generated; several prompts\n' +
      '(--prompt repeated, --prompts FILE) and samples (--n) are generated together, --batch-size at a time\n' +
      '(a GPT decodes them in one batched pass per token), and printed in order, each under a line\n' +
      '\'--- sample i/N, prompt "...", seed S ---\'. Prompt characters or words the model never saw are\n' +
      'read as <unk>, with a warning.\n' +
      'With --seed S, sample i (counting from 0 over prompts, then samples) uses seed S + i, mixed with its\n' +
      'prompt so that different prompts do not share one stream of random draws.\n' +
      '--num-beams N > 1 prints the best of a beam search per prompt instead (--n, sampling and --stop do not apply).',
    json: true,
    flags: [
      {
        name: 'prompt',
        short: 'p',
        type: 'string',
        repeatable: true,
        description: 'text a sample continues (repeat for several prompts)',
      },
      { name: 'prompts', type: 'string', value: 'FILE', description: 'more prompts, one per line' },
      { name: 'max-tokens', type: 'integer', min: 1, default: 200, description: 'longest sample in tokens' },
      ...SAMPLING_FLAGS,
      {
        name: 'stop',
        type: 'string',
        repeatable: true,
        description:
          'end a sample where this text appears, without printing it (repeatable; \\n is a newline)',
      },
      { name: 'n', type: 'integer', min: 1, default: 1, description: 'samples per prompt' },
      { name: 'batch-size', type: 'integer', min: 1, default: 8, description: 'samples generated together' },
      {
        name: 'num-beams',
        type: 'integer',
        min: 1,
        default: 1,
        description:
          'beam search with this many beams (deterministic: the sampling flags do not apply); 1 samples',
      },
      {
        name: 'length-penalty',
        type: 'number',
        default: 1,
        description: 'beam search: rank ended beams by log-probability / length^this (> 0 favours longer)',
      },
      {
        name: 'kv-cache',
        type: 'boolean',
        default: true,
        description: 'GPT, T5: keep keys and values between steps (--no-kv-cache recomputes the context)',
      },
    ],
    positionals: [{ name: 'MODEL', description: 'n-gram model file or checkpoint directory' }],
    load: () => import('./run/generate.js').then((m) => m.run),
  },
};
