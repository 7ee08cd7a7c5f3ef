#!/usr/bin/env bash
# Click logs at real scale (issue 30): one epoch of the CTR pair on a Criteo-format click log of ROWS rows written by
# `rocketnet clicklog` (the synthetic click model, later rows later in time, so test AUC means something), streamed
# in constant memory: a shuffle buffer of 10^6 rows, the last 5,000,000 rows as the temporal test part, 2 % before
# them as the validation part, 10^6 hash buckets per categorical field, lazy Adam. For each method and thread
# count: the console output, log.csv, test.csv and GNU time's report (peak RSS: "Maximum resident set size") in
# results/clicks-scale/<method>-t<threads>/ with the command and the commit. The log itself (8.4 GB at 45 M rows)
# stays in the cache folder; it is regenerated bit for bit from its row count and seed.
# Usage: ROWS=45000000 METHODS="rocket base" THREADS="1 2" experiments/clicks-scale.sh
# (a small try: ROWS=200000 TEST_ROWS=20000 SHUFFLE=10000 RESULTS_NAME=../clicks-try experiments/clicks-scale.sh)
source "$(dirname "$0")/tools/lib.sh"
ROWS="${ROWS:-45000000}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/rocketnet/clicks"
DATA="${CLICKS_DATA:-$CACHE/clicks-$ROWS.tsv}"
BIN="$(bin_for "$COMMIT")"
out="$RESULTS/clicks-scale"
mkdir -p "$out" "$CACHE"
if [[ ! -f "$DATA" ]]; then
  echo "writing $DATA ($ROWS rows) $(date -u +%H:%M:%S)"
  (cd "$ROOT" && dotnet "$BIN/rocketnet.dll" clicklog --rows "$ROWS" --out "$DATA")
fi
for threads in ${THREADS:-1}; do
  for method in ${METHODS:-rocket base}; do
    name="$method-t$threads"
    [[ "$ROWS" != 45000000 ]] && name="$name-r$ROWS" # a smaller log's runs beside the full-size ones
    dir="$out/$name"
    [[ -f "$dir/DONE" ]] && { echo "skip  $name (done)"; continue; }
    work="${RUNS_DIR:-$CACHE/runs}/$name"
    rm -rf "$work" "$dir" && mkdir -p "$work" "$dir"
    args=(train --data criteo --path "$DATA" --shuffle-buffer "${SHUFFLE:-1000000}" --test-rows "${TEST_ROWS:-5000000}"
      --validation 0.02
      --hash-buckets 1000000 --arch ctr --optimizer lazy-adam --lr 0.001 --batch-size 1024 --epochs 1
      --method "$method" --seed 1 --threads "$threads" --checkpoint-dir "$work")
    echo "rocketnet ${args[*]}" | sed "s|$DATA|clicks-$ROWS.tsv|; s|$work|RUN_DIR|" > "$dir/command.txt"
    echo "$COMMIT" > "$dir/commit.txt"
    echo "start $name $(date -u +%H:%M:%S)"
    (cd "$ROOT" && DOTNET_TieredCompilation=0 /usr/bin/time -v dotnet "$BIN/rocketnet.dll" "${args[@]}") \
      > "$dir/stdout.txt" 2> "$dir/time.txt" || { echo "FAILED $name (see $dir)"; continue; }
    cp -p "$work/log.csv" "$work/test.csv" "$dir/"
    touch "$dir/DONE"
    echo "done  $name $(date -u +%H:%M:%S): $(grep -h 'Maximum resident' "$dir/time.txt" | sed 's/^\s*//')"
  done
done
