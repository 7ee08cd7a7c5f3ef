#!/usr/bin/env python3
"""Writes the suite's two image folders (issue 26, item 4) as a user would bring them: DIR/<name>/train/<class>/*.png
and DIR/<name>/test/<class>/*.png, plus the same pixels as train.csv / test.csv (columns p0..pN, then `label`) for
the scikit-learn references. cifar10: 150 + 50 images per class from ../shared/data/cifar-10-binary.tar.gz (the
first of each class in its training batches, 32×32 RGB). fashion-mnist: 150 + 50 per class from Debian's
dataset-fashion-mnist (28×28 grey, written as RGB PNG). Standard library only.
Usage: make-image-folders.py DIR"""
import csv, gzip, os, struct, sys, tarfile, zlib

TRAIN, TEST = 150, 50


def png(path, width, height, rgb):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def write(root, name, classes, samples, width):
    folder = os.path.join(root, name)
    counts = {c: 0 for c in range(len(classes))}
    parts = {"train": [], "test": []}
    for label, rgb in samples:
        n = counts[label]
        if n >= TRAIN + TEST:
            continue
        counts[label] += 1
        part = "train" if n < TRAIN else "test"
        d = os.path.join(folder, part, classes[label])
        os.makedirs(d, exist_ok=True)
        png(os.path.join(d, f"{n:04d}.png"), width, width, rgb)
        parts[part].append((label, rgb))
    for part, rows in parts.items():
        with open(os.path.join(folder, f"{part}.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([f"p{i}" for i in range(width * width * 3)] + ["label"])
            for label, rgb in rows:
                w.writerow(list(rgb) + [classes[label]])


def cifar(path):
    with tarfile.open(path) as tar:
        names = tar.extractfile("cifar-10-batches-bin/batches.meta.txt").read().decode().split()
        for b in range(1, 6):
            data = tar.extractfile(f"cifar-10-batches-bin/data_batch_{b}.bin").read()
            for i in range(0, len(data), 3073):
                plane = data[i + 1:i + 3073]
                rgb = bytes(v for p in range(1024) for v in (plane[p], plane[1024 + p], plane[2048 + p]))
                yield names, data[i], rgb


def fashion(folder):
    names = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
    images = gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz")).read()[16:]
    labels = gzip.open(os.path.join(folder, "train-labels-idx1-ubyte.gz")).read()[8:]
    for i, label in enumerate(labels):
        grey = images[i * 784:(i + 1) * 784]
        yield names, label, bytes(v for g in grey for v in (g, g, g))


if __name__ == "__main__":
    root = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    source = list(cifar(os.path.join(here, "..", "..", "..", "shared", "data", "cifar-10-binary.tar.gz")))
    write(root, "cifar10", source[0][0], [(l, p) for _, l, p in source if True][:20000], 32)
    source = fashion("/usr/share/datasets/fashion-mnist")
    first = next(source)
    write(root, "fashion-mnist", first[0], [(first[1], first[2])] + [(l, p) for _, l, p in source], 28)
