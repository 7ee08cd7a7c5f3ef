#!/usr/bin/env bash
# Chooses the own-data defaults on validation only (issue 26, item 1): bare `rocketnet train --data T` with a
# validation split of the training part (--validation 0.2 --final-test off: the test part is never read), the light
# net alone (--method base), over a grid of Adam learning rates, epochs and batch sizes on a cosine schedule, two
# seeds each, on every table of the suite (METHODS="base booster" adds the booster alone; GRID_IMAGES=1 takes the
# two image folders instead). One engine thread per run.
# Output: results/own-data-defaults/grid/<table>/<method>-lr<LR>-e<EPOCHS>-b<BATCH>-s<SEED>.csv (the run's log.csv),
# summarised by experiments/own-data/defaults-grid.py. COMMIT=<commit> picks the binary (default HEAD), built in a
# detached worktree so work in progress on the checkout cannot leak in.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/experiments/own-data/suite.sh"
commit="${COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}"
bin="$(own_data_binary "$ROOT" "$commit")"
out="$ROOT/results/own-data-defaults/grid"
scratch="$(mktemp -d)"
mkdir -p "$out"
echo "$commit" > "$out/commit.txt"
# GRID_IMAGES=1: the two image folders instead of the tables (their own train/ part, split for validation).
entries=("${SUITE[@]}")
if [[ "${GRID_IMAGES:-0}" == 1 ]]; then
  entries=()
  for image in "${IMAGE_SUITE[@]}"; do entries+=("${image}|"); done
fi
for entry in "${entries[@]}"; do
  IFS='|' read -r name path options <<< "$entry"
  mkdir -p "$out/$name"
  for method in ${METHODS:-base}; do
    for lr in ${LRS:-0.003 0.01 0.03}; do
      for epochs in ${EPOCHS:-20 60}; do
        for batch in ${BATCHES:-32 256}; do
          for seed in ${SEEDS:-1 2}; do
            file="$out/$name/$method-lr$lr-e$epochs-b$batch-s$seed.csv"
            [[ -s "$file" ]] && continue
            # shellcheck disable=SC2086
            if (cd "$ROOT" && dotnet "$bin/rocketnet.dll" train --data "$path" $options --validation 0.2 \
                --final-test off --eval-every "$epochs" --method "$method" --optimizer adam --schedule cosine \
                --weight-decay 0 --lr "$lr" --epochs "$epochs" --batch-size "$batch" --seed "$seed" --threads 1 \
                --checkpoint-dir "$scratch/run") > "$scratch/stdout.txt" 2>&1; then
              cp "$scratch/run/log.csv" "$file"
            else
              echo "FAILED $name $method lr $lr e $epochs b $batch s $seed: $(tail -1 "$scratch/stdout.txt")"
            fi
            rm -rf "$scratch/run"
          done
        done
      done
    done
  done
  echo "$name done $(date -u +%H:%M:%S)"
done
rm -rf "$scratch"
