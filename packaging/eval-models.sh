#!/usr/bin/env bash
# Evaluates every shipped model (models/NAME.pt with models/NAME-classifier.pt) with `ign eval` and
# prints the README's quality table. Writes models/NAME-eval.json and models/NAME-eval.png.
#   bash packaging/eval-models.sh [NAME ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ign=build/app/ign
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(ls models/*.pt | grep -v -- -classifier | xargs -n1 basename | sed 's/\.pt$//'))
for name in "${names[@]}"; do
  $ign eval "models/$name.pt" --log-level warn --json "models/$name-eval.json" --report "models/$name-eval.png" >/dev/null
done
python3 - "${names[@]}" <<'PY'
import json, sys
print("| model | FD f | FD f² | FD f³ | classes covered | confidence | σ=0.5 noise: accuracy noisy → f(noisy) (clean) | L1 noisy → f(noisy) | idempotence gap | reconstruction |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name in sys.argv[1:]:
    r = json.load(open(f"models/{name}-eval.json"))
    fd = r.get("fd", {})
    p = r["projection"]["noise 0.5"]
    f = lambda v, d=3: "–" if v is None else f"{v:.{d}f}"
    print(f"| {name} | {f(fd.get('f'), 1)} | {f(fd.get('f2'), 1)} | {f(fd.get('f3'), 1)} | {r['classes_covered']} | "
          f"{f(r['mean_confidence'])} | {f(p['accuracy_corrupted'])} → {f(p['accuracy_projected'])} ({f(p['accuracy_clean'])}) | "
          f"{f(p['l1_corrupted'])} → {f(p['l1_projected'])} | {f(r['idempotence_gap'])} | {f(r['reconstruction_error'])} |")
PY
