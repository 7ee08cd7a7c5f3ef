#!/usr/bin/env bash
# Stops every running experiment queue and its training runs (e.g. before a performance measurement).
# Nothing is lost but the current epoch: rerun the queue's script to continue each run from its checkpoint.
pkill -f 'xargs -P [0-9]* -L 1 bash -c run' || true
pkill -f 'rocketnet.dll train .*--checkpoint-dir ' || true
echo "paused; rerun the experiment script(s) to continue"
