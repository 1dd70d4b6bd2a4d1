/** Test doubles: a byte-level tokenizer and a model that writes a scripted token sequence. */
import type { DecoderState, LanguageModel } from '../../src/lm.js';
import type { SpecialTokens, Tokenizer } from '../../src/tokenizers/tokenizer.js';

/** Ids 0–255 are bytes; then `<s>`, `</s>` and any extra named specials (which decode to nothing). */
export class ByteTokenizer implements Tokenizer {
  readonly kind = 'bpe';
  readonly special: SpecialTokens = { bos: 256, eos: 257 };
  private readonly names: string[];

  constructor(extra: string[] = []) {
    this.names = ['<s>', '</s>', ...extra];
  }

  get vocabSize(): number {
    return 256 + this.names.length;
  }

  encode(text: string): number[] {
    return [...Buffer.from(text, 'utf8')];
  }

  decode(ids: readonly number[]): string {
    return new TextDecoder().decode(Uint8Array.from(ids.filter((i) => i < 256)));
  }

  idToToken(id: number): string {
    return id < 256 ? String.fromCharCode(id) : this.names[id - 256];
  }

  tokenToId(token: string): number | undefined {
    const i = this.names.indexOf(token);
    return i >= 0 ? 256 + i : undefined;
  }
}

/** A model that always predicts the next token of `script` (then end of sequence) with certainty. */
export class ScriptedModel implements LanguageModel {
  readonly kind = 'scripted';
  readonly contextLength = Infinity;
  /** Prompts the model was started with. */
  readonly prompts: number[][] = [];

  constructor(
    readonly tokenizer: Tokenizer,
    private readonly script: number[],
  ) {}

  start(prompt: number[]): DecoderState {
    this.prompts.push(prompt);
    let i = 0;
    const { script, tokenizer } = this;
    return {
      logProbs() {
        const out = new Float32Array(tokenizer.vocabSize).fill(-Infinity);
        out[i < script.length ? script[i] : (tokenizer.special.eos as number)] = 0;
        return out;
      },
      push() {
        i++;
      },
    };
  }
}

/** A scripted byte model that writes `text`. */
export function textModel(text: string, extra: string[] = []): ScriptedModel {
  const tok = new ByteTokenizer(extra);
  return new ScriptedModel(tok, tok.encode(text));
}
