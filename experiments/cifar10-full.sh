#!/usr/bin/env bash
# CIFAR-10 near convergence (issue 19 a). Each run uses two engine threads (run with JOBS=1); every run resumes
# from its last checkpoint when the script is run again, on the commit it started with.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/cifar10-full.queue" \
  "--data cifar10 --arch wrn --sharing interval --validation 0.1 --batch-size 128 --lr 0.1 --schedule cosine --epochs 50 --augment --eval-every 5 --threads 2"
