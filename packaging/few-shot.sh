#!/usr/bin/env bash
# The few-shot test of a user's own small folder: 300 unlabelled digits (30 per class, from the digits
# training split, as 28x28 PNGs in one folder) trained with `ign train --data FOLDER` and the options given,
# for each seed; each run's 1,000 samples read by the digits classifier (`ign eval`, projection one image
# at a time). Prints one line per seed and the mean and spread.
#   bash packaging/few-shot.sh OUT "0 1 2" [ign train options...]     e.g. --width 32 (README: "Your own folder")
# Needs build/app/ign, data/ (packaging/fetch-data.sh) and models/digits-classifier.pt.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: few-shot.sh OUT "SEEDS" [train options]}
seeds=${2:?usage: few-shot.sh OUT "SEEDS" [train options]}
shift 2
IGN=${IGN:-build/app/ign}
THREADS=${THREADS:-1}  # several studies side by side
folder=$out/digits300
if [ ! -d "$folder" ]; then
  mkdir -p "$folder"
  python3 - "$folder" <<'PY'
import json, struct, sys, zlib
folder = sys.argv[1]
def png(path, pixels):  # 28x28 8-bit grayscale
    raw = b"".join(b"\0" + bytes(pixels[r * 28:(r + 1) * 28]) for r in range(28))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
for digit in range(10):
    data = json.load(open(f"data/mnist/src/digits/{digit}.json"))["data"]
    kept = [j for j in range(1000) if j % 10 != 9][:30]  # index % 10 == 9 is the digits set's test split
    for j in kept:
        png(f"{folder}/{digit * 1000 + j:05d}.png", [round(v * 255) for v in data[j * 784:(j + 1) * 784]])
PY
fi
summary=$out/summary.txt
: > "$summary"
for seed in $seeds; do
  run=$out/seed$seed
  [ -f "$run/checkpoint.pt" ] || "$IGN" train --data "$folder" --seed "$seed" --out "$run" --steps 1000 --threads "$THREADS" "$@" > "$run.log" 2>&1
  "$IGN" eval "$run/checkpoint.pt" --data digits --classifier models/digits-classifier.pt --samples 1000 --threads "$THREADS" \
    --projection-images 200 --json "$run/eval.json" --report "$run/eval.png" > /dev/null 2>> "$run.log"
  python3 - "$run/eval.json" "$seed" >> "$summary" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
h = r["class_histogram"]; n = sum(h)
shares = [c / n for c in h]
print(f"seed {sys.argv[2]}: classes >= 3%: {sum(s >= 0.03 for s in shares)}, smallest {min(shares):.3f}, "
      f"largest {max(shares):.3f}, FD f {r['fd']['f']:.1f}, f2 {r['fd']['f2']:.1f}, "
      f"sigma 0.5 accuracy {r['projection']['noise 0.5']['accuracy_projected']:.3f}, histogram {h}")
PY
done
cat "$summary"
python3 - "$summary" <<'PY'
import re, statistics, sys
lines = open(sys.argv[1]).read().splitlines()
for name in ["classes >= 3%", "smallest", "largest", "FD f", "sigma 0.5 accuracy"]:
    values = [float(re.search(re.escape(name) + r":? ([0-9.]+)", l).group(1)) for l in lines]
    spread = statistics.pstdev(values) if len(values) > 1 else 0
    print(f"{name}: mean {statistics.mean(values):.3f}, spread (sd) {spread:.3f}, min {min(values):.3f}, max {max(values):.3f}")
PY
