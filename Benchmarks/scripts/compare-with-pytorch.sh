#!/usr/bin/env bash
# Times RocketNet's quick workloads and the PyTorch peer (../shared/peers/torch_peer.py) side by side, in
# one sitting, interleaved workload by workload, and prints a markdown table of medians and ratios.
# Needs (once, as root): apt-get install -y python3-torch libopenblas0-openmp
# usage: [ROUNDS=R] Benchmarks/scripts/compare-with-pytorch.sh [REPS] [WORKLOADS...]
#
# Each of ROUNDS rounds (default 3) runs every workload on 1 and 2 threads in both engines, REPS timed
# repetitions per run, the engine that goes first alternating from round to round. The table gives each
# engine's median over the rounds (of its per-run medians), their ratio, and the range of the per-round
# ratios: on a shared machine a burst of load can slow one run by 20 % or more, and a single pair of runs
# then misstates the ratio.
#
# OpenBLAS 0.3.21 (Debian 12) does not recognise every AVX-512 CPU and then falls back to its slow generic
# "Prescott" kernel; PEER_CORETYPE (default SkylakeX) forces its AVX-512 kernel, PyTorch's best setting.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-21}; shift || true
workloads=${*:-gemm512 gemm1024 mlp cnn}
rounds=${ROUNDS:-3}
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: ROUNDS must be a positive integer, got '$rounds'" >&2
  exit 2
fi
peer=../shared/peers/torch_peer.py
coretype=${PEER_CORETYPE:-SkylakeX}
dotnet build -c Release Benchmarks >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
run_peer() {
  env OPENBLAS_CORETYPE="$coretype" MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
    /usr/bin/python3 "$peer" "$2" "$1" "$reps" | tail -n 1
}
run_rocketnet() {
  dotnet run -c Release --no-build --project Benchmarks -- quick "$1" --threads "$2" --reps "$reps"
}
for round in $(seq "$rounds"); do
  for threads in 1 2; do
    for w in $workloads; do
      if (( round % 2 == 1 )); then
        p=$(run_peer "$w" "$threads"); r=$(run_rocketnet "$w" "$threads")
      else
        r=$(run_rocketnet "$w" "$threads"); p=$(run_peer "$w" "$threads")
      fi
      echo "$w $threads $round $p" >> "$out"
      echo "$w $threads $round $r" >> "$out"
    done
  done
done
python3 - "$out" "$coretype" "$rounds" <<'PY'
import json, statistics, sys, collections
runs = collections.OrderedDict()  # (workload, threads) -> round -> engine -> result
for line in open(sys.argv[1]):
    w, t, rnd, js = line.split(" ", 3)
    d = json.loads(js)
    runs.setdefault((w, int(t)), {}).setdefault(int(rnd), {})["pytorch" if "engine" in d else "rocketnet"] = d
ms = lambda v: f"{v:.3f}" if v >= 0.1 else f"{v:.4f}"  # microsecond rows keep their first two digits
rounds = int(sys.argv[3])
print(f"| workload | threads | RocketNet ms | PyTorch 1.13 ms (OpenBLAS {sys.argv[2]}) | ratio RocketNet/PyTorch"
      + (f" (per-round range, {rounds} rounds)" if rounds > 1 else "") + " |")
print("|---|---:|---:|---:|---:|")
for (w, t), by_round in runs.items():
    pairs = [by_round[r] for r in sorted(by_round)]
    med = {e: statistics.median(p[e]["median_ms"] for p in pairs) for e in ("rocketnet", "pytorch")}
    def extra(engine):
        # GFLOP/s at the median time: each run reports its own, and flops = GFLOP/s x its time.
        first = pairs[0][engine]
        if "gflops" not in first: return ""
        return f" ({first['gflops'] * first['median_ms'] / med[engine]:.1f} GFLOP/s)"
    ratio = f"{med['rocketnet'] / med['pytorch']:.2f}"
    if rounds > 1:
        per_round = [p["rocketnet"]["median_ms"] / p["pytorch"]["median_ms"] for p in pairs]
        ratio += f" ({min(per_round):.2f}–{max(per_round):.2f})"
    print(f"| {w} | {t} | {ms(med['rocketnet'])}{extra('rocketnet')} | {ms(med['pytorch'])}{extra('pytorch')} | {ratio} |")
PY
