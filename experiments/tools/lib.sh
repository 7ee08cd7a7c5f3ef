# Shared by the experiment scripts: builds the rocketnet command of a commit into experiments/.bin/<commit>
# and runs queued training runs, each into results/<experiment>/<run>/ with its exact command line, the
# commit it came from, its console output, per-epoch CSV log and learning curve.
#
# Interruption: a run folder holds DONE when finished (skipped on the next pass). A folder without DONE is a
# partial run: the next pass continues it with --resume from its last checkpoint (one per epoch), with the
# binary of the commit it started on (commit.txt), so the result is bit-identical to an uninterrupted run.
# Stop a queue at any moment (experiments/tools/pause.sh, or kill it); run its script again to continue.
# COMMIT_RESULTS=1 commits each finished run's folder (checkpoints excluded by .gitignore) as it completes.
#
# RUNS_DIR (optional): train into RUNS_DIR/<experiment>/<run> instead, outside the work tree, so a partial
# run survives a fresh checkout on the same machine; when the run finishes, everything but its checkpoints
# is copied into results/<experiment>/<run>/ (plus last.safetensors when another line of the queue names
# it as a --teacher). DEADLINE (optional, "HH:MM" UTC or epoch seconds): a run starts or resumes only when
# its remaining epochs, priced by epoch_seconds below, end before it; otherwise it is left for later.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)"
if ! git -C "$ROOT" diff --quiet HEAD -- Engine Layers Training Cli; then
  echo "experiments: uncommitted changes in the engine or the CLI; results must come from committed code" >&2
  exit 2
fi
JOBS="${JOBS:-2}"          # runs in parallel, one engine thread each (2 cores)
RESULTS_NAME="${RESULTS_NAME:-results}"   # folder of the runs, relative to the repository root
RESULTS="$ROOT/$RESULTS_NAME"
COMMIT_RESULTS="${COMMIT_RESULTS:-0}"
RUNS_DIR="${RUNS_DIR:-}"
DEADLINE="${DEADLINE:-}"
if [[ -n "$DEADLINE" && ! "$DEADLINE" =~ ^[0-9]+$ ]]; then
  # "HH:MM" already past today means that time tomorrow (a session that runs over midnight UTC).
  DEADLINE_TODAY="$(date -u -d "$DEADLINE" +%s)"
  ((DEADLINE_TODAY > $(date -u +%s))) || DEADLINE_TODAY="$(date -u -d "tomorrow $DEADLINE" +%s)"
  DEADLINE="$DEADLINE_TODAY"
fi

# bin_for COMMIT: prints the folder holding that commit's rocketnet.dll, building it (from a detached
# worktree when COMMIT is not the checkout's HEAD) if needed.
bin_for() {
  local commit="$1" bin="$ROOT/experiments/.bin/$1"
  if [[ ! -f "$bin/rocketnet.dll" ]]; then
    local src="$ROOT"
    if [[ "$commit" != "$COMMIT" ]]; then
      src="$ROOT/experiments/.bin/src-$commit"
      [[ -d "$src" ]] || git -C "$ROOT" worktree add --detach "$src" "$commit" >/dev/null 2>&1
    fi
    (flock 9; [[ -f "$bin/rocketnet.dll" ]] || dotnet build "$src/Cli" -c Release -o "$bin" -v quiet -nologo >/dev/null) 9>"$ROOT/experiments/.bin/build.lock"
  fi
  echo "$bin"
}

# commit_run EXPERIMENT NAME: commits one finished run's folder alone (other staged work is left alone).
commit_run() {
  local path="$RESULTS_NAME/$1/$2" attempt
  for attempt in 1 2 3 4 5; do
    if (flock 9; git -C "$ROOT" add -- "$path" && git -C "$ROOT" commit -q -m "results: $1/$2 ($(cat "$RESULTS/$1/$2/commit.txt"))" -- "$path") 9>"$ROOT/.git/rocketnet-results.lock"; then
      return 0
    fi
    sleep $((attempt * 3))  # another git command held the index lock
  done
  echo "WARNING: could not commit $path" >&2
}

