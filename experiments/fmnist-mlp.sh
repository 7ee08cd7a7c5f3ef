#!/usr/bin/env bash
# Regenerates results/fmnist-mlp (RESULTS.md, Fashion-MNIST). Needs 'apt-get install -y dataset-fashion-mnist'.
# About 3 core-hours (JOBS=1: one run at a time on one core; JOBS=2 on both).
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/fmnist-mlp.queue" \
  "--data fashion-mnist --arch mlp --shared 32 --epochs 20 --batch-size 128 --lr 0.05 --schedule cosine --validation 0.1 --threads 1"
