/**
 * lmkit as a library: each stage of the road from a corpus to an assistant, as the CLI uses it. One
 * interface (`LanguageModel`) holds every model kind, so evaluation, sampling and serving take any of them.
 */
// the interface every model kind implements, and the generic scorer fast paths must match
export {
  scoreByDecoding,
  scoreWith,
  type DecoderState,
  type LanguageModel,
  type ScoreOptions,
} from './lm.js';
// data: named corpora and user files, one sentence per entry
export { loadSentences, type LoadOptions } from './data/load.js';
// tokenizers: characters, words, byte-level BPE (GPT-2's or trained), tokenizer.json files
export { CharTokenizer } from './tokenizers/char.js';
export { WordTokenizer } from './tokenizers/word.js';
export { BPETokenizer } from './tokenizers/bpe.js';
export { trainBPE } from './tokenizers/bpe-train.js';
export {
  loadTokenizer,
  resolveTokenizer,
  saveTokenizer,
  type SavableTokenizer,
} from './tokenizers/tokenizer-file.js';
export type { Tokenizer } from './tokenizers/tokenizer.js';
// n-gram models: counting and estimation (Kneser-Ney as KenLM), ARPA and binary files
export { trainNGram, type NGramTrainOptions, type Smoothing } from './ngram/train.js';
export { NGramModel } from './ngram/ngram-model.js';
// neural models: every kind by name, each loadable from its checkpoint folder
export { MODEL_KINDS, modelKind, type ModelKind, type NeuralModel } from './models/kinds.js';
export { loadLanguageModel } from './models/load.js';
export { GPTModel } from './models/gpt.js';
export { NPLMModel } from './models/nplm.js';
export { RNNModel } from './models/rnn.js';
export { MixtureModel } from './models/mixture.js';
// training: pretraining any kind on text, supervised fine-tuning on conversations
export { pretrain, type PretrainOptions } from './train/pretrain.js';
export { trainSFT } from './train/sft.js';
export { resolveTrainConfig, type TrainConfig } from './train/config.js';
// evaluation and generation
export { evaluatePerplexity, type EvalOptions, type EvalResult } from './eval/perplexity.js';
export { streamText, type StreamOptions, type StreamResult } from './generate/stream.js';
export { SAMPLING_PARAMS, type SamplingParam } from './generate/sampling-params.js';
export type { SamplingOptions } from './generate/sample.js';
export { Rng } from './util/rng.js';
// the chat service: OpenAI-compatible HTTP API, web UI, SQLite history
export { createApp, type App, type AppOptions } from './serve/app.js';
export { loadModel } from './serve/models.js';
