/** The GPT shapes the engine benchmark trains (nanoGPT's; vocabulary 65 characters, no biases). */
export const SHAPES = {
  /** nanoGPT's README CPU run: 0.8M parameters. */
  'nanogpt-cpu': { layers: 4, heads: 4, embd: 128, block: 64, batch: 12 },
  /** config/train_shakespeare_char.py (10.7M parameters; its batch is 64, 16 here to keep a step short). */
  'shakespeare-char': { layers: 6, heads: 6, embd: 384, block: 256, batch: 16 },
} as const;
