/** `lmkit generate`: sample text from any model (n-gram file or checkpoint directory), streamed as it comes. */
import { streamText } from '../generate/stream.js';
import { loadLanguageModel } from '../models/load.js';
import { Rng } from '../util/rng.js';
import type { CommandGroup } from './args.js';
import { SAMPLING_FLAGS, samplingOptions } from './sampling-flags.js';

/** The generate command. */
export const GENERATE: CommandGroup = {
  name: 'generate',
  summary: 'sample text from a model of any kind, streamed as it is generated',
  command: {
    name: 'generate',
    summary: 'sample text from a model of any kind, streamed as it is generated',
    details:
      "MODEL is an n-gram file (.arpa, .arpa.gz, .bin) or a checkpoint directory from 'lmkit train'.\n" +
      'Each sample continues the prompt and ends at the end-of-sequence token or after --max-tokens.',
    json: true,
    flags: [
      { name: 'prompt', short: 'p', type: 'string', description: 'text the samples continue' },
      { name: 'max-tokens', type: 'integer', min: 1, default: 200, description: 'longest sample in tokens' },
      ...SAMPLING_FLAGS,
      { name: 'n', type: 'integer', min: 1, default: 1, description: 'number of samples' },
    ],
    positionals: [{ name: 'MODEL', description: 'n-gram model file or checkpoint directory' }],
    async run(a, io) {
      const model = loadLanguageModel(a.positional('MODEL') as string);
      const prompt = a.string('prompt') ?? '';
      const ids = model.tokenizer.encode(prompt);
      const rng = new Rng(a.number('seed'));
      for (let i = 0; i < (a.number('n') as number); i++) {
        const stream = streamText(model, ids, { ...samplingOptions(a), context: ids, rng });
        if (!a.json) io.stdout.write(prompt);
        let next = await stream.next();
        while (!next.done) {
          if (!a.json) io.stdout.write(next.value);
          next = await stream.next();
        }
        const r = next.value;
        if (a.json)
          io.stdout.write(
            JSON.stringify({
              text: prompt + r.text,
              tokens: r.completionTokens,
              finish_reason: r.finishReason,
            }) + '\n',
          );
        else io.stdout.write('\n');
      }
    },
  },
};
