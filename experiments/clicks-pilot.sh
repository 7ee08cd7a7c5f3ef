#!/usr/bin/env bash
# Model-selection pilot for experiments/clicks.sh (validation only). About 40 minutes of one core.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/clicks-pilot.queue" \
  "--data synthetic-clicks --impressions 2000000 --arch ctr --embedding-dim 32 --epochs 1 --lr 0.001 --batch-size 256 --schedule cosine --validation 0.1 --final-test off --seed 1 --threads 1"
