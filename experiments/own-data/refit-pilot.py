#!/usr/bin/env python3
"""Summarises experiments/own-data/refit-pilot.sh (validation only, test parts unread): per table, the light net at
its best validation epoch, the same net refitted on the whole (inner) training part for that many epochs, logistic
regression and gradient boosting, all scored on the holdout of each split, and the paired differences over splits
with 95 % t-intervals. Writes results/own-data-refit-pilot/summary.md. Standard library only."""
import math
import os
import statistics

from paired import interval, read

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
base = os.path.join(root, "results", "own-data-refit-pilot")
arms = ["light-best", "light-refit", "logistic-regression", "gradient-boosting"]
lines = ["| table (score, splits) | light, best epoch | light, refit | logistic regression | gradient boosting "
         "| refit − best [95 %] | refit − logistic regression [95 %] |", "|---|---:|---:|---:|---:|---:|---:|"]
tallies = {"refit above best": [], "refit below best": [], "refit below logistic regression": []}
for table in sorted(d for d in os.listdir(base) if os.path.isdir(os.path.join(base, d))):
    folder = os.path.join(base, table)
    runs = [read(os.path.join(folder, s, "metrics.txt")) for s in sorted(os.listdir(folder))
            if os.path.exists(os.path.join(folder, s, "metrics.txt"))]
    if not runs:
        continue
    binary = not math.isnan(runs[0]["logistic-regression"][1])
    k, scale, fmt = (1, 1, "{:.3f}") if binary else (0, 100, "{:.1f}")
    values = {a: [r[a][k] * scale for r in runs] for a in arms}

    def diff(a, b):
        mean, low, high = interval([x - y for x, y in zip(values[a], values[b])])
        sign = lambda v: ("+" if v >= 0 else "") + fmt.format(v)
        return f"{sign(mean)} [{sign(low)}, {sign(high)}]", low, high

    vs_best, low, high = diff("light-refit", "light-best")
    vs_lr, _, lr_high = diff("light-refit", "logistic-regression")
    if low > 0: tallies["refit above best"].append(table)
    if high < 0: tallies["refit below best"].append(table)
    if lr_high < 0: tallies["refit below logistic regression"].append(table)
    cells = " | ".join(fmt.format(statistics.mean(values[a])) for a in arms)
    lines.append(f"| {table} ({'AUC' if binary else 'accuracy %'}, {len(runs)}) | {cells} | {vs_best} | {vs_lr} |")
lines.append("")
for name, tables in tallies.items():
    lines.append(f"{name.capitalize()} beyond the 95 % interval: {', '.join(tables) if tables else 'no table'}.")
commits = sorted({open(os.path.join(base, t, s, "commit.txt")).read().strip()
                  for t in os.listdir(base) if os.path.isdir(os.path.join(base, t))
                  for s in os.listdir(os.path.join(base, t))
                  if os.path.exists(os.path.join(base, t, s, "commit.txt"))})
text = (f"Commit {', '.join(commits)}; `experiments/own-data/refit-pilot.sh` then `experiments/own-data/refit-pilot.py`."
        " Holdout scores (validation only: the test parts were not read), mean over splits; differences paired by"
        " split.\n\n" + "\n".join(lines) + "\n")
open(os.path.join(base, "summary.md"), "w").write(text)
print(text)
