/**
 * The models a server holds, each addressed by an id (its file name without extension). Loading is the
 * one place that knows model file formats; everything after works on the `LanguageModel` interface.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chatTemplateFor, type ChatTemplate } from '../chat/template.js';
import { classicClean, lowercase } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import type { LanguageModel } from '../lm.js';
import { NGramModel } from '../ngram/ngram-model.js';
import { splitRegex } from '../tokenizers/word.js';
import { notFound } from './errors.js';

/** A model ready to serve. */
export interface ServedModel {
  id: string;
  model: LanguageModel;
  template: ChatTemplate;
  /** Prepares prompt text as the model's training text was (case, punctuation split). */
  normalize(text: string): string;
  /** Tokens never sampled in replies (the unknown-word token). */
  suppressTokens: number[];
  /** Unix seconds when loaded. */
  created: number;
  path: string;
}

const MODEL_FILE = /\.(arpa|arpa\.gz|bin)$/;

/** The id of a model file: its name without extension (`runs/brown5.arpa.gz` → `brown5`). */
export function modelId(path: string): string {
  return basename(path).replace(MODEL_FILE, '');
}

/** The model files in a folder (none when it does not exist), sorted by name. */
export function modelFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => MODEL_FILE.test(n) && statSync(join(dir, n)).isFile())
    .sort()
    .map((n) => join(dir, n));
}

/** Loads a model file of any kind lmkit knows (new kinds, e.g. GPT checkpoint folders, are added here). */
export function loadModel(path: string): ServedModel {
  if (existsSync(join(path, 'config.json'))) {
    throw new LmkitError(`cannot serve ${path}: neural checkpoints are not servable yet`, {
      hint: 'serve n-gram models (.arpa, .bin) for now',
    });
  }
  if (!MODEL_FILE.test(path)) {
    throw new LmkitError(`cannot serve ${path}: not a model file lmkit knows (.arpa, .arpa.gz, .bin)`);
  }
  return servedNGram(modelId(path), NGramModel.load(path), path);
}

/** Wraps an n-gram model: prompts get the model's recorded preprocessing; `<unk>` is never sampled. */
export function servedNGram(id: string, model: NGramModel, path = ''): ServedModel {
  const details = model.backoff.info.details ?? {};
  const level = model.backoff.info.level;
  const normalize = (text: string): string => {
    if (details.clean === true) return classicClean(text);
    const split = level === 'word' ? splitRegex(text).join(' ') : text;
    return details.lowercase === true ? lowercase(split) : split;
  };
  const unk = model.tokenizer.special.unk;
  return {
    id,
    model,
    template: chatTemplateFor(model.tokenizer, { normalize }),
    normalize,
    suppressTokens: unk === undefined ? [] : [unk],
    created: Math.floor(Date.now() / 1000),
    path,
  };
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
