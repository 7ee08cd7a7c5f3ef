#!/usr/bin/env bash
# Regenerates results/cifar10 (RESULTS.md, experiments 1-3 and 6). About 2 hours on 2 cores.
# JOBS=2 (default) runs two single-threaded runs at a time; ONLY="rocket-s2 base-s2" reruns chosen runs
# (delete their folders first).
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/cifar10.queue" \
  "--data cifar10 --arch wrn --train-limit 5000 --epochs 12 --batch-size 128 --lr 0.1 --schedule multistep --augment --eval-every 4 --threads 1"
