#!/usr/bin/env bash
# CIFAR-10 Table 1 analogue at 30 epochs (issue 25). Two single-thread runs at once (JOBS=2); partial runs
# live in ~/.cache/rocketnet/experiments (RUNS_DIR) and resume bit-exactly when the script is run again on
# the same machine; finished runs are copied into results/cifar10-e30/ and, with COMMIT_RESULTS=1, committed.
# DEADLINE=HH:MM (UTC; past today means tomorrow) starts a run only when its estimated time ends before then.
# Usage: COMMIT_RESULTS=1 DEADLINE=16:35 nohup experiments/cifar10-e30.sh > ~/cifar10-e30.log 2>&1 &
export RUNS_DIR="${RUNS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rocketnet/experiments}"
# Seconds per epoch before any epoch of the method has been logged (one thread per run, two runs at once,
# evaluation every 5 epochs included; measured on a Zen 5 core, with margin); afterwards the logs decide.
export EPOCH_SECONDS_base=80 EPOCH_SECONDS_rocket=300 EPOCH_SECONDS_booster=240 EPOCH_SECONDS_kd=150 \
  EPOCH_SECONDS_rocket_kd=310
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/cifar10-e30.queue" \
  "--data cifar10 --arch wrn --sharing interval --validation 0.1 --batch-size 128 --lr 0.1 --schedule cosine --epochs 30 --augment --eval-every 5 --threads 1"
