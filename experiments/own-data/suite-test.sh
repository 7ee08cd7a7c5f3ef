#!/usr/bin/env bash
# The own-data suite on test data (issue 26, item 4): for every table of the suite and SPLITS (default 2) seeded stratified
# 80/20 splits (experiments/own-data/suite.py split), and for the two image folders (their own train/ and test/):
#   base      bare `train --method base` (the own-data defaults), the light net alone
#   rocket    bare `train --method rocket` (paper settings: logit MSE, λ 0.03, gradient block): its light net and
#             its booster
#   booster   bare `train --method booster`
#   launch    `launch --seeds 3 --out F` on the training part: its choice, trained on the whole training part
#   the references: scikit-learn's logistic regression and histogram gradient boosting (suite.py sklearn)
# Every RocketNet model is scored by `rocketnet predict` on the test part, and suite.py score turns the scores into
# accuracy and AUC. Output: results/own-data-suite/<data>/s<split>/metrics.txt ("arm accuracy auc" per line) and
# launch.txt; summarised by experiments/own-data/suite-summary.py. COMMIT picks the binary (default HEAD).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/experiments/own-data/suite.sh"
own_data_run "$ROOT" own-data-suite

# run_one NAME DIR TRAIN TEST TRAIN_ARGS... : the five RocketNet arms and the references on one split.
run_one() {
  local name="$1" dir="$2" train="$3" test="$4"; shift 4
  local work; work="$(mktemp -d)"
  [[ -s "$dir/metrics.txt" ]] && { rm -rf "$work"; return 0; }
  mkdir -p "$dir"
  echo "$commit" > "$dir/commit.txt"
  : > "$dir/metrics.tmp"
  if [[ -n "${sk_train:-}" ]]; then py sklearn "$sk_train" "$sk_test" "$sk_target" >> "$dir/metrics.tmp"; fi
  for method in base rocket booster; do
    rocketnet train --data "$train" "$@" --method "$method" --seed 1 --threads 1 --checkpoint-dir "$work/$method" \
      > "$dir/train-$method.txt" 2>&1
    if [[ "$method" != booster ]]; then
      rocketnet export --checkpoint "$work/$method" --out "$work/$method-light.safetensors" > /dev/null
      rocketnet predict --model "$work/$method-light.safetensors" --input "$test" --output "$work/s.csv" > /dev/null
      py score "$work/s.csv" "$test" "$target" | sed "s/^rocketnet/$method-light/" >> "$dir/metrics.tmp"
    fi
    if [[ "$method" != base ]]; then
      rocketnet predict --net booster --model "$work/$method/last.safetensors" --input "$test" \
        --output "$work/s.csv" > /dev/null
      py score "$work/s.csv" "$test" "$target" | sed "s/^rocketnet/$method-booster/" >> "$dir/metrics.tmp"
    fi
  done
  rocketnet launch --data "$train" "$@" --seeds 3 --threads 1 --out "$work/choice.safetensors" \
    > "$dir/launch.txt" 2>&1
  rocketnet predict --model "$work/choice.safetensors" --input "$test" --output "$work/s.csv" > /dev/null
  py score "$work/s.csv" "$test" "$target" | sed "s/^rocketnet/launch-choice/" >> "$dir/metrics.tmp"
  mv "$dir/metrics.tmp" "$dir/metrics.txt"
  rm -rf "$work"
}

for entry in "${SUITE[@]}"; do
  IFS='|' read -r name path options <<< "$entry"
  target="${options#--target }"
  for split in ${SPLITS:-1 2}; do
    data="$(mktemp -d)"
    py split "$ROOT/$path" "$target" "$split" "$data"
    sk_train="$data/train.csv" sk_test="$data/test.csv" sk_target="$target"
    run_one "$name" "$out/$name/s$split" "$data/train.csv" "$data/test.csv" --target "$target" --test "$data/test.csv"
    rm -rf "$data"
  done
  echo "$name done $(date -u +%H:%M:%S)"
done
# The image folders last: their references (3,072 pixel columns) are the slowest.
for entry in "${IMAGE_SUITE[@]}"; do
  IFS='|' read -r name folder <<< "$entry"
  target=label sk_train="$folder/train.csv" sk_test="$folder/test.csv" sk_target=label
  run_one "$name" "$out/$name/s1" "$folder" "$folder/test"
  echo "$name done $(date -u +%H:%M:%S)"
done
