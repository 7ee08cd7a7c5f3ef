#!/usr/bin/env python3
"""Summarises experiments/own-data/defaults-grid.sh: per table and grid point, the final validation score of each run
(AUC for two-class tables, accuracy otherwise; the net is the light net for --method base, the booster for booster),
the mean over seeds, and each grid point's regret (the table's best mean minus its mean), averaged and maximised over
tables. The default is the grid point of least mean regret. Writes results/own-data-defaults/grid-<method>.md
(argument "images": the image folders' grid, grid-<method>-images.md); standard library only."""
import csv, glob, os, re, statistics, sys
from collections import defaultdict

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
grid = os.path.join(root, "results", "own-data-defaults", "grid")
method = sys.argv[1] if len(sys.argv) > 1 else "base"
images = len(sys.argv) > 2 and sys.argv[2] == "images"  # the image folders' grid (GRID_IMAGES=1), apart
net = "booster" if method == "booster" else "light"
scores = defaultdict(lambda: defaultdict(list))  # table -> point -> [score per seed]
binary = {}
for path in sorted(glob.glob(os.path.join(grid, "*", f"{method}-*.csv"))):
    table = os.path.basename(os.path.dirname(path))
    if table.endswith("-folder") != images:
        continue
    point = re.match(rf"{method}-(.*)-s\d+\.csv", os.path.basename(path)).group(1)
    with open(path) as f:
        last = list(csv.DictReader(f))[-1]
    auc = float(last[f"val_{net}_auc"])
    binary[table] = auc == auc  # NaN for more than two classes
    scores[table][point].append(auc if binary[table] else float(last[f"val_{net}_acc"]))

tables = sorted(scores)
points = sorted({p for t in tables for p in scores[t]}, key=lambda p: [float(x[2:]) if x.startswith("lr") else
                                                                       int(x[1:]) for x in p.split("-")])
complete = [p for p in points if all(p in scores[t] for t in tables)]
means = {t: {p: statistics.mean(scores[t][p]) for p in scores[t]} for t in tables}
regret = {p: [max(means[t].values()) - means[t][p] for t in tables] for p in complete}
best = min(complete, key=lambda p: statistics.mean(regret[p]))

lines = [f"# Own-data defaults grid ({method}: the {net} net; validation only)", "",
         f"Commit {open(os.path.join(grid, 'commit.txt')).read().strip()}; command: "
         "`experiments/own-data/defaults-grid.sh`; summary: `experiments/own-data/defaults-grid.py "
         f"{method}`. Score: validation AUC for two-class tables, accuracy otherwise; mean over "
         f"{min(len(v) for t in tables for v in scores[t].values())}–"
         f"{max(len(v) for t in tables for v in scores[t].values())} seeds. Regret: the table's best grid point "
         "minus this one.", "",
         "| grid point | " + " | ".join(f"{t} ({'AUC' if binary[t] else 'acc'})" for t in tables) +
         " | mean regret | max regret |",
         "|---|" + "---:|" * (len(tables) + 2)]
for p in complete:
    cells = [f"{means[t][p]:.4f}" for t in tables]
    mark = " **(chosen)**" if p == best else ""
    lines.append(f"| {p}{mark} | " + " | ".join(cells) +
                 f" | {statistics.mean(regret[p]):.4f} | {max(regret[p]):.4f} |")
lines += ["", f"Least mean regret: **{best}** (mean {statistics.mean(regret[best]):.4f}, "
          f"max {max(regret[best]):.4f} on {tables[regret[best].index(max(regret[best]))]})."]
out = os.path.join(root, "results", "own-data-defaults", f"grid-{method}{'-images' if images else ''}.md")
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
