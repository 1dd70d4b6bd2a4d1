/** `lmkit train`: train a neural language model (a GPT, an NPLM or a character RNN) on a dataset or text file. */
import { MODEL_KINDS } from '../models/kinds.js';
import { DEFAULT_TRAIN_CONFIG } from '../train/config.js';
import { PRESETS } from '../train/presets.js';
import type { TrainConfig } from '../train/config.js';
import { PPO_FLAGS } from './train-ppo.js';
import type { CommandGroup, FlagSpec } from './args.js';

/** The shared training settings offered as flags: config key, type, help. */
export const SETTINGS: [string & keyof TrainConfig, 'integer' | 'number', string][] = [
  ['n_layer', 'integer', 'transformer blocks (RNN: stacked recurrent layers, default 1)'],
  ['n_head', 'integer', 'attention heads per block'],
  ['n_embd', 'integer', 'embedding width (a multiple of n_head)'],
  ['block_size', 'integer', 'context length in tokens'],
  ['batch_size', 'integer', 'windows per step'],
  ['learning_rate', 'number', 'peak learning rate'],
  ['max_iters', 'integer', 'optimizer steps'],
  ['warmup_iters', 'integer', 'steps of linear warmup'],
  ['lr_decay_iters', 'integer', 'step where cosine decay reaches min_lr (default max_iters)'],
  ['min_lr', 'number', 'final learning rate'],
  ['dropout', 'number', 'dropout probability'],
  ['weight_decay', 'number', 'AdamW weight decay (weights and embeddings only)'],
  ['beta1', 'number', 'AdamW β1'],
  ['beta2', 'number', 'AdamW β2'],
  ['grad_clip', 'number', 'clip the gradient norm to this (0: off)'],
  ['eval_interval', 'integer', 'evaluate and save every this many steps'],
  ['eval_iters', 'integer', 'batches per evaluation'],
  ['patience', 'integer', 'stop after this many evaluations without a better validation loss (0: never)'],
  ['seed', 'integer', 'random seed (initialization and data order)'],
];

/** Each kind's own settings as flags (one flag per name; a name two kinds share lists both meanings). */
export const KIND_FLAGS: FlagSpec[] = (() => {
  const byName = new Map<string, FlagSpec>();
  for (const kind of MODEL_KINDS.values())
    for (const s of kind.settings) {
      const label = `${kind.name.toUpperCase()}: ${s.description}`;
      const seen = byName.get(s.name);
      if (seen) seen.description += `; ${label}`;
      else
        byName.set(s.name, {
          name: s.name,
          type: s.type,
          ...(s.choices ? { choices: [...s.choices] } : {}),
          ...(s.type === 'integer' || s.type === 'number' ? { min: 0 } : {}),
          description: label,
        });
    }
  return [...byName.values()];
})();

const SETTING_FLAGS: FlagSpec[] = SETTINGS.map(([name, type, description]) => ({
  name,
  type,
  min: 0,
  description:
    name in DEFAULT_TRAIN_CONFIG && !description.includes('(default')
      ? `${description} (default ${String(DEFAULT_TRAIN_CONFIG[name])})`
      : description,
}));

