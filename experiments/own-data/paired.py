"""Shared by the own-data summaries (best-epoch.py, refit-pilot.py): reading a split's metrics.txt and the paired
95 % t-interval over splits. Standard library only."""
import math
import statistics

# Two-sided 95 % quantiles of Student's t by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def read(path):
    """A split's metrics.txt as {name: (accuracy, auc)}; AUC is nan for more than two classes."""
    rows = {}
    for line in open(path):
        name, accuracy, auc = line.split()
        rows[name] = (float(accuracy), float(auc))
    return rows


def interval(values):
    """Mean and 95 % t-interval of paired differences (nan bounds with one value)."""
    mean = statistics.mean(values)
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = T95[len(values) - 1] * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half