# option NAME ARGS...: the value that follows NAME in ARGS (empty when absent).
option() {
  local name="$1" i; shift
  local args=("$@")
  for ((i = 0; i < ${#args[@]} - 1; i++)); do [[ "${args[i]}" == "$name" ]] && { echo "${args[i+1]}"; return; }; done
}

# epoch_seconds EXPERIMENT METHOD: the median seconds per epoch of the logged epochs of that experiment and
# method (finished runs in results/, partial ones in RUNS_DIR), plus 10 % and rounded up, so a deadline errs on the
# safe side; else EPOCH_SECONDS_<method> (set by the queue's script; one engine thread per run, two runs at once),
# else 0 (unknown: never blocks a start). The median, not the mean: epochs that shared their core with builds or a
# data generator took 3-6x as long (booster-s1: median 250 s, mean 430 s), and the mean priced a two-hour
# booster run at 213 minutes, longer than a session.
epoch_seconds() {
  local experiment="$1" method="$2" logs=() dir
  for dir in "$RESULTS/$experiment"/* ${RUNS_DIR:+"$RUNS_DIR/$experiment"/*}; do
    [[ -f "$dir/log.csv" && "$(option --method $(cat "$dir/command.txt" 2>/dev/null))" == "$method" ]] && logs+=("$dir/log.csv")
  done
  local measured=0
  if [[ ${#logs[@]} -gt 0 ]]; then
    measured="$(awk -F, 'FNR == 1 { col = 0; for (c = 1; c <= NF; c++) if ($c == "seconds") col = c; next }
      col { print $col }' "${logs[@]}" | sort -g \
      | awk '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit }
        m = (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); printf "%d", int(m * 1.1) + 1 }')"
  fi
  local fallback="EPOCH_SECONDS_${method//-/_}"
  if [[ "$measured" -gt 0 ]]; then echo "$measured"; else echo "${!fallback:-0}"; fi
}

# run EXPERIMENT NAME ARGS... : one training run (waits for a --teacher checkpoint another run is making).
run() {
  local experiment="$1" name="$2"; shift 2
  local dir="$RESULTS/$experiment/$name" work="$RESULTS/$experiment/$name"
  [[ -n "$RUNS_DIR" ]] && work="$RUNS_DIR/$experiment/$name"
  [[ -f "$dir/DONE" ]] && { echo "skip  $experiment/$name (done)"; return 0; }
  local checkpoint_dir="$RESULTS_NAME/$experiment/$name"
  [[ -n "$RUNS_DIR" ]] && checkpoint_dir="$work"
  local command_line; command_line="$(printf 'rocketnet train %s --checkpoint-dir %s' "$*" "$checkpoint_dir")"
  local commit="$COMMIT" resume=() epochs_done=0
  if [[ -f "$work/commit.txt" && -f "$work/command.txt" && "$(cat "$work/command.txt")" == "$command_line" ]]; then
    commit="$(cat "$work/commit.txt")"
    resume=(--resume)
    [[ -f "$work/log.csv" ]] && epochs_done=$(($(wc -l < "$work/log.csv") - 1))
  fi
  if [[ -n "$DEADLINE" ]]; then
    local epochs; epochs="$(option --epochs "$@")"
    local per; per="$(epoch_seconds "$experiment" "$(option --method "$@")")"
    local need=$(((${epochs:-10} - epochs_done) * per))
    if (($(date -u +%s) + need > DEADLINE)); then
      echo "later $experiment/$name (about $((need / 60)) min left to run; the deadline is in $(((DEADLINE - $(date -u +%s)) / 60)) min)"
      return 0
    fi
  fi
  # Wait for a --teacher checkpoint another run is making (after the deadline check: a run that cannot finish in
  # time must not hold a slot waiting for its teacher).
  local args=("$@") i
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [[ "${args[i]}" == --teacher ]]; then
      local teacher_dir; teacher_dir="$(dirname "${args[i+1]}")"
      until [[ -f "$ROOT/$teacher_dir/DONE" ]]; do sleep 20; done
    fi
  done
  if [[ ${#resume[@]} -gt 0 ]]; then
    echo "resume $experiment/$name (commit $commit) $(date -u +%H:%M:%S)"
  else
    rm -rf "$work" && mkdir -p "$work"   # new, or its options changed in the queue: start over
    echo "$command_line" > "$work/command.txt"
    echo "$commit" > "$work/commit.txt"
    echo "start $experiment/$name $(date -u +%H:%M:%S)"
  fi
  local bin; bin="$(bin_for "$commit")"
  (cd "$ROOT" && DOTNET_TieredCompilation=0 dotnet "$bin/rocketnet.dll" train "$@" --checkpoint-dir "$checkpoint_dir" "${resume[@]}") >> "$work/stdout.txt" 2>&1 \
    || { echo "FAILED $experiment/$name (see $work/stdout.txt)"; return 1; }
  if [[ -n "$RUNS_DIR" ]]; then
    mkdir -p "$dir"
    find "$work" -maxdepth 1 -type f ! -name '*.safetensors' ! -name '*.tmp' -exec cp -p {} "$dir/" \;
    if [[ -n "${QUEUE_FILE:-}" ]] && grep -q -- "--teacher $RESULTS_NAME/$experiment/$name/last.safetensors" "$QUEUE_FILE"; then
      cp -p "$work/last.safetensors" "$dir/last.safetensors"
    fi
  fi
  touch "$dir/DONE"
  echo "done  $experiment/$name $(date -u +%H:%M:%S)"
  [[ "$COMMIT_RESULTS" == 1 ]] && commit_run "$experiment" "$name"
  return 0
}
export -f run bin_for commit_run option epoch_seconds
export ROOT COMMIT RESULTS RESULTS_NAME COMMIT_RESULTS RUNS_DIR DEADLINE

# queue_lines FILE COMMON: the queue's runs, one per line ("EXPERIMENT NAME ARGS... COMMON"), ONLY-filtered.
queue_lines() {
  grep -v '^\s*\(#\|$\)' "$1" | sed "s|\$| $2|" | while read -r experiment name rest; do
    if [[ -z "${ONLY:-}" || " $ONLY " == *" $name "* ]]; then echo "$experiment $name $rest"; fi
  done
}

# queue FILE COMMON: runs every line of FILE followed by the COMMON options, JOBS at a time, in order;
# ONLY="name1 name2" restricts it to those runs. STATUS=1 lists the runs' states instead (experiments/tools/status.sh).
queue() {
  if [[ "${STATUS:-0}" == 1 ]]; then queue_lines "$1" "$2"; exit 0; fi
  mkdir -p "$ROOT/experiments/.bin"
  export QUEUE_FILE="$1"
  bin_for "$COMMIT" >/dev/null
  queue_lines "$1" "$2" | xargs -P "$JOBS" -L 1 bash -c 'run "$@"' _
}
