#!/usr/bin/env bash
# Runs every command of the README's ```sh blocks as written, in a temporary folder (outputs stay out of
# the repository), each with a time limit, and prints a Markdown table: exit code, wall time, peak memory.
#   scripts/readme-tour.sh [LIMIT_SECONDS]      (default 120; env TOUR_DIR keeps the folder)
# `npx lmkit` runs this checkout's bin/lmkit.js; lmkit's home (models, history, downloads) is the temp
# folder's .lmkit. Commands that never end by themselves (serve, interactive chat) end at the limit: a
# timeout reads "124 (limit)". Training gets SIGINT at the limit, so it saves a checkpoint as Ctrl-C does
# and later commands find it. `npm install` and `npm test` are skipped (they are not per-command work).
set -uo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
LIMIT="${1:-120}"
WORK="${TOUR_DIR:-$(mktemp -d /tmp/lmkit-tour.XXXXXX)}"
mkdir -p "$WORK/runs"
export LMKIT_HOME="$WORK/.lmkit" LMKIT_REPO="$REPO"
cd "$WORK" || exit 1

# npx lmkit → this checkout (a plain `npx lmkit` in a temp folder would look for lmkit on the registry)
npx() { if [ "$1" = lmkit ]; then shift; node "$LMKIT_REPO/bin/lmkit.js" "$@"; else command npx "$@"; fi; }
export -f npx

# the commands: lines of ```sh blocks, continuation lines joined, comments dropped
mapfile -t COMMANDS < <(awk '
  /^```sh$/ { inside = 1; next }
  /^```/    { inside = 0; next }
  inside {
    line = $0; sub(/^[ \t]+/, "", line)
    if (pending != "") { line = pending " " line; pending = "" }
    if (line ~ /\\$/) { sub(/\\$/, "", line); pending = line; next }
    if (line != "") print line
  }' "$REPO/README.md")

have_time=0
[ -x /usr/bin/time ] && have_time=1
echo "| # | command | exit | wall s | peak MiB |"
echo "|---|---|---|---|---|"
i=0
for cmd in "${COMMANDS[@]}"; do
  i=$((i + 1))
  shown="${cmd//|/\\|}"
  # the command without its trailing comment (a # after two spaces), and without `npm install &&`
  run="$(printf '%s' "$cmd" | sed -E 's/[[:space:]]{2,}#.*$//; s/^npm install && //')"
  case "$run" in
    npm\ *) echo "| $i | \`$shown\` | skipped | | |"; continue ;;
  esac
  stats="$WORK/.time.$i"
  start=$(date +%s.%N)
  if [ $have_time = 1 ]; then
    # time outside timeout: GNU time ignores SIGINT, and the command itself must get it
    /usr/bin/time -f '%M' -o "$stats" timeout -s INT -k 20 "$LIMIT" bash -c "$run" \
      </dev/null >"$WORK/.out.$i" 2>"$WORK/.err.$i"
  else
    timeout -s INT -k 20 "$LIMIT" bash -c "$run" </dev/null >"$WORK/.out.$i" 2>"$WORK/.err.$i"
  fi
  code=$?
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  peak=""
  if [ -s "$stats" ]; then
    kib=$(grep -E '^[0-9]+$' "$stats" | tail -1)
    [ -n "$kib" ] && peak=$((kib / 1024))
  fi
  case $code in 124 | 130 | 137) code="$code (limit)" ;; esac
  printf '| %d | `%s` | %s | %.1f | %s |\n' "$i" "$shown" "$code" "$wall" "$peak"
done
echo
echo "limit ${LIMIT} s per command; outputs and logs (.out.N, .err.N) in $WORK"
