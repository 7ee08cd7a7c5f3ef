#!/usr/bin/env bash
# Checks that an experiment queue survives a kill: runs a small queue (digits, a slow-ish MLP) into a
# scratch folder, kills it with SIGKILL after a few epochs of the first run, runs the queue again, and
# requires that the interrupted run finished, was resumed (not restarted), and left a checkpoint
# byte-identical to the same run done without interruption. Used by CI; about a minute.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export RESULTS_NAME="experiments/.bin/selftest-results" JOBS=1 COMMIT_RESULTS=0
scratch="$ROOT/$RESULTS_NAME"
rm -rf "$scratch" && mkdir -p "$scratch"
queue_file="$scratch/selftest.queue"
common="--data digits --arch mlp --shared 64 --booster-hidden 1536x1536 --epochs 12 --batch-size 32 --lr 0.02 --schedule cosine --validation 0.2 --threads 1"
printf 'selftest interrupted --method rocket --seed 3\nselftest whole --method rocket --seed 3\n' > "$queue_file"
runner="$scratch/run-queue.sh"
printf '#!/usr/bin/env bash\nsource "%s/experiments/tools/lib.sh"\nqueue "%s" "%s"\n' "$ROOT" "$queue_file" "$common" > "$runner"
chmod +x "$runner"

setsid "$runner" > "$scratch/first.txt" 2>&1 &
leader=$!
log="$scratch/selftest/interrupted/log.csv"
for _ in $(seq 1 600); do
  [[ -f "$log" && $(wc -l < "$log") -ge 4 ]] && break
  sleep 0.2
done
kill -KILL -- -"$leader" 2>/dev/null || true
wait "$leader" 2>/dev/null || true
rows=$(wc -l < "$log")
[[ ! -f "$scratch/selftest/interrupted/DONE" ]] || { echo "selftest: the run finished before the kill; make it slower"; exit 1; }
echo "selftest: killed the queue with $((rows - 1)) epochs logged"

"$runner" > "$scratch/second.txt" 2>&1
grep -q '^resume selftest/interrupted' "$scratch/second.txt" || { echo "selftest: the second pass did not resume the run"; cat "$scratch/second.txt"; exit 1; }
grep -q 'resuming from' "$scratch/selftest/interrupted/stdout.txt" || { echo "selftest: train did not resume from the checkpoint"; exit 1; }
for run in interrupted whole; do [[ -f "$scratch/selftest/$run/DONE" ]] || { echo "selftest: $run not done"; exit 1; }; done
cmp "$scratch/selftest/interrupted/last.safetensors" "$scratch/selftest/whole/last.safetensors" \
  || { echo "selftest: the resumed run's checkpoint differs from the uninterrupted one"; exit 1; }
cmp "$scratch/selftest/interrupted/test.csv" "$scratch/selftest/whole/test.csv"
[[ $(wc -l < "$log") -eq 13 ]] || { echo "selftest: log.csv has $(wc -l < "$log") lines, expected a header and 12 epochs"; exit 1; }
"$runner" | grep -q '^skip  selftest/whole (done)' || { echo "selftest: finished runs are not skipped"; exit 1; }
# A deadline prices a run at its experiment's measured seconds per epoch, not at the fallback (an awk redirection
# once wrote the mean to a file named "0" and every run was priced at the fallback).
per="$(cd "$scratch" && EPOCH_SECONDS_rocket=999999 bash -c "source '$ROOT/experiments/tools/lib.sh'; epoch_seconds selftest rocket")"
[[ "$per" =~ ^[0-9]+$ && "$per" -gt 0 && "$per" -lt 999999 && ! -e "$scratch/0" ]] \
  || { echo "selftest: epoch_seconds gave '$per' instead of the logged seconds per epoch"; exit 1; }
echo "selftest: queue resumed after SIGKILL; checkpoint identical to an uninterrupted run; $per s per epoch measured"
rm -rf "$scratch"
