/** `lmkit eval`: perplexity / bits per character of a model of any kind (optionally mixed with another) on text. */
import { EVAL_MODES } from '../eval/perplexity.js';
import type { CommandGroup } from './args.js';
import { DATA_FLAGS } from './data-flags.js';

/** The eval command. */
export const EVAL: CommandGroup = {
  name: 'eval',
  summary: 'perplexity and bits per character of any model (n-gram, NPLM, RNN, GPT, or a mixture) on text',
  command: {
    name: 'eval',
    summary: 'perplexity and bits per character of any model (n-gram, NPLM, RNN, GPT, or a mixture) on text',
    details:
      'MODEL is an n-gram file or a checkpoint directory; DATA a dataset name (lmkit data list) or a text file,\n' +
      "prepared as the model was trained (an n-gram model's recorded lowercasing/cleaning, the model's tokenizer;\n" +
      'a GPT or RNN trained on text as written scores the text as written, as one stream, as nanoGPT measures).\n' +
      'A dataset is scored on its held-out test split unless --split says otherwise; a file is scored whole.\n' +
      "Scored tokens: each sentence's tokens plus one end of sentence (the line break token for character/BPE\n" +
      "tokenizers, </s> otherwise), <unk> included. --mode sentences scores each sentence from the model's start\n" +
      '(default for n-gram and NPLM); --mode stream scores the text as one stream (default for GPT and RNN).\n' +
      'A GPT scores text longer than its block with sliding windows: each window moves --stride tokens and scores\n' +
      'only tokens not yet scored, so each has at least block_size - stride tokens of context (stride 1: exact\n' +
      'full-block context, slowest). --mix MODEL2 interpolates token by token: w p(MODEL) + (1 - w) p(MODEL2).\n' +
      'JSON fields: model, mix, mix_weight, data, split, held_out (false: the run trained on it; null: unknown),\n' +
      'text (sentences | as-written), mode, stride, kind, tokenizer, sentences (null as written), tokens, oov,\n' +
      'characters, scoring, nats (-sum ln p), perplexity\n' +
      '(exp(nats/tokens); null when infinite), bits_per_token, bits_per_char, zero_prob_events, seconds;\n' +
      'scoring is causal (ln p of each token given those before it) or, for a masked LM (BERT), pseudo: each\n' +
      'token masked in turn and predicted from both sides (Salazar et al., 2020), so perplexity is a pseudo-perplexity;\n' +
      'for a T5, infilling: each token hidden behind <extra_id_0> in turn and written by the decoder (a pseudo-perplexity);\n' +
      'with --mix, components: each model alone on the same tokens; for a model with several readings (an ELMo\n' +
      "biLM), readings: each one's name, nats and perplexity (the model's own figures are its forward reading's).\n" +
      'DATA ending in .jsonl is held-out conversations (the test.jsonl of lmkit data build-instruct): the model answers\n' +
      'each assistant turn greedily after the reference history (the first --per-task conversations of each task),\n' +
      'scored by exact match and token F1 per task (JSON: model, data, tasks [{task, turns, exact, f1}], turns,\n' +
      'exact, f1, samples, seconds). For a T5 it is held-out {"input", "target"} pairs (lmkit data build-t5-tasks):\n' +
      "each input answered greedily, exact match and token F1 per task (the task field, else the input's prefix).",
    json: true,
    flags: [
      ...DATA_FLAGS.map((f) =>
        f.name === 'split'
          ? { ...f, description: 'which part of the data (default: test for a dataset, all for a file)' }
          : f,
      ),
      {
        name: 'mode',
        type: 'string',
        choices: EVAL_MODES,
        description: 'sentence by sentence, or one stream',
      },
      {
        name: 'stride',
        type: 'integer',
        min: 1,
        description: 'GPT sliding-window stride (default block_size/2)',
      },
      { name: 'mix', type: 'string', value: 'MODEL2', description: 'interpolate with this model' },
      {
        name: 'mix-weight',
        type: 'number',
        min: 0,
        max: 1,
        default: 0.5,
        description: 'weight of MODEL in the mixture (MODEL2 gets 1 - w)',
      },
      { name: 'allow-oov', type: 'boolean', description: 'score even when most tokens are unknown' },
      {
        name: 'generic',
        type: 'boolean',
        description: "score through each model's step-by-step decoding state (slow; checks the fast paths)",
      },
      {
        name: 'per-task',
        type: 'integer',
        min: 1,
        default: 20,
        description: 'conversations (.jsonl DATA): how many of each task to score',
      },
      {
        name: 'max-tokens',
        type: 'integer',
        min: 1,
        default: 80,
        description: 'conversations (.jsonl DATA): longest reply in tokens',
      },
    ],
    positionals: [
      { name: 'MODEL', description: 'n-gram model file or checkpoint directory' },
      { name: 'DATA', description: 'dataset name or text file' },
    ],
    load: () => import('./run/eval.js').then((m) => m.run),
  },
};
