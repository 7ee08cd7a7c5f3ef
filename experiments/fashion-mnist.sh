#!/usr/bin/env bash
# Regenerates results/fashion-mnist (RESULTS.md, experiment 4). Needs 'apt-get install -y dataset-fashion-mnist'.
# About 45 minutes on 2 cores (JOBS=2 single-threaded runs at a time).
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/fashion-mnist.queue" \
  "--data fashion-mnist --arch wrn --sharing interval --epochs 1 --batch-size 128 --lr 0.1 --schedule cosine --threads 1"
