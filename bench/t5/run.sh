#!/bin/sh
# The T5 bench (bench/RESULTS.md, "T5"): the multi-task data, span-corruption pretraining on the training
# split's text (inputs and targets, one pair a line: every character the tasks use, nothing held out),
# text-to-text fine-tuning from the pretrained model, then exact match per task on the test split.
# Usage: bench/t5/run.sh OUT [PRETRAIN_SECONDS FINETUNE_SECONDS]   (run it through /work/bin/heavy)
set -e
OUT=${1:?usage: bench/t5/run.sh OUT [PRETRAIN_SECONDS FINETUNE_SECONDS]}
PRE_S=${2:-180}
FT_S=${3:-330}
L="node $(dirname "$0")/../../bin/lmkit.js"
mkdir -p "$OUT"
[ -f "$OUT/tasks/train.jsonl" ] || $L data build-t5-tasks --out "$OUT/tasks" --max-per-task 3000
node -e '
  const fs = require("fs");
  const lines = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  fs.writeFileSync(process.argv[2], lines.map((e) => e.input + " " + e.target + "\n").join(""));
' "$OUT/tasks/train.jsonl" "$OUT/pretrain.txt"
$L train --model t5 --data "$OUT/pretrain.txt" --out "$OUT/pre" \
  --n_layer 2 --n_head 4 --n_embd 128 --block_size 128 --batch_size 16 --extra_ids 32 \
  --max_iters 3000 --eval_interval 100 --eval_iters 4 --max-time "$PRE_S" --json
$L train --init "$OUT/pre/best" --data "$OUT/tasks/train.jsonl" --valid "$OUT/tasks/valid.jsonl" \
  --out "$OUT/ft" --batch_size 32 --max_iters 4000 --eval_interval 200 \
  --exact_match_examples 100 --max-time "$FT_S" --json
$L eval "$OUT/ft/best" "$OUT/tasks/test.jsonl" --per-task 60
