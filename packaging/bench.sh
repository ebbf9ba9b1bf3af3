#!/usr/bin/env bash
# Side-by-side speed measurement, in one run on this machine: `ign bench` against the Python
# reference ../shared/bench/ref_ign.py (Debian's python3-torch: the same libtorch) with OpenBLAS left
# to detect the CPU ("default") and told its real core type ("tuned"). Prints the JSON and a ratio table.
# With --device cuda: both on the GPU, both presets at batch 256 (BLAS settings do not matter there).
# With --profile: no reference; where the time of one mnist28 training step (batch 256) and of one image
# goes, operation by operation, with the plain LibTorch modules in float32 and with the defaults.
#   bash packaging/bench.sh [--threads N] [--device cpu|cuda] [--profile]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=$(nproc)
device=cpu
profile=0
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --profile) profile=1; shift ;;
    *) echo "usage: bash packaging/bench.sh [--threads N] [--device cpu|cuda] [--profile]" >&2; exit 2 ;;
  esac
done

if [ $profile = 1 ]; then
  out=$(mktemp -d)
  env -u OPENBLAS_CORETYPE build/app/ign bench --no-fast-paths --precision fp32 --no-dcgan --threads "$threads" \
    --steps 3 --repeats 200 --profile 10 --log-level warn > "$out/plain.json"
  env -u OPENBLAS_CORETYPE build/app/ign bench --no-dcgan --threads "$threads" --steps 3 --repeats 200 --profile 10 \
    --log-level warn > "$out/default.json"
  /usr/bin/python3 - "$out" <<'PY'
import json, sys, os
runs = {name: json.load(open(os.path.join(sys.argv[1], f"{name}.json"))) for name in ("plain", "default")}
for part, title in (("train_mnist28", "one mnist28 training step, batch 256"), ("sample_mnist28_single", "one image")):
    for name, label in (("plain", "plain modules, fp32 (--no-fast-paths --precision fp32)"), ("default", "defaults")):
        run = runs[name]
        p = run[part]["profile"]
        precision = f"training precision {run['precision']}; " if part.startswith("train") else ""
        print(f"\n{title}, {label} ({precision}{p['profiled_ms']:.2f} ms under the profiler)\n")
        print("| operation | self ms | share | calls |")
        print("|---|---|---|---|")
        for op in p["ops"]:
            print(f"| {op['op']} | {op['self_ms']:.3f} | {100 * op['share']:.1f}% | {op['calls']} |")
PY
  rm -rf "$out"
  exit 0
fi
ref=../shared/bench/ref_ign.py
[ -f "$ref" ] || { echo "$ref not found (the shared folder sits beside the repository)" >&2; exit 1; }
python=/usr/bin/python3
$python -c 'import torch' 2>/dev/null || { echo "install Debian's python3-torch for the reference" >&2; exit 1; }
tuned=$(grep -q avx512bw /proc/cpuinfo && echo SkylakeX || echo Haswell)
out=$(mktemp -d)

if [ "$device" = cuda ]; then
  echo "== ign bench --device cuda (batch 256, both presets)"
  build/app/ign bench --device cuda --batch 256 --dcgan-batch 256 --steps 20 --log-level warn | tee "$out/ign.json"
  for arch in mnist celeba; do
    echo "== reference --device cuda --arch $arch --batch 256"
    $python $ref --device cuda --arch $arch --batch 256 --steps 20 | tee "$out/ref-$arch.json"
  done
  $python - "$out" <<'PY'
import json, sys, os
d = sys.argv[1]
ign = json.load(open(os.path.join(d, "ign.json")))
ref = {a: json.load(open(os.path.join(d, f"ref-{a}.json"))) for a in ("mnist", "celeba")}
print()
print("| measure (CUDA) | ign | reference | ign vs reference |")
print("|---|---|---|---|")
for name, mine, arch, key, higher in [
    ("train mnist28 b256 (img/s)", ign["train_mnist28"]["train_img_per_s"], "mnist", "train_img_per_s", True),
    ("train dcgan64 b256 (img/s)", ign["train_dcgan64"]["train_img_per_s"], "celeba", "train_img_per_s", True),
    ("sample mnist28 x1 (ms)", ign["sample_mnist28_single"]["mean_ms"], "mnist", "sample_single_ms", False)]:
    theirs = ref[arch][key]
    print(f"| {name} | {mine:.2f} | {theirs:.2f} | {(mine / theirs if higher else theirs / mine):.2f}x |")
