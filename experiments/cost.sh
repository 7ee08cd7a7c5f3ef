#!/usr/bin/env bash
# Regenerates results/cost/steps.jsonl (RESULTS.md, experiment 6): the median time of one training step
# (batch 128, SGD momentum + weight decay) of the booster alone (wrn40-1), the light net alone (wrn16-1)
# and the joint rocket step (rocket-wrn), on 1 and 2 threads, in one sitting. Run it on a quiet machine.
source "$(dirname "$0")/tools/lib.sh"
mkdir -p "$RESULTS/cost"
out="$RESULTS/cost/steps.jsonl"
: > "$out"
for threads in 1 2; do
  for workload in wrn40-1 wrn16-1 rocket-wrn; do
    (cd "$ROOT" && DOTNET_TieredCompilation=0 dotnet "$BIN/rocketnet.dll" bench "$workload" --threads "$threads" --reps "${REPS:-5}") | tee -a "$out"
  done
done
echo "$COMMIT" > "$RESULTS/cost/commit.txt"
