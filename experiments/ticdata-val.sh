#!/usr/bin/env bash
# Regenerates results/ticdata-val (RESULTS.md, ticdata). A few minutes of one core.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/ticdata-val.queue" \
  "--data ticdata --path ../shared/data/ctr/ticdata.csv --arch ctr --embedding-dim 8 --booster-bn off --booster-hidden 400x200x80 --epochs 8 --optimizer adam --lr 0.001 --batch-size 256 --schedule cosine --validation 0.2 --threads 1"
