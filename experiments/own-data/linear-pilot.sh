#!/usr/bin/env bash
# Pilot for issue 26's pima gap, on validation only: does a linear light net (--light-hidden none: logistic regression
# on the same features) score better than the default light tower (32 hidden units) on the two tables where the light
# net was below logistic regression? Bare `train --method base` with the own-data defaults (20 % validation, best
# epoch), five validation seeds (--validation-seed 1..5) of the training part the table's own 80/20 split leaves
# (--data-seed 1; its test part is never read: --final-test off). Output:
# results/own-data-linear-pilot/<table>-<light>-v<seed>.txt (each run's stdout); summary: the best-epoch validation
# AUC per run, printed by this script's last step. COMMIT picks the binary (default HEAD).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/experiments/own-data/suite.sh"
own_data_run "$ROOT" own-data-linear-pilot
for entry in "pima|$SHARED/tables/PimaIndiansDiabetes.csv|diabetes" "ticdata|$SHARED/ctr/ticdata.csv|CARAVAN"; do
  IFS='|' read -r name path target <<< "$entry"
  for light in 32 none; do
    for v in 1 2 3 4 5; do
      file="$out/$name-$light-v$v.txt"
      [[ -s "$file" ]] && continue
      scratch="$(mktemp -d)"
      rocketnet train --data "$path" --target "$target" --method base --light-hidden "$light" --validation-seed "$v" \
        --final-test off --seed 1 --threads 1 --checkpoint-dir "$scratch" > "$file.tmp" 2>&1
      mv "$file.tmp" "$file"
      rm -rf "$scratch"
    done
  done
done
for f in "$out"/pima-*.txt "$out"/ticdata-*.txt; do
  printf '%s %s\n' "$(basename "$f" .txt)" "$(grep -o 'best epoch [0-9]* (val_light_auc [0-9.]*)' "$f")"
done | tee "$out/summary.txt"
