#!/usr/bin/env bash
# Schedule pilot for experiments/cifar10-full.sh (validation only). About 40 minutes of one core per run.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/cifar10-pilot.queue" \
  "--data cifar10 --arch wrn --sharing interval --validation 0.1 --final-test off --batch-size 128 --lr 0.1 --schedule cosine --augment --eval-every 2 --seed 1 --threads 1"
