#!/usr/bin/env bash
# Model-selection pilot for experiments/fmnist-mlp.sh (validation only). About 10 minutes of one core.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/fmnist-pilot.queue" \
  "--data fashion-mnist --arch mlp --booster-hidden 1024x1024 --epochs 20 --batch-size 128 --schedule cosine --validation 0.1 --final-test off --seed 1 --threads 1"
