/** `lmkit tokenizer ...`: train a byte-level BPE, encode and decode with any tokenizer, inspect one. */
import { CHAT_TOKENS } from '../chat/template.js';
import { loadSentences } from '../data/load.js';
import { TEXT_FORMATS, type TextFormat } from '../data/sentences.js';
import { SPLIT_NAMES } from '../data/splits.js';
import { LmkitError, UsageError } from '../errors.js';
import { BPETokenizer, END_OF_TEXT } from '../tokenizers/bpe.js';
import { trainBPE } from '../tokenizers/bpe-train.js';
import { resolveTokenizer, saveTokenizer, type SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { readingBar } from '../util/progress.js';
import type { CliIO, CommandGroup, CommandSpec } from './args.js';

const TOKENIZER_ARG = {
  name: 'TOKENIZER',
  description: 'a tokenizer file (tokenizer.json from lmkit or Hugging Face), or gpt2',
};

const n = (x: number) => x.toLocaleString('en-US');

const train: CommandSpec = {
  name: 'train',
  summary: 'learn a byte-level BPE (GPT-2 style) from a dataset or file and write tokenizer.json',
  details:
    "Words are cut with GPT-2's regex; the most frequent pair of adjacent tokens is merged until the\n" +
    'vocabulary (256 bytes + merges + special tokens) reaches --vocab-size, or no pair is seen\n' +
    '--min-frequency times. Ties go to the pair with the smaller token ids. The output is a Hugging Face\n' +
    "tokenizer.json laid out as GPT-2's own.",
  json: true,
  flags: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      value: 'FILE',
      description: 'output tokenizer.json (required)',
    },
    {
      name: 'vocab-size',
      type: 'integer',
      value: 'N',
      min: 257,
      description: 'tokens in all: 256 bytes, merges and special tokens (required)',
    },
    {
      name: 'special',
      type: 'string',
      value: 'LIST',
      default: END_OF_TEXT,
      description: "special tokens, comma-separated, e.g. '<|endoftext|>,<|user|>' ('' for none)",
    },
    {
      name: 'chat',
      type: 'boolean',
      description: 'also add the chat tokens <|system|> <|user|> <|assistant|> <|end|> (for SFT and chat)',
    },
    {
      name: 'min-frequency',
      type: 'integer',
      value: 'N',
      min: 1,
      default: 2,
      description: 'merge only pairs seen at least N times',
    },
    {
      name: 'split',
      type: 'string',
      choices: SPLIT_NAMES,
      default: 'all',
      description: 'which split to learn from',
    },
    {
      name: 'format',
      type: 'string',
      choices: TEXT_FORMATS,
      default: 'auto',
      description: 'how a file holds sentences: one per line, running text, or guess',
    },
  ],
  positionals: [{ name: 'SOURCE', description: 'a dataset name (lmkit data list) or a text file' }],
  async run(args, io) {
    const out = args.string('out');
    const vocabSize = args.number('vocab-size');
    if (!out || vocabSize === undefined)
      throw new UsageError(
        'lmkit tokenizer train needs --vocab-size N and --out FILE',
        "run 'lmkit tokenizer train --help' for usage",
      );
    const listed = (args.string('special') ?? '').split(',').filter((s) => s);
    const specialTokens = [...new Set([...listed, ...(args.bool('chat') ? Object.values(CHAT_TOKENS) : [])])];
    const reading = readingBar(io.stderr);
    const sentences = await loadSentences(args.positional('SOURCE') as string, {
      split: args.string('split'),
      format: args.string('format') as TextFormat,
      onRead: reading.update,
    }).finally(reading.done);
    const bytes = sentences.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
    const start = performance.now();
    const tokenizer = trainBPE(sentences, {
      vocabSize,
      specialTokens,
      minFrequency: args.number('min-frequency'),
    });
    const seconds = (performance.now() - start) / 1000;
    saveTokenizer(tokenizer, out);
    const facts = {
      out,
      vocabSize: tokenizer.vocabSize,
      merges: tokenizer.merges.length,
      specialTokens,
      sentences: sentences.length,
      bytes,
      seconds: Number(seconds.toFixed(3)),
    };
    if (args.json) io.stdout.write(JSON.stringify(facts) + '\n');
    else {
      io.stderr.write(
        `wrote ${out}: ${n(tokenizer.vocabSize)} tokens (${n(tokenizer.merges.length)} merges, ` +
          `${specialTokens.length} special) from ${n(sentences.length)} sentences, ` +
          `${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s\n`,
      );
      if (tokenizer.vocabSize < vocabSize)
        io.stderr.write(
          `note: no pair occurs ${args.number('min-frequency')}+ times any more, so the vocabulary stopped below ${n(vocabSize)}\n`,
        );
    }
  },
};

const encode: CommandSpec = {
  name: 'encode',
  summary: 'print the token ids of TEXT (or of standard input, encoded exactly, final newline included)',
  json: true,
  flags: [
    {
      name: 'allow-special',
      type: 'boolean',
      description: 'recognize special tokens such as <|endoftext|> in the text (default: plain text)',
    },
  ],
  positionals: [
    TOKENIZER_ARG,
    { name: 'TEXT', description: 'text to encode (default: standard input)', optional: true },
  ],
  async run(args, io) {
    const tokenizer = await resolveTokenizer(args.positional('TOKENIZER') as string);
    const text = args.positional('TEXT') ?? (await readStdin(io));
    let ids: number[];
    if (tokenizer instanceof BPETokenizer)
      ids = tokenizer.encode(text, { allowedSpecial: args.bool('allow-special') ? 'all' : 'none' });
    else if (args.bool('allow-special'))
      throw new UsageError(`--allow-special applies to BPE tokenizers (this one is ${tokenizer.kind})`);
    else ids = tokenizer.encode(text);
    if (args.json)
      io.stdout.write(
        JSON.stringify({
          ids,
          tokens: ids.map((id) => tokenizer.idToToken(id)),
          pieces: ids.map((id) => tokenizer.decode([id])),
        }) + '\n',
      );
    else io.stdout.write(ids.join(' ') + '\n');
  },
};

