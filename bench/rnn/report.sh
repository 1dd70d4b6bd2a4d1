#!/usr/bin/env bash
# Reports on a character-RNN run of `lmkit train --model rnn`: scores the last 10% of the run's (cleaned)
# text as one stream with the hidden state carried (bits per character), then prints greedy and sampled
# continuations of each prompt from the best model.
#
#   bench/rnn/report.sh RUN_DIR DATA "PROMPT1|PROMPT2"
#   e.g. nice -n 5 bench/rnn/report.sh runs/brown-gru brown "the jury|they were"
#
# LMKIT is the command that runs lmkit (default: node bin/lmkit.js, after npm run build). EVAL_CHARS caps the
# characters scored (default 100000: decoding scores one token at a time).
set -euo pipefail
run=$1 data=$2 prompts=$3
LMKIT=${LMKIT:-node bin/lmkit.js}
EVAL_CHARS=${EVAL_CHARS:-100000}
clean=$(node -e "
const c = JSON.parse(require('fs').readFileSync('$run/config.json', 'utf8')).training;
process.stdout.write(c.clean ? '--clean' : '');")
$LMKIT data export "$data" $clean --out "$run/all.txt" > /dev/null
node -e "
const fs = require('fs');
const t = [...fs.readFileSync('$run/all.txt', 'utf8').replace(/\n\$/, '')];
fs.writeFileSync('$run/valid.txt', t.slice(Math.floor(t.length * 0.9)).slice(0, $EVAL_CHARS).join(''));"
echo "stream evaluation of $run/best on the first $EVAL_CHARS characters of the validation text:"
$LMKIT eval "$run/best" "$run/valid.txt" --mode stream --json

IFS='|' read -r -a list <<< "$prompts"
for p in "${list[@]}"; do
  echo "--- greedy: $p"
  $LMKIT generate "$run/best" --prompt "$p" --temperature 0 --max-tokens 120
  echo "--- sampled (temperature 0.8, seed 1, 2 samples): $p"
  $LMKIT generate "$run/best" --prompt "$p" --temperature 0.8 --seed 1 --n 2 --max-tokens 120
done
