#!/usr/bin/env bash
# Winograd vs direct convolution on a short CIFAR-10 run (validation only): about 4 minutes of one core per run.
source "$(dirname "$0")/tools/lib.sh"
queue "$ROOT/experiments/winograd-parity.queue" \
  "--data cifar10 --arch wrn --sharing interval --method base --train-limit 20000 --validation 0.1 --final-test off --batch-size 128 --lr 0.1 --schedule cosine --epochs 5 --augment --threads 1"
