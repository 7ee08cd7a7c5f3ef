#!/usr/bin/env bash
# Does keeping the best validation epoch close the light net's gap to logistic regression on a user's own table?
# (issue 26, items 1-2). For every table of the suite and SPLITS seeded stratified 80/20 splits (suite.py split;
# splits 1-2 are the suite's, 3-5 were never read before this experiment), bare `train --method base` with:
#   best   the own-data defaults, which hold out 20 % of the training part and ship the best validation epoch
#   last   the same with --validation 0: the whole training part, the last epoch (the defaults before this change)
# and scikit-learn's logistic regression and gradient boosting on the same training part (suite.py sklearn).
# Each light net is exported (best.safetensors, or last.safetensors without validation) and scored by `predict` on
# the test part, read once per split. Output: results/own-data-best-epoch/<table>/s<split>/metrics.txt and the
# two training logs; summarised by experiments/own-data/best-epoch.py. COMMIT picks the binary (default HEAD).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/experiments/own-data/suite.sh"
own_data_run "$ROOT" own-data-best-epoch

for entry in "${SUITE[@]}"; do
  IFS='|' read -r name path options <<< "$entry"
  target="${options#--target }"
  for split in ${SPLITS:-1 2 3 4 5}; do
    dir="$out/$name/s$split"
    [[ -s "$dir/metrics.txt" ]] && continue
    mkdir -p "$dir"
    data="$(mktemp -d)"
    py split "$ROOT/$path" "$target" "$split" "$data"
    echo "$commit" > "$dir/commit.txt"
    py sklearn "$data/train.csv" "$data/test.csv" "$target" > "$dir/metrics.tmp"
    for arm in best last; do
      extra=(); [[ "$arm" == last ]] && extra=(--validation 0 --eval-every 60)
      rocketnet train --data "$data/train.csv" --target "$target" --test "$data/test.csv" --method base --seed 1 --threads 1 \
        --final-test off "${extra[@]}" --checkpoint-dir "$data/$arm" > "$dir/train-$arm.txt" 2>&1
      rocketnet export --checkpoint "$data/$arm" --out "$data/$arm.safetensors" > "$dir/export-$arm.txt"
      rocketnet predict --model "$data/$arm.safetensors" --input "$data/test.csv" --output "$data/s.csv" > /dev/null
      py score "$data/s.csv" "$data/test.csv" "$target" | sed "s/^rocketnet/light-$arm/" >> "$dir/metrics.tmp"
    done
    mv "$dir/metrics.tmp" "$dir/metrics.txt"
    rm -rf "$data"
  done
  echo "$name done $(date -u +%H:%M:%S)"
done
