# The own-data suite (issue 26): the shared public tables and two image folders, each with its target column.
# Sourced by the own-data scripts. Fields: name, path (relative to the repository root), launch/train options.
SHARED="${SHARED:-../shared/data}"
SUITE=(
  "dna|$SHARED/tables/DNA.csv.gz|--target Class"
  "vehicle|$SHARED/tables/Vehicle.csv|--target Class"
  "vowel|$SHARED/tables/Vowel.csv|--target Class"
  "pima|$SHARED/tables/PimaIndiansDiabetes.csv|--target diabetes"
  "breast-cancer|$SHARED/tables/BreastCancer.csv|--target Class"
  "soybean|$SHARED/tables/Soybean.csv|--target Class"
  "ionosphere|$SHARED/tables/Ionosphere.csv|--target Class"
  "sonar|$SHARED/tables/Sonar.csv|--target Class"
  "glass|$SHARED/tables/Glass.csv|--target Type"
  "house-votes|$SHARED/tables/HouseVotes84.csv|--target Class"
  "ticdata|$SHARED/ctr/ticdata.csv|--target CARAVAN"
)
# The two image folders (experiments/own-data/make-image-folders.py writes them, with train/ and test/ parts).
IMAGES="${IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/rocketnet/own-data}"
IMAGE_SUITE=(
  "cifar10-folder|$IMAGES/cifar10"
  "fashion-mnist-folder|$IMAGES/fashion-mnist"
)

# own_data_binary ROOT COMMIT: prints the folder holding COMMIT's rocketnet.dll, built from a detached worktree so
# that work in progress on the checkout cannot leak into the results.
own_data_binary() {
  local root="$1" commit="$2" bin="$1/experiments/.bin/$2"
  if [[ ! -f "$bin/rocketnet.dll" ]]; then
    local src="$root/experiments/.bin/src-$commit"
    [[ -d "$src" ]] || git -C "$root" worktree add --detach "$src" "$commit" > /dev/null
    dotnet build "$src/Cli" -c Release -o "$bin" -v quiet -nologo > /dev/null
  fi
  echo "$bin"
}

# own_data_run ROOT RESULTS_FOLDER: for a script that scores RocketNet models on test parts. Sets commit (COMMIT, default
# HEAD), bin (that commit's binary) and out (results/RESULTS_FOLDER, recording the commit), and defines rocketnet (the
# binary, run from ROOT) and py (suite.py with one OpenMP thread: the references run beside pinned training runs, and
# OpenMP's spinning threads on a shared core made histogram gradient boosting on 3,072 pixel columns crawl).
own_data_run() {
  commit="${COMMIT:-$(git -C "$1" rev-parse --short HEAD)}"
  bin="$(own_data_binary "$1" "$commit")"
  out="$1/results/$2"
  mkdir -p "$out"
  echo "$commit" > "$out/commit.txt"
  rocketnet() { (cd "$ROOT" && dotnet "$bin/rocketnet.dll" "$@"); }
  py() { OMP_NUM_THREADS=1 /usr/bin/python3 "$ROOT/experiments/own-data/suite.py" "$@"; }
}
