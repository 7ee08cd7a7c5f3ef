#!/usr/bin/env python3
"""Helpers of the own-data suite (issue 26, item 4), standard library plus numpy and scikit-learn (Debian's
python3-sklearn; run with /usr/bin/python3). Experiment scripts only, never the tests.

  split TABLE TARGET SEED DIR   stratified 80/20 split of TABLE (csv or csv.gz) into DIR/train.csv, DIR/test.csv
  score SCORES TEST TARGET      accuracy and (two classes) AUC of `rocketnet predict` scores against TEST's labels
                                (TEST a folder: each image's class is the name of the folder it sits in)
  sklearn TRAIN TEST TARGET     the references: logistic regression (scaled numbers, one-hot categories, median
                                imputation) and histogram gradient boosting (native categories), library defaults
Each scoring command prints lines "NAME ACCURACY AUC" (AUC is nan for more than two classes)."""
import csv, gzip, os, random, sys
from collections import defaultdict


def read(path):
    with (gzip.open(path, "rt", newline="") if path.endswith(".gz") else open(path, newline="")) as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def split(table, target, seed, out):
    header, rows = read(table)
    t = header.index(target)
    rows = [r for r in rows if r[t] != ""]
    by_class = defaultdict(list)
    for r in rows:
        by_class[r[t]].append(r)
    rng = random.Random(int(seed))
    train, test = [], []
    for label in sorted(by_class):
        members = by_class[label]
        rng.shuffle(members)
        k = round(len(members) * 0.2)
        test += members[:k]
        train += members[k:]
    rng.shuffle(train)
    rng.shuffle(test)
    for name, part in (("train", train), ("test", test)):
        with open(f"{out}/{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(part)


def metrics(name, classes, truth, probabilities):
    import numpy as np
    from sklearn.metrics import roc_auc_score
    truth = np.array(truth)
    predicted = np.array(classes)[np.argmax(probabilities, axis=1)]
    accuracy = float(np.mean(predicted == truth))
    auc = float("nan")
    if len(classes) == 2 and len(set(truth)) == 2:
        auc = roc_auc_score(truth == classes[1], np.array(probabilities)[:, 1])
    print(f"{name} {accuracy:.6f} {auc:.6f}")


def score(scores, test, target):
    s_header, s_rows = read(scores)
    if os.path.isdir(test):  # an image folder: each scored file's class is its folder's name
        truth = [r[0].replace("\\", "/").split("/")[0] for r in s_rows]
    else:
        header, rows = read(test)
        truth = [r[header.index(target)] for r in rows]
    classes = [c[2:] for c in s_header[2:]]
    metrics("rocketnet", classes, truth, [[float(v) for v in r[2:]] for r in s_rows])


def sklearn(train, test, target):
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    header, train_rows = read(train)
    _, test_rows = read(test)
    t = header.index(target)
    columns = [c for c in range(len(header)) if c != t]

    def number(v):
        try:
            return float(v)
        except ValueError:
            return None

    numeric = [c for c in columns if all(r[c] == "" or number(r[c]) is not None for r in train_rows)]
    categorical = [c for c in columns if c not in numeric]
    levels = {c: sorted({r[c] for r in train_rows}) for c in categorical}
    medians = {c: float(np.median([number(r[c]) for r in train_rows if r[c] != ""] or [0])) for c in numeric}

    def encode(rows, one_hot):
        out = []
        for r in rows:
            x = [number(r[c]) if r[c] != "" else (medians[c] if one_hot else float("nan")) for c in numeric]
            for c in categorical:
                if one_hot:
                    x += [1.0 if r[c] == level else 0.0 for level in levels[c]]
                else:
                    x.append(float(levels[c].index(r[c])) if r[c] in levels[c] else float("nan"))
            out.append(x)
        return np.array(out, dtype=float)

    y_train = np.array([r[t] for r in train_rows])
    truth = [r[t] for r in test_rows]
    scaler = StandardScaler().fit(encode(train_rows, True))
    lr = LogisticRegression(max_iter=5000).fit(scaler.transform(encode(train_rows, True)), y_train)
    metrics("logistic-regression", list(lr.classes_), truth,
            lr.predict_proba(scaler.transform(encode(test_rows, True))))
    mask = [False] * len(numeric) + [True] * len(categorical)
    hgb = HistGradientBoostingClassifier(categorical_features=mask if categorical else None, random_state=0)
    hgb.fit(encode(train_rows, False), y_train)
    metrics("gradient-boosting", list(hgb.classes_), truth, hgb.predict_proba(encode(test_rows, False)))


if __name__ == "__main__":
    {"split": split, "score": score, "sklearn": sklearn}[sys.argv[1]](*sys.argv[2:])