const decode: CommandSpec = {
  name: 'decode',
  summary: 'print the text of token ids (given as arguments, or on standard input)',
  details:
    'IDS are whole numbers separated by spaces or commas; a JSON list such as [15496, 995] works too.\n' +
    'The text is printed followed by a line break; --no-newline prints it exactly.',
  flags: [
    {
      name: 'keep-special',
      type: 'boolean',
      description: 'write special tokens as text instead of dropping them',
    },
    {
      name: 'newline',
      type: 'boolean',
      default: true,
      description: 'end the output with a line break (--no-newline: the decoded text only)',
    },
  ],
  positionals: [
    TOKENIZER_ARG,
    { name: 'IDS', description: 'token ids (default: standard input)', optional: true, variadic: true },
  ],
  async run(args, io) {
    const tokenizer = await resolveTokenizer(args.positional('TOKENIZER') as string);
    const given = args.rest('IDS');
    const ids = parseIds(given.length ? given.join(' ') : await readStdin(io));
    const text =
      tokenizer instanceof BPETokenizer
        ? tokenizer.decode(ids, { keepSpecial: args.bool('keep-special') })
        : tokenizer.decode(ids);
    io.stdout.write(args.bool('newline') ? text + '\n' : text);
  },
};

const show: CommandSpec = {
  name: 'show',
  summary: 'describe a tokenizer: kind, vocabulary size, special tokens, first and last merges',
  json: true,
  flags: [
    {
      name: 'merges',
      type: 'integer',
      value: 'N',
      min: 0,
      default: 10,
      description: 'merges to list at each end',
    },
  ],
  positionals: [TOKENIZER_ARG],
  async run(args, io) {
    const tokenizer = await resolveTokenizer(args.positional('TOKENIZER') as string);
    const info = describe(tokenizer, args.number('merges') as number);
    if (args.json) {
      io.stdout.write(JSON.stringify(info, null, 2) + '\n');
      return;
    }
    const lines = [
      `kind:        ${info.kind}`,
      `vocabulary:  ${n(info.vocabSize)} tokens`,
      `special:     ${info.specialTokens.map((s) => `${s.token}=${s.id}`).join(' ') || 'none'}`,
    ];
    if (info.merges !== undefined) {
      lines.push(`merges:      ${n(info.merges)}`);
      const row = (m: MergeInfo) =>
        `  ${String(m.rank).padStart(7)}  ${m.left} + ${m.right} → ${m.token} (${m.id}) ${JSON.stringify(m.text)}`;
      lines.push('first merges:', ...(info.firstMerges ?? []).map(row));
      lines.push('last merges:', ...(info.lastMerges ?? []).map(row));
    }
    io.stdout.write(lines.join('\n') + '\n');
  },
};

interface MergeInfo {
  rank: number;
  left: string;
  right: string;
  token: string;
  id: number;
  /** The token's bytes read as UTF-8 (U+FFFD where a character is cut). */
  text: string;
}

function describe(tokenizer: SavableTokenizer, count: number) {
  if (!(tokenizer instanceof BPETokenizer)) {
    const specials = Object.entries(tokenizer.special).filter(([, id]) => id !== undefined) as [
      string,
      number,
    ][];
    return {
      kind: tokenizer.kind,
      vocabSize: tokenizer.vocabSize,
      specialTokens: specials.map(([, id]) => ({ token: tokenizer.idToToken(id), id })),
      merges: undefined,
    };
  }
  const merge = (rank: number): MergeInfo => {
    const [left, right] = tokenizer.merges[rank];
    const id = tokenizer.tokenToId(left + right) as number;
    return { rank, left, right, token: left + right, id, text: tokenizer.decode([id]) };
  };
  const total = tokenizer.merges.length;
  const first = Math.min(count, total);
  const last = Math.min(count, total - first);
  return {
    kind: tokenizer.kind,
    vocabSize: tokenizer.vocabSize,
    specialTokens: tokenizer.specialTokens.map((token) => ({
      token,
      id: tokenizer.tokenToId(token) as number,
    })),
    merges: total,
    firstMerges: Array.from({ length: first }, (_, i) => merge(i)),
    lastMerges: Array.from({ length: last }, (_, i) => merge(total - last + i)),
  };
}

function parseIds(text: string): number[] {
  const fields = text
    .replace(/[[\]]/g, ' ')
    .split(/[\s,]+/)
    .filter((f) => f);
  return fields.map((f) => {
    if (!/^\d+$/.test(f)) throw new UsageError(`not a token id: '${f}'`, 'token ids are whole numbers ≥ 0');
    return Number(f);
  });
}

async function readStdin(io: CliIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new LmkitError('standard input is not valid UTF-8 text', {
      hint: 'convert it first, e.g. with iconv -t utf-8',
    });
  }
}

/** The `tokenizer` command group. */
export const TOKENIZER: CommandGroup = {
  name: 'tokenizer',
  summary: 'byte-level BPE: train one, encode and decode text, inspect vocabularies (gpt2 built in)',
  commands: [train, encode, decode, show],
};
