# Shared by the experiment scripts: builds the rocketnet command once into experiments/.bin/<commit>
# and runs queued training runs, each into results/<experiment>/<run>/ with its exact command line,
# the commit it came from, its console output, per-epoch CSV log and learning curve.
# A run whose folder holds DONE is skipped, so a script can be rerun to finish an interrupted queue.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)"
if ! git -C "$ROOT" diff --quiet HEAD -- Engine Layers Training Cli; then
  echo "experiments: uncommitted changes in the engine or the CLI; results must come from committed code" >&2
  exit 2
fi
BIN="$ROOT/experiments/.bin/$COMMIT"
if [[ ! -f "$BIN/rocketnet.dll" ]]; then
  dotnet build "$ROOT/Cli" -c Release -o "$BIN" -v quiet -nologo >/dev/null
fi
JOBS="${JOBS:-2}"          # runs in parallel, one engine thread each (2 cores)
RESULTS="$ROOT/results"

# run EXPERIMENT NAME ARGS... : one training run (waits for a --teacher checkpoint another run is making).
run() {
  local experiment="$1" name="$2"; shift 2
  local dir="$RESULTS/$experiment/$name"
  [[ -f "$dir/DONE" ]] && { echo "skip $experiment/$name (done)"; return 0; }
  local args=("$@") i
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [[ "${args[i]}" == --teacher ]]; then
      local teacher_dir; teacher_dir="$(dirname "${args[i+1]}")"
      until [[ -f "$teacher_dir/DONE" ]]; do sleep 20; done
    fi
  done
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'rocketnet train %s --checkpoint-dir %s\n' "$*" "results/$experiment/$name" > "$dir/command.txt"
  echo "$COMMIT" > "$dir/commit.txt"
  echo "start $experiment/$name $(date -u +%H:%M:%S)"
  (cd "$ROOT" && DOTNET_TieredCompilation=0 dotnet "$BIN/rocketnet.dll" train "$@" --checkpoint-dir "results/$experiment/$name") > "$dir/stdout.txt" 2>&1 \
    || { echo "FAILED $experiment/$name (see $dir/stdout.txt)"; return 1; }
  touch "$dir/DONE"
  echo "done  $experiment/$name $(date -u +%H:%M:%S)"
}
export -f run
export ROOT COMMIT BIN RESULTS

# queue FILE COMMON: runs every line of FILE ("EXPERIMENT NAME ARGS...") followed by the COMMON options,
# JOBS at a time, in order; ONLY="name1 name2" restricts it to those runs.
queue() {
  grep -v '^\s*\(#\|$\)' "$1" | sed "s|\$| $2|" | while read -r experiment name rest; do
    if [[ -z "${ONLY:-}" || " $ONLY " == *" $name "* ]]; then echo "$experiment $name $rest"; fi
  done | xargs -P "$JOBS" -L 1 bash -c 'run "$@"' _
}
