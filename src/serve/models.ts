/**
 * The models a server holds, each addressed by an id (its file name without extension). Loading is the
 * one place that knows model file formats; everything after works on the `LanguageModel` interface.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chatTemplateFor, type ChatTemplate } from '../chat/template.js';
import { modelEmbedder, wordVectorsEmbedder, type TextEmbedder } from '../embed/text-embedder.js';
import { formatOfName, readVectors } from '../embed/vectors-file.js';
import { isBinaryModel } from '../ngram/binary.js';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { checkpointKind, readConfigJSON } from '../models/checkpoint.js';
import { loadLanguageModel } from '../models/load.js';
import { REWARD_KIND } from '../models/reward.js';
import { neverSampled } from '../generate/sample.js';
import { promptPreparer } from '../models/preprocessing.js';
import { badRequest, notFound } from './errors.js';

/** A model ready to serve. */
export interface ServedModel {
  id: string;
  model: LanguageModel;
  template: ChatTemplate;
  /** Prepares prompt text as the model's training text was (case, cleaning, punctuation split), as `lmkit generate` does. */
  normalize(text: string): string;
  /** Tokens never sampled in replies (the unknown-word token). */
  suppressTokens: number[];
  /** Unix seconds when loaded. */
  created: number;
  path: string;
  /** Turns text into a vector for /v1/embeddings, when the model's kind can (a GPT). */
  embedder?: TextEmbedder;
}

/** Word vectors served for /v1/embeddings only (they do not generate). */
export interface ServedEmbedder {
  id: string;
  embedder: TextEmbedder;
  created: number;
  path: string;
}

const MODEL_FILE = /\.(arpa|arpa\.gz|bin)$/;
/** Word vectors files (word2vec text or binary); a .bin that is not an n-gram binary is one. */
const VECTORS_FILE = /\.(bin|vec|txt)$/;

/** The id of a model: its file or folder name without extension (`runs/brown5.arpa.gz` → `brown5`). */
export function modelId(path: string): string {
  return basename(path)
    .replace(MODEL_FILE, '')
    .replace(/\.(vec|txt)$/, '');
}

/** Whether `path` is a word vectors file rather than an n-gram model (a .bin is sniffed for the n-gram magic). */
export function isVectorsFile(path: string): boolean {
  if (!VECTORS_FILE.test(path) || isCheckpoint(path)) return false;
  if (formatOfName(path) === 'text') return true;
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(8);
    readSync(fd, head, 0, 8, 0);
    return !isBinaryModel(head);
  } finally {
    closeSync(fd);
  }
}

/** Loads a word vectors file for /v1/embeddings. */
export function loadEmbedder(path: string): ServedEmbedder {
  return {
    id: modelId(path),
    embedder: wordVectorsEmbedder(readVectors(path)),
    created: Math.floor(Date.now() / 1000),
    path,
  };
}

/**
 * The model files and checkpoint folders in a folder (none when it does not exist), sorted by name. A
 * reward model folder is left out (it scores responses and writes no text), and `onSkip` is told why.
 */
export function modelFilesIn(dir: string, onSkip?: (path: string, why: string) => void): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => (MODEL_FILE.test(n) && statSync(join(dir, n)).isFile()) || isCheckpoint(join(dir, n)))
    .sort()
    .map((n) => join(dir, n))
    .filter((path) => {
      if (!isRewardModel(path)) return true;
      onSkip?.(path, 'a reward model: it scores responses (lmkit reward) and writes no text');
      return false;
    });
}

/** Loads a model of any kind lmkit knows: an n-gram file, or a checkpoint folder of any kind in models/kinds.ts. */
export function loadModel(path: string): ServedModel {
  return servedModel(modelId(path), loadLanguageModel(path), path);
}

/**
 * Wraps any model: prompts and messages prepared as its training text was (the one rule `lmkit generate`
 * uses), its chat template from its tokenizer, the unknown token never sampled.
 */
export function servedModel(id: string, model: LanguageModel, path = ''): ServedModel {
  const normalize = promptPreparer(model);
  return {
    id,
    model,
    embedder: modelEmbedder(model, normalize) ?? undefined,
    // the template gives each message a line of its own, so a model of sentences reads them joined
    template: chatTemplateFor(model.tokenizer, { normalize: promptPreparer(model, { oneLine: true }) }),
    normalize,
    suppressTokens: neverSampled(model.tokenizer),
    created: Math.floor(Date.now() / 1000),
    path,
  };
}

function isCheckpoint(path: string): boolean {
  return existsSync(join(path, 'config.json'));
}

function isRewardModel(path: string): boolean {
  if (!isCheckpoint(path)) return false;
  try {
    return checkpointKind(readConfigJSON(path)) === REWARD_KIND;
  } catch {
    return false; // a damaged config is reported when the folder is loaded
  }
}

/** The served models by id. */
export class ModelRegistry {
  private readonly byId = new Map<string, ServedModel>();
  private readonly embedders = new Map<string, ServedEmbedder>();

  /** Adds a model; two models with one id is a mistake the user must fix. */
  add(m: ServedModel): void {
    this.checkNew(m.id, m.path);
    this.byId.set(m.id, m);
  }

  /** Adds word vectors (served by /v1/embeddings only). */
  addEmbedder(m: ServedEmbedder): void {
    this.checkNew(m.id, m.path);
    this.embedders.set(m.id, m);
  }

  private checkNew(id: string, path: string): void {
    const old = this.byId.get(id) ?? this.embedders.get(id);
    if (old)
      throw new LmkitError(`two models have the id '${id}' (${old.path} and ${path})`, {
        hint: 'rename one of the files',
      });
  }

  /**
   * The embedder of model `id` (the first model that embeds when undefined): word vectors, or a model
   * whose kind embeds; 404 for an unknown id, 400 for a model that cannot embed.
   */
  embedder(id: string | undefined): { id: string; embedder: TextEmbedder } {
    if (id === undefined) {
      const first = [...this.embedders.values(), ...this.list().filter((m) => m.embedder)][0];
      if (!first) throw badRequest('no model on this server makes embeddings', 'model', 'model_not_found');
      return first as { id: string; embedder: TextEmbedder };
    }
    const vectors = this.embedders.get(id);
    if (vectors) return vectors;
    const m = this.get(id);
    if (!m.embedder)
      throw badRequest(
        `the model '${id}' (${m.model.kind}) does not make embeddings; serve word vectors or a GPT checkpoint`,
        'model',
        'model_not_supported',
      );
    return { id: m.id, embedder: m.embedder };
  }

  /** Every word vectors model, in the order added. */
  listEmbedders(): ServedEmbedder[] {
    return [...this.embedders.values()];
  }

  /** The model with this id (the first model when undefined); 404 when there is none. */
  get(id: string | undefined): ServedModel {
    const m = id === undefined ? this.byId.values().next().value : this.byId.get(id);
    if (!m && id !== undefined && this.embedders.has(id))
      throw badRequest(
        `the model '${id}' is word vectors: it makes embeddings (POST /v1/embeddings) and cannot generate text`,
        'model',
        'model_not_supported',
      );
    if (!m) {
      throw notFound(
        `the model '${id}' does not exist; this server has ${[...this.byId.keys(), ...this.embedders.keys()].join(', ') || 'no models'}`,
        'model_not_found',
        'model',
      );
    }
    return m;
  }

  /** Every model, in the order added. */
  list(): ServedModel[] {
    return [...this.byId.values()];
  }
}