/** The train command. */
export const TRAIN: CommandGroup = {
  name: 'train',
  summary: 'train a neural language model (GPT, NPLM or character RNN) on a dataset or text file',
  command: {
    name: 'train',
    summary: 'train a neural language model (GPT, NPLM or character RNN) on a dataset or text file',
    details:
      "Settings use nanoGPT's names; defaults are nanoGPT's laptop-CPU character model. A --config JSON file\n" +
      'sets any of them and flags override it; the resolved settings are saved in the checkpoint.\n' +
      'A GPT or RNN reads a text file as written (every character, as nanoGPT); --sentences re-flows it into one\n' +
      'sentence per line, as an NPLM and a word tokenizer read it and as Brown comes; the start says which, and\n' +
      'eval, generate and serve prepare text the same way. The last 10% validates unless --valid. --out DIR receives the\n' +
      'latest checkpoint (config.json, model.safetensors, tokenizer.json, train_state.*), metrics.jsonl, and\n' +
      'best/ with the model of the lowest validation loss. Ctrl-C saves a checkpoint; --resume DIR continues it.\n' +
      '--model nplm is Bengio et al. (2003): --order n (block_size becomes n − 1), --n_embd m, --n_hidden h,\n' +
      '--direct; with --tokenizer word each sentence ends in </s>, which also pads the first contexts.\n' +
      '--model rnn is the classic Keras character RNN: embedding --n_embd 50, --n_layer 1 of --cell gru (or lstm)\n' +
      'with --n_hidden 150 units, --dropout 0.1 and --recurrent_dropout 0.1, windows of --block_size 30, batch 64,\n' +
      'Adam at a constant 1e-3 (β2 0.999, no weight decay) and --patience 3; flags override these defaults.\n' +
      "--model elmo is ELMo's biLM over words (--tokenizer word or a word tokenizer file): forward and backward\n" +
      'LSTM LMs of --n_layer 2 layers of --n_embd 128, one softmax (--tie_weights ties it to the embeddings), the\n' +
      "sum of both losses; windows of 20, batch 32, Adam 1e-3 as the RNN's. lmkit embed encode reads its layers.\n" +
      '--objective sft --init DIR fine-tunes a GPT checkpoint on --data FILE.jsonl conversations (TRL messages or\n' +
      'prompt/completion) with loss on assistant tokens only; every 10th conversation validates unless --valid.\n' +
      '--objective reward --init DIR learns a reward model from --data prefs.jsonl (TRL pairs {prompt, chosen,\n' +
      "rejected} or rankings {prompt, responses, ranking}) with InstructGPT's loss over all pairs of a ranking;\n" +
      "afterwards the SFT demonstrations (--demos, default the --init SFT run's data) get mean reward 0.\n" +
      '--objective dpo --init SFT_DIR optimises the policy on the same data by DPO (--beta 0.1; reference: --init).\n' +
      "--objective ppo --init SFT_DIR --reward RM_DIR --data prompts.jsonl runs RLHF's PPO (TRL's defaults; --batch_size\n" +
      'responses per step, KL penalty against --init, value model from the reward model, GAE, clipped losses).\n' +
      '--model bert pretrains a BERT masked LM (15% of tokens chosen, 80/10/10 [MASK]/random/kept, --whole-word-masking);\n' +
      '--objective classify --init BERT_DIR --data FILE.jsonl|spam fine-tunes it to label texts, --objective tag\n' +
      '--init BERT_DIR --data FILE.jsonl|brown to tag words; --json adds valid_accuracy, valid_macro_f1 (and test_* for a dataset).',
    json: true,
    flags: [
      {
        name: 'model',
        type: 'string',
        choices: [...MODEL_KINDS.keys()],
        description:
          "model kind (default gpt; on resume: the run's): " +
          [...MODEL_KINDS.values()].map((k) => `${k.name}, ${k.summary}`).join('; '),
      },
      {
        name: 'clean',
        type: 'boolean',
        description: "classic cleaning: lowercase, letters only, words of 3+ letters (on resume: the run's)",
      },
      {
        name: 'sentences',
        type: 'boolean',
        negatable: true,
        description:
          're-flow the text into one sentence per line (default for NPLM and word tokenizers; GPT and RNN read a file as written)',
      },
      { name: 'data', type: 'string', value: 'NAME_OR_FILE', description: 'dataset name or text file' },
      {
        name: 'split',
        type: 'string',
        choices: ['train', 'valid', 'test', 'all'],
        description:
          "train on this split of the data; with train, the data's valid split validates if it has one",
      },
      { name: 'valid', type: 'string', value: 'FILE', description: 'validation text (default: last 10%)' },
      {
        name: 'tokenizer',
        type: 'string',
        value: 'char|word|gpt2|FILE',
        description:
          "characters of the corpus, its words (<unk> for unseen ones), GPT-2's BPE, or a tokenizer file (default char)",
      },
      { name: 'config', type: 'string', value: 'FILE', description: 'JSON file of settings' },
      ...SETTING_FLAGS,
      ...KIND_FLAGS,
      {
        name: 'preset',
        type: 'string',
        choices: Object.keys(PRESETS),
        description:
          'GPT size preset replacing the defaults (config and flags still override): ' +
          Object.keys(PRESETS).join(', '),
      },
      {
        name: 'bias',
        type: 'boolean',
        negatable: true,
        description: 'biases in linear layers and norms (default on; --no-bias: none)',
      },
      { name: 'out', type: 'string', value: 'DIR', description: 'run directory (default: the --resume one)' },
      { name: 'resume', type: 'string', value: 'DIR', description: 'continue the run saved in DIR' },
      {
        name: 'max-time',
        type: 'number',
        min: 0,
        value: 'SECONDS',
        description:
          'stop after this many seconds of wall-clock time (this invocation), evaluating and saving first, as at max_iters',
      },
      {
        name: 'objective',
        type: 'string',
        choices: ['lm', 'sft', 'reward', 'dpo', 'ppo', 'classify', 'tag', 'text2text'],
        description:
          'lm: next-token pretraining on text (default); sft: fine-tune --init on JSONL conversations; ' +
          'reward: a reward model on preference JSONL; dpo: direct preference optimisation of --init; ' +
          'ppo: PPO of --init against --reward (or --reward-judge) on prompt JSONL; ' +
          'classify: fine-tune a BERT (--init) to label texts (JSONL {text, label} or --data spam); ' +
          'tag: fine-tune a BERT to tag words (JSONL {tokens, tags} or --data brown part-of-speech); ' +
          'text2text: a T5 on JSONL {input, target} pairs (the default for --model t5 with .jsonl data, or --init of a T5)',
      },
      ...PPO_FLAGS,
      {
        name: 'demos',
        type: 'string',
        value: 'FILE',
        description: "reward: SFT conversations whose mean reward is set to 0 (default: --init's SFT data)",
      },
      {
        name: 'center_rewards_coefficient',
        type: 'number',
        min: 0,
        description: "reward: TRL's centering term c · mean (r_w + r_l)² (default 0: off)",
      },
      {
        name: 'beta',
        type: 'number',
        min: 0,
        description: 'dpo: β, the KL strength of the implicit reward (default 0.1)',
      },
      {
        name: 'group_by_length',
        type: 'boolean',
        description: 'SFT, T5 text-to-text: batches of examples of similar length (less padding)',
      },
      {
        name: 'init',
        type: 'string',
        value: 'DIR',
        description: 'sft, reward, dpo: the GPT checkpoint to start from; classify, tag: the BERT checkpoint',
      },
    ],
    positionals: [],
    load: () => import('./run/train.js').then((m) => m.run),
  },
};
