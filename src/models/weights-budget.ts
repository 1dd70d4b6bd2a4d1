/**
 * A check that a checkpoint's config.json asks for no more weights than its model.safetensors holds, made
 * before the network is built: a damaged or hostile config (n_embd 2^20, n_layer 100,000) would otherwise
 * have lmkit allocate gigabytes it then fails to fill, or run out of memory.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import { showValue } from '../util/show-value.js';

/** A field of a config as a size: its value when it is a finite number ≥ 0, else 0 (validation reports it). */
function size(json: Record<string, unknown>, ...names: string[]): number {
  for (const name of names) {
    const v = json[name];
    if (v !== undefined) return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  }
  return 0;
}

/** The fewest weights a checkpoint of this kind and config must store (its largest matrices; biases left out). */
export function minimumWeights(kind: string | null, json: Record<string, unknown>): number {
  const vocab = size(json, 'vocab_size');
  const embd = size(json, 'n_embd');
  if (kind === 'nplm') {
    const inputs = Math.max(0, size(json, 'order') - 1) * embd;
    const hidden = size(json, 'n_hidden');
    return vocab * embd + inputs * hidden + hidden * vocab + (json.direct === true ? inputs * vocab : 0);
  }
  if (kind === 'rnn') {
    const hidden = size(json, 'n_hidden');
    const layers = size(json, 'n_layer');
    const gates = json.cell === 'lstm' ? 4 : 3;
    const first = gates * (embd * hidden + hidden * hidden);
    const rest = Math.max(0, layers - 1) * gates * 2 * hidden * hidden;
    return vocab * embd + (layers > 0 ? first + rest : 0) + hidden * vocab;
  }
  // GPT: token (and, without RoPE, position) embeddings and 12·n_embd² per block
  const positions = json.rope === true ? 0 : size(json, 'block_size', 'n_positions');
  return (vocab + positions) * embd + size(json, 'n_layer') * 12 * embd * embd;
}

/** Networks smaller than this are built whatever the file holds, so the loader names the mismatched tensor. */
const FREE_BYTES = 256 * 2 ** 20;

/**
 * Throws when the weights `json` asks for need more than FREE_BYTES of float32 memory and more than
 * `dir`/`weights` holds at 2 bytes each (the smallest dtype lmkit reads); a missing file is left to the
 * loader to report.
 */
export function checkWeightsFit(dir: string, weights: string, kind: string | null, json: unknown): void {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return;
  const path = join(dir, weights);
  if (!existsSync(path)) return;
  const need = minimumWeights(kind, json as Record<string, unknown>);
  const bytes = statSync(path).size;
  if (need * 4 > FREE_BYTES && need * 2 > bytes) {
    const c = json as Record<string, unknown>;
    const dims = ['vocab_size', 'n_embd', 'n_hidden', 'n_layer', 'block_size', 'order']
      .filter((k) => c[k] !== undefined)
      .map((k) => `${k} ${showValue(c[k])}`)
      .join(', ');
    throw new LmkitError(
      `${join(dir, 'config.json')} asks for at least ${need.toPrecision(3)} weights (${dims}), ` +
        `more than ${path} (${bytes} bytes) can hold`,
      { hint: 'config.json does not belong with these weights, or one of them is damaged' },
    );
  }
}
