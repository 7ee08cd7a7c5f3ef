#!/usr/bin/env bash
# Lists every queued run as done / partial (epochs checkpointed of all) / pending, with the core-hours still
# queued: each unfinished epoch is priced at the mean epoch time of finished epochs of the same experiment
# and method (one engine thread per run), or of the experiment, or shown as unknown.
# Partial runs of queues that train outside the work tree (RUNS_DIR, default ~/.cache/rocketnet/experiments) are
# read from there.
# Usage: experiments/tools/status.sh [QUEUE...]   (default: every experiments/*.sh that runs a queue)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scripts=("$@")
[[ ${#scripts[@]} -gt 0 ]] || mapfile -t scripts < <(grep -l '^queue ' "$ROOT"/experiments/*.sh)
for script in "${scripts[@]}"; do
  [[ "$script" == */* ]] || script="$ROOT/experiments/$script.sh"
  STATUS=1 bash "$script"
done | awk -v root="$ROOT" -v runs="${RUNS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rocketnet/experiments}" '
  function option(line, name,    n, parts, i) {
    n = split(line, parts, " ")
    for (i = 1; i < n; i++) if (parts[i] == name) return parts[i + 1]
    return ""
  }
  {
    experiment = $1; name = $2; dir = root "/results/" experiment "/" name
    epochs = option($0, "--epochs") + 0; method = option($0, "--method"); if (method == "") method = "rocket"
    done_epochs = 0; seconds = 0
    logf = dir "/log.csv"
    if (system("test -f " dir "/DONE") != 0 && system("test -f " runs "/" experiment "/" name "/log.csv") == 0)
      logf = runs "/" experiment "/" name "/log.csv"
    if ((getline header < logf) > 0) {
      split(header, columns, ","); for (c in columns) if (columns[c] == "seconds") col = c
      while ((getline row < logf) > 0) { split(row, f, ","); done_epochs++; seconds += f[col] }
      close(logf)
    }
    # Epochs that have a checkpoint: a log row may lead its checkpoint by one epoch after a kill.
    state = (system("test -f " dir "/DONE") == 0) ? "done" : (done_epochs > 0 || system("test -d " dir) == 0) ? "partial" : "pending"
    if (state == "partial" && logf != dir "/log.csv") state = "partial*" # its files live in RUNS_DIR
    if (state == "done") done_epochs = epochs
    key = experiment " " method
    if (done_epochs > 0) { sum[key] += seconds; count[key] += done_epochs; sum[experiment] += seconds; count[experiment] += done_epochs }
    n++; exps[n] = experiment; names[n] = name; states[n] = state; have[n] = done_epochs; total[n] = epochs; keys[n] = key
  }
  END {
    printf "%-16s %-24s %-8s %s\n", "experiment", "run", "state", "epochs"
    for (i = 1; i <= n; i++) {
      printf "%-16s %-24s %-8s %d/%d\n", exps[i], names[i], states[i], have[i], total[i]
      tally[states[i] == "partial*" ? "partial" : states[i]]++
      left = total[i] - have[i]; if (left <= 0 || states[i] == "done") continue
      per = count[keys[i]] > 0 ? sum[keys[i]] / count[keys[i]] : count[exps[i]] > 0 ? sum[exps[i]] / count[exps[i]] : -1
      if (per < 0) unknown++; else hours += left * per / 3600
    }
    printf "\n%d done, %d partial (* outside the work tree), %d pending; %.2f core-hours queued", tally["done"], tally["partial"], tally["pending"], hours
    if (unknown > 0) printf " plus %d runs with no timing yet", unknown
    printf "\n"
  }'
