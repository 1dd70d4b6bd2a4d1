/**
 * Writes the message texts of a JSONL conversation file as plain text, one message per line (line
 * breaks inside a message become spaces), for pretraining a small model on the same domain before SFT.
 *
 *   node dist/bench/sft/texts.js instruct/train.jsonl > instruct/train.txt
 */
import { readSFTFile } from '../../src/train/sft-data.js';

const [path] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: node dist/bench/sft/texts.js FILE.jsonl > FILE.txt\n');
  process.exit(2);
}
for (const e of readSFTFile(path))
  for (const m of e.messages) process.stdout.write(m.content.replace(/\s*\n\s*/g, ' ') + '\n');
