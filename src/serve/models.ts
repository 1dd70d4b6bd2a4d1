/**
 * The models a server holds, each addressed by an id (its file name without extension). Loading is the
 * one place that knows model file formats; everything after works on the `LanguageModel` interface.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chatTemplateFor, type ChatTemplate } from '../chat/template.js';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { loadLanguageModel } from '../models/load.js';
import { neverSampled } from '../generate/sample.js';
import { promptPreparer } from '../models/preprocessing.js';
import { notFound } from './errors.js';

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
}

const MODEL_FILE = /\.(arpa|arpa\.gz|bin)$/;

/** The id of a model: its file or folder name without extension (`runs/brown5.arpa.gz` → `brown5`). */
export function modelId(path: string): string {
  return basename(path).replace(MODEL_FILE, '');
}

/** The model files and checkpoint folders in a folder (none when it does not exist), sorted by name. */
export function modelFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => (MODEL_FILE.test(n) && statSync(join(dir, n)).isFile()) || isCheckpoint(join(dir, n)))
    .sort()
    .map((n) => join(dir, n));
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
    template: chatTemplateFor(model.tokenizer, { normalize }),
    normalize,
    suppressTokens: neverSampled(model.tokenizer),
    created: Math.floor(Date.now() / 1000),
    path,
  };
}

function isCheckpoint(path: string): boolean {
  return existsSync(join(path, 'config.json'));
}

/** The served models by id. */
export class ModelRegistry {
  private readonly byId = new Map<string, ServedModel>();

  /** Adds a model; two models with one id is a mistake the user must fix. */
  add(m: ServedModel): void {
    if (this.byId.has(m.id)) {
      throw new LmkitError(`two models have the id '${m.id}' (${this.byId.get(m.id)?.path} and ${m.path})`, {
        hint: 'rename one of the files',
      });
    }
    this.byId.set(m.id, m);
  }

  /** The model with this id (the first model when undefined); 404 when there is none. */
  get(id: string | undefined): ServedModel {
    const m = id === undefined ? this.byId.values().next().value : this.byId.get(id);
    if (!m) {
      throw notFound(
        `the model '${id}' does not exist; this server has ${[...this.byId.keys()].join(', ') || 'no models'}`,
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
