#!/usr/bin/env bash
# Times RocketNet's quick workloads and the PyTorch peer (../shared/peers/torch_peer.py) side by side, in
# one sitting, interleaved workload by workload, and prints a markdown table of medians and ratios.
# Needs (once, as root): apt-get install -y python3-torch libopenblas0-openmp
# usage: Benchmarks/scripts/compare-with-pytorch.sh [REPS] [WORKLOADS...]
#
# OpenBLAS 0.3.21 (Debian 12) does not recognise every AVX-512 CPU and then falls back to its slow generic
# "Prescott" kernel; PEER_CORETYPE (default SkylakeX) forces its AVX-512 kernel, PyTorch's best setting.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-21}; shift || true
workloads=${*:-gemm512 gemm1024 mlp cnn}
peer=../shared/peers/torch_peer.py
coretype=${PEER_CORETYPE:-SkylakeX}
dotnet build -c Release Benchmarks >/dev/null
out=$(mktemp)
for threads in 1 2; do
  for w in $workloads; do
    p=$(env OPENBLAS_CORETYPE="$coretype" MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
          /usr/bin/python3 "$peer" "$threads" "$w" "$reps" | tail -n 1)
    r=$(dotnet run -c Release --no-build --project Benchmarks -- quick "$w" --threads "$threads" --reps "$reps")
    echo "$w $threads $p" >> "$out"
    echo "$w $threads $r" >> "$out"
  done
done
python3 - "$out" "$coretype" <<'PY'
import json, sys, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    w, t, js = line.split(" ", 2)
    d = json.loads(js)
    key = (w, int(t))
    rows.setdefault(key, {})["pytorch" if "engine" in d else "rocketnet"] = d
ms = lambda v: f"{v:.3f}" if v >= 0.1 else f"{v:.4f}"  # microsecond rows keep their first two digits
print(f"| workload | threads | RocketNet ms | PyTorch 1.13 ms (OpenBLAS {sys.argv[2]}) | ratio RocketNet/PyTorch |")
print("|---|---:|---:|---:|---:|")
for (w, t), d in rows.items():
    r, p = d["rocketnet"], d["pytorch"]
    extra = lambda x: f" ({x['gflops']} GFLOP/s)" if "gflops" in x else ""
    print(f"| {w} | {t} | {ms(r['median_ms'])}{extra(r)} | {ms(p['median_ms'])}{extra(p)} | {r['median_ms'] / p['median_ms']:.2f} |")
PY
rm -f "$out"
