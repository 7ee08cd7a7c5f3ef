#!/usr/bin/env bash
# Chooses the own-data defaults on validation only (issue 26, item 1): `rocketnet launch --data T` (which splits
# the training part into training and validation and never reads the test part) over a grid of Adam learning
# rates, epochs and batch sizes, three seeds each, on every table of the suite. One engine thread per run.
# Output: results/own-data-defaults/grid/<table>/lr<LR>-e<EPOCHS>-b<BATCH>.txt (launch's console output).
# Summarised by experiments/own-data/defaults-grid.py.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/suite.sh"
bin="$(bin_for "$COMMIT")"
out="$RESULTS/own-data-defaults/grid"
mkdir -p "$out"
echo "$COMMIT" > "$out/commit.txt"
for entry in "${SUITE[@]}"; do
  IFS='|' read -r name path options <<< "$entry"
  mkdir -p "$out/$name"
  for lr in 0.001 0.003 0.01 0.03; do
    for epochs in 20 60; do
      for batch in 32 256; do
        file="$out/$name/lr$lr-e$epochs-b$batch.txt"
        [[ -s "$file" ]] && continue
        # shellcheck disable=SC2086
        (cd "$ROOT" && dotnet "$bin/rocketnet.dll" launch --data "$path" $options --seeds 3 --lr "$lr" \
          --epochs "$epochs" --batch-size "$batch" --threads 1) > "$file.tmp" 2>&1 && mv "$file.tmp" "$file" \
          || { echo "FAILED $name lr $lr e $epochs b $batch: $(tail -1 "$file.tmp")"; }
      done
    done
  done
  echo "$name done $(date -u +%H:%M:%S)"
done