PY
  rm -rf "$out"
  exit 0
fi

echo "== ign bench (threads $threads; the product picks its BLAS core itself)"
env -u OPENBLAS_CORETYPE build/app/ign bench --device cpu --threads "$threads" --log-level warn | tee "$out/ign.json"
echo "== ign bench --precision fp32 (training in float32 whatever the CPU; the default is auto)"
env -u OPENBLAS_CORETYPE build/app/ign bench --device cpu --precision fp32 --threads "$threads" --log-level warn | tee "$out/ign-fp32.json"
for arch in mnist celeba; do
  batch=256; [ $arch = celeba ] && batch=64
  echo "== reference --arch $arch --batch $batch, OpenBLAS default core"
  env -u OPENBLAS_CORETYPE $python $ref --threads "$threads" --arch $arch --batch $batch --steps 5 | tee "$out/ref-$arch-default.json"
  echo "== reference --arch $arch --batch $batch, OPENBLAS_CORETYPE=$tuned"
  OPENBLAS_CORETYPE=$tuned $python $ref --threads "$threads" --arch $arch --batch $batch --steps 5 | tee "$out/ref-$arch-tuned.json"
done

$python - "$out" <<'PY'
import json, sys, os
d = sys.argv[1]
ign = json.load(open(os.path.join(d, "ign.json")))
fp32 = json.load(open(os.path.join(d, "ign-fp32.json")))
auto = ign["precision"]  # what --precision auto chose on this machine
ref = {(a, c): json.load(open(os.path.join(d, f"ref-{a}-{c}.json"))) for a in ("mnist", "celeba") for c in ("default", "tuned")}
rows = [
  (f"train mnist28 b256 (img/s), default (auto: {auto})", ign["train_mnist28"]["train_img_per_s"], "mnist", "train_img_per_s", True),
  ("train mnist28 b256, --precision fp32 (img/s)", fp32["train_mnist28"]["train_img_per_s"], "mnist", "train_img_per_s", True),
  (f"train dcgan64 b64 (img/s), default (auto: {auto})", ign["train_dcgan64"]["train_img_per_s"], "celeba", "train_img_per_s", True),
  ("train dcgan64 b64, --precision fp32 (img/s)", fp32["train_dcgan64"]["train_img_per_s"], "celeba", "train_img_per_s", True),
  ("sample mnist28 x1 (ms)", ign["sample_mnist28_single"]["mean_ms"], "mnist", "sample_single_ms", False),
  ("sample mnist28 x64 (ms)", ign["sample_mnist28_batch64"]["mean_ms"], "mnist", "sample_batch64_ms", False),
]
print()
print(f"| measure | ign | reference (default) | reference (tuned) | ign vs tuned |")
print(f"|---|---|---|---|---|")
for name, mine, arch, key, higher in rows:
    a, b = ref[(arch, "default")][key], ref[(arch, "tuned")][key]
    ratio = mine / b if higher else b / mine
    print(f"| {name} | {mine:.2f} | {a:.2f} | {b:.2f} | {ratio:.2f}x |")
print(f"| peak RSS after mnist28 training (MB), default / fp32 | {ign['peak_rss_mb_after_mnist28_train']:.0f} / {fp32['peak_rss_mb_after_mnist28_train']:.0f} | | | |")
print(f"| sample mnist28 x1 p50 / p95 (ms) | {ign['sample_mnist28_single']['p50_ms']:.2f} / {ign['sample_mnist28_single']['p95_ms']:.2f} | | | |")
print(f"| sample mnist28 x64 p50 / p95 (ms) | {ign['sample_mnist28_batch64']['p50_ms']:.2f} / {ign['sample_mnist28_batch64']['p95_ms']:.2f} | | | |")
PY
rm -rf "$out"
