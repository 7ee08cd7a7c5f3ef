#!/usr/bin/env python3
"""Summarises experiments/own-data/suite-test.sh into results/own-data-suite/summary.md: per data set, the mean
(and range over splits) of the test score of each arm: AUC for two-class tables, accuracy otherwise. Also names
launch's choice per split (from launch.txt) and checks the issue's two goals: the light net alone (with the
defaults) against logistic regression, and launch's choice against the light net alone; the table also goes into
RESULTS.md between its own-data-suite markers. Standard library only."""
import glob, math, os, re, statistics

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
suite = os.path.join(root, "results", "own-data-suite")
arms = [("base-light", "light alone"), ("rocket-light", "light in rocket (paper)"), ("launch-choice", "launch's choice"),
        ("rocket-booster", "booster in rocket"), ("booster-booster", "booster alone"),
        ("logistic-regression", "logistic regression"), ("gradient-boosting", "gradient boosting")]
rows, goals = [], []
for data in sorted(d for d in os.listdir(suite) if os.path.isdir(os.path.join(suite, d))):
    splits = sorted(glob.glob(os.path.join(suite, data, "s*", "metrics.txt")))
    if not splits:
        continue
    values, choices = {}, []
    for path in splits:
        for line in open(path):
            name, accuracy, auc = line.split()
            values.setdefault(name, []).append((float(accuracy), float(auc)))
        launch = open(os.path.join(os.path.dirname(path), "launch.txt")).read()
        m = re.search(r"^choice: (.*?):", launch, re.M)
        choices.append(m.group(1) if m else "?")
    binary = not math.isnan(values["base-light"][0][1])
    pick = (lambda v: v[1]) if binary else (lambda v: v[0])

    def cell(name):
        if name not in values:
            return "–"
        xs = [pick(v) * (1 if binary else 100) for v in values[name]]
        fmt = "{:.3f}" if binary else "{:.1f}"
        text = fmt.format(statistics.mean(xs))
        return text + (f" ({fmt.format(min(xs))}–{fmt.format(max(xs))})" if len(xs) > 1 else "")

    rows.append(f"| {data} ({'AUC' if binary else 'accuracy %'}, {len(splits)} split{'s' if len(splits) > 1 else ''})"
                f" | " + " | ".join(cell(n) for n, _ in arms) + f" | {', '.join(choices)} |")
    light = [pick(v) for v in values["base-light"]]
    lr = [pick(v) for v in values.get("logistic-regression", [])]
    choice = [pick(v) for v in values["launch-choice"]]
    spread = max(light) - min(light) if len(light) > 1 else 0
    goals.append((data, statistics.mean(light) - statistics.mean(lr) if lr else float("nan"),
                  statistics.mean(choice) - statistics.mean(light), spread, binary))

commits = sorted({open(c).read().strip() for c in glob.glob(os.path.join(suite, "*", "s*", "commit.txt"))})
commit = ", ".join(commits)
lines = ["| data (score, splits) | " + " | ".join(label for _, label in arms) + " | launch chose |",
         "|---|" + "---:|" * len(arms) + "---|"] + rows
lines += ["", "| data | light alone − logistic regression | launch's choice − light alone | light alone's spread "
          "over splits |", "|---|---:|---:|---:|"]
for data, vs_lr, vs_light, spread, binary in goals:
    k, fmt = (1, "{:+.3f}") if binary else (100, "{:+.1f}")
    lines.append(f"| {data} | {fmt.format(vs_lr * k)} | {fmt.format(vs_light * k)} | {fmt.format(spread * k)[1:]} |")
text = (f"Commits {commit} (each split's commit.txt says which); `experiments/own-data/suite-test.sh` then "
        "`experiments/own-data/suite-summary.py`.\n\n"
        + "\n".join(lines) + "\n")
open(os.path.join(suite, "summary.md"), "w").write(text)
print(text)

# The same table in RESULTS.md, between its own-data-suite markers.
results = os.path.join(root, "RESULTS.md")
page = open(results).read()
page = re.sub(r"(<!-- BEGIN own-data-suite -->\n).*?(<!-- END own-data-suite -->)",
              lambda m: m.group(1) + text + m.group(2), page, flags=re.S)
open(results, "w").write(page)
