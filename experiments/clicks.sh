#!/usr/bin/env bash
# Regenerates results/clicks (RESULTS.md, synthetic click log attribution). About 1.5-2 core-hours.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/clicks.queue" \
  "--data synthetic-clicks --impressions 2000000 --arch ctr --embedding-dim 32 --epochs 1 --optimizer adam --lr 0.001 --batch-size 256 --schedule cosine --validation 0.1 --threads 1"
