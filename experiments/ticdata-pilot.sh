#!/usr/bin/env bash
# Model-selection pilot for experiments/ticdata-val.sh (validation only). A few minutes of one core.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/ticdata-pilot.queue" \
  "--data ticdata --path ../shared/data/ctr/ticdata.csv --arch ctr --embedding-dim 8 --optimizer adam --lr 0.001 --batch-size 256 --schedule cosine --validation 0.2 --final-test off --threads 1"
