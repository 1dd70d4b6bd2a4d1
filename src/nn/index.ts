/** Neural-network building blocks: modules, layers, the GPT, optimizers, schedules, safetensors. */
export { Module, type NamedParam, type ParamRole } from './module.js';
export { normalInit, uniformInit, constantInit } from './init.js';
export { Linear, Embedding, LayerNorm, RMSNorm, Dropout } from './layers.js';
export { GRU, LSTM } from './recurrent.js';
export { GPT, Block, MLP, CausalSelfAttention } from './gpt.js';
export { validateGPTConfig, GPT_DEFAULTS, type GPTConfig } from './gpt-config.js';
export { SGD, Adam, AdamW, clipGradNorm, type SGDOptions, type AdamOptions } from './optim.js';
export { constantLR, warmupCosineLR, linearDecayLR, type Schedule, type DecayOptions } from './schedule.js';
export {
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
  SafetensorsError,
  type SafetensorsFile,
  type StoredTensor,
} from './safetensors.js';
