#!/usr/bin/env bash
# Pilot for issue 26 on validation only: after the own-data defaults have chosen the best epoch E on their 20 %
# validation share, does retraining on the whole training part for E epochs of the same schedule ("refit") give a
# better light net than the best-epoch net itself, which never saw the validation rows? Suspected to give vowel its
# rows back and to close part of pima's gap to logistic regression. Test parts are never read: for every table and
# split s in SPLITS (default 1-5), the suite's outer split s (suite.py split, seed s) gives a training part, which is
# split again (seed 100 + s) into an inner training part and a holdout that plays the test part here. Arms, each
# trained on the inner training part and scored on the holdout by `predict`:
#   best    bare `train --method base` with the defaults (20 % validation, best.safetensors)
#   refit   the same command with --validation 0 --stop-after E (E: the best run's best epoch), last.safetensors
#   logistic regression and gradient boosting (suite.py sklearn)
# Output: results/own-data-refit-pilot/<table>/s<split>/metrics.txt and logs; summary: refit-pilot.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/experiments/own-data/suite.sh"
own_data_run "$ROOT" own-data-refit-pilot

for entry in "${SUITE[@]}"; do
  IFS='|' read -r name path options <<< "$entry"
  target="${options#--target }"
  for split in ${SPLITS:-1 2 3 4 5}; do
    dir="$out/$name/s$split"
    [[ -s "$dir/metrics.txt" ]] && continue
    mkdir -p "$dir"
    data="$(mktemp -d)"
    mkdir -p "$data/outer" "$data/inner"
    py split "$ROOT/$path" "$target" "$split" "$data/outer"
    py split "$data/outer/train.csv" "$target" "$((100 + split))" "$data/inner"
    rm "$data/outer/test.csv"  # the test part stays unread
    echo "$commit" > "$dir/commit.txt"
    py sklearn "$data/inner/train.csv" "$data/inner/test.csv" "$target" > "$dir/metrics.tmp"
    common=(--data "$data/inner/train.csv" --target "$target" --test "$data/inner/test.csv" --method base --seed 1
      --threads 1 --final-test off)
    rocketnet train "${common[@]}" --checkpoint-dir "$data/best" > "$dir/train-best.txt" 2>&1
    epoch="$(grep -o '^best epoch [0-9]*' "$dir/train-best.txt" | grep -o '[0-9]*$')"
    rocketnet train "${common[@]}" --validation 0 --stop-after "$epoch" --checkpoint-dir "$data/refit" \
      > "$dir/train-refit.txt" 2>&1
    for arm in best refit; do
      which=best; [[ "$arm" == refit ]] && which=last
      rocketnet export --checkpoint "$data/$arm" --which "$which" --out "$data/$arm.safetensors" > "$dir/export-$arm.txt"
      rocketnet predict --model "$data/$arm.safetensors" --input "$data/inner/test.csv" --output "$data/s.csv" > /dev/null
      py score "$data/s.csv" "$data/inner/test.csv" "$target" | sed "s/^rocketnet/light-$arm/" >> "$dir/metrics.tmp"
    done
    mv "$dir/metrics.tmp" "$dir/metrics.txt"
    rm -rf "$data"
  done
  echo "$name done $(date -u +%H:%M:%S)"
done
