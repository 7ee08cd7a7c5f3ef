#!/usr/bin/env python3
"""Summarises experiments/own-data/best-epoch.sh: per table, the light net alone with the own-data defaults (best
validation epoch) and without validation (last epoch), logistic regression and gradient boosting on the test parts
of the same splits, and the paired differences over splits with 95 % t-intervals. Writes
results/own-data-best-epoch/summary.md and RESULTS.md between its own-data-best-epoch markers. Standard library
only."""
import math
import os
import re
import statistics

from paired import interval, read

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
base = os.path.join(root, "results", "own-data-best-epoch")
tables = sorted(d for d in os.listdir(base) if os.path.isdir(os.path.join(base, d)))
lines = ["| table (score, splits) | light, best epoch | light, last epoch | logistic regression | gradient boosting "
         "| best − logistic regression [95 %] | best − last [95 %] |", "|---|---:|---:|---:|---:|---:|---:|"]
verdicts = []
for table in tables:
    splits = sorted(s for s in os.listdir(os.path.join(base, table))
                    if os.path.exists(os.path.join(base, table, s, "metrics.txt")))
    runs = [read(os.path.join(base, table, s, "metrics.txt")) for s in splits]
    if not runs:
        continue
    binary = not math.isnan(runs[0]["logistic-regression"][1])
    k, scale, fmt = (1, 1, "{:.3f}") if binary else (0, 100, "{:.1f}")
    arms = ["light-best", "light-last", "logistic-regression", "gradient-boosting"]
    values = {a: [r[a][k] * scale for r in runs] for a in arms}

    def diff(a, b):
        mean, low, high = interval([x - y for x, y in zip(values[a], values[b])])
        sign = lambda v: ("+" if v >= 0 else "") + fmt.format(v)
        return f"{sign(mean)} [{sign(low)}, {sign(high)}]", (mean, low, high)

    vs_lr, (m, lo, hi) = diff("light-best", "logistic-regression")
    vs_last, _ = diff("light-best", "light-last")
    verdicts.append((table, m, lo, hi))
    cells = " | ".join(fmt.format(statistics.mean(values[a])) for a in arms)
    lines.append(f"| {table} ({'AUC' if binary else 'accuracy %'}, {len(runs)}) | {cells} | {vs_lr} | {vs_last} |")

below = [t for t, m, lo, hi in verdicts if hi < 0]
lines.append("")
lines.append("Light net (best epoch) below logistic regression beyond the 95 % interval on: "
             + (", ".join(below) if below else "no table") + f" (of {len(verdicts)}).")
table = "\n".join(lines) + "\n"
commits = sorted({open(os.path.join(base, t, s, "commit.txt")).read().strip()
                  for t in tables for s in os.listdir(os.path.join(base, t))
                  if os.path.exists(os.path.join(base, t, s, "commit.txt"))})
header = (f"Commit {', '.join(commits)}; `experiments/own-data/best-epoch.sh` then "
          "`experiments/own-data/best-epoch.py`. Test scores, mean over splits; differences paired by split.\n\n")
open(os.path.join(base, "summary.md"), "w").write(header + table)
results = os.path.join(root, "RESULTS.md")
page = open(results).read()
if "<!-- BEGIN own-data-best-epoch -->" in page:
    page = re.sub(r"(<!-- BEGIN own-data-best-epoch -->\n).*?(<!-- END own-data-best-epoch -->)",
                  lambda m: m.group(1) + header + table + m.group(2), page, flags=re.S)
    open(results, "w").write(page)
print(header + table)
