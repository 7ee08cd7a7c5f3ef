#!/usr/bin/env bash
# Regenerates results/ctr-ticdata and results/ctr-synthetic (RESULTS.md, experiment 5): trains the queue,
# then measures each seed-1 model's cost (parameters, FC multiplications, single-sample request time on
# one thread) and test AUC/GAUC with 'rocketnet eval --timing' into eval.txt beside the run.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/ctr.queue" "--arch ctr --optimizer adam --lr 0.001 --batch-size 256 --schedule cosine --threads 1"
for run in base-s1 rocket-s1 booster-s1; do
  for experiment in ctr-ticdata ctr-synthetic; do
    dir="$RESULTS/$experiment/$run"
    [[ -f "$dir/DONE" && ! -f "$dir/eval.txt" ]] || continue
    data_args="$(sed -n 's/.*\(--data [^ ]*\( --path [^ ]*\)\?\( --impressions [^ ]*\)\?\).*/\1/p' "$dir/command.txt")"
    (cd "$ROOT" && DOTNET_TieredCompilation=0 dotnet "$BIN/rocketnet.dll" eval --checkpoint "results/$experiment/$run/last.safetensors" $data_args --threads 1 --timing) > "$dir/eval.txt"
    echo "eval  $experiment/$run"
  done
done
