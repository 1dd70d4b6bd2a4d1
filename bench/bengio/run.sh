#!/usr/bin/env bash
# Bengio et al. (2003) on Brown, lmkit's version: every model on the same token stream (the bengio split:
# 800k train tokens, 200k valid, the rest test; words seen <= 3 times in train are <unk>; each sentence
# ends in </s>), scored by `lmkit eval`. Figures and timings go to bench/RESULTS.md by hand.
#   bench/bengio/run.sh OUT_DIR [LMKIT]       (LMKIT: the CLI to run, default "npx lmkit")
# Each neural run is bounded by wall time (TRAIN_SECONDS, default 740) as well as steps: on a shared
# machine the step a run reaches depends on the load, so RESULTS.md records the steps reached.
set -euo pipefail
out=${1:?usage: bench/bengio/run.sh OUT_DIR [LMKIT]}
lmkit=${2:-npx lmkit}
secs=${TRAIN_SECONDS:-740}
mkdir -p "$out"
run() { echo "+ $*" >&2; "$@"; }

# back-off n-grams (interpolated modified Kneser-Ney, as KenLM)
for n in 3 5; do
  [ -e "$out/kn$n.bin" ] || run $lmkit ngram train --order $n brown --split train --out "$out/kn$n.bin"
done

# NPLM (n = 5, m = 30, h = 100), without and with direct connections; a small word-level GPT
common=(--data brown --split train --tokenizer word --batch_size 128 --eval_iters 20)
train() { # name, flags...
  local name=$1
  shift
  [ -e "$out/$name/best/config.json" ] && return
  # SIGINT at the time limit: lmkit saves the checkpoint and stops; best/ holds the best evaluated model
  run /usr/bin/time -f "$name: %e s wall, %U s user" nice -n 5 timeout --preserve-status -s INT "$secs" \
    $lmkit train "${common[@]}" "$@" --out "$out/$name" --json || [ $? -eq 130 ]
}
train nplm --model nplm --order 5 --n_embd 30 --n_hidden 100 --max_iters 7000 --eval_interval 1000
train nplm-direct --model nplm --order 5 --n_embd 30 --n_hidden 100 --direct --max_iters 7000 --eval_interval 1000
train gpt --model gpt --n_layer 2 --n_head 2 --n_embd 64 --block_size 32 --batch_size 16 \
  --max_iters 1500 --eval_interval 250 --eval_iters 10

# one table: every model on valid and test
for split in valid test; do
  for m in kn3.bin kn5.bin nplm/best nplm-direct/best gpt/best; do
    run nice -n 5 $lmkit eval "$out/$m" brown --split $split --json
  done
  run nice -n 5 $lmkit eval "$out/gpt/best" brown --split $split --mode sentences --json
  # Bengio's mixture: weight 0.5 each (the output also scores each model alone on the same tokens)
  run nice -n 5 $lmkit eval "$out/nplm/best" brown --split $split --mix "$out/kn3.bin" --json
  run nice -n 5 $lmkit eval "$out/nplm-direct/best" brown --split $split --mix "$out/kn3.bin" --json
  run nice -n 5 $lmkit eval "$out/nplm/best" brown --split $split --mix "$out/kn5.bin" --json
  run nice -n 5 $lmkit eval "$out/gpt/best" brown --split $split --mode sentences --mix "$out/kn3.bin" --json
done | tee "$out/eval.jsonl"
# the NPLM's mixture weight tuned on valid (0.1, 0.2, 0.3 on the NPLM), the best (0.2) applied to test
for w in 0.1 0.2 0.3; do
  run nice -n 5 $lmkit eval "$out/nplm/best" brown --split valid --mix "$out/kn3.bin" --mix-weight $w --json
done | tee "$out/weights.jsonl"
for kn in kn3.bin kn5.bin; do
  run nice -n 5 $lmkit eval "$out/nplm/best" brown --split test --mix "$out/$kn" --mix-weight 0.2 --json
done | tee -a "$out/weights.jsonl"
$lmkit plot "$out/nplm" "$out/nplm-direct" "$out/gpt" --out "$out/curves.svg"
