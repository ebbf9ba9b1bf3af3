#!/usr/bin/env bash
# Evaluates models with `ign eval` and prints the README's quality table, a row per model.
#   bash packaging/eval-models.sh                     every shipped model: models/NAME.pt (writes
#                                                      models/NAME-eval.json and models/NAME-eval.png)
#   bash packaging/eval-models.sh digits runs/x/checkpoint.pt ...   names of shipped models or checkpoint
#                                                      files (those are evaluated on data set --data DATA)
# Extra `ign eval` flags for every row go in EVAL_FLAGS, e.g. EVAL_FLAGS="--norm-mode eval".
set -euo pipefail
cd "$(dirname "$0")/.."
ign=build/app/ign
args=("$@")
[ ${#args[@]} -gt 0 ] || args=($(ls models/*.pt | grep -v -- -classifier | xargs -n1 basename | sed 's/\.pt$//'))
tmp=$(mktemp -d)
rows=()
for arg in "${args[@]}"; do
  if [ -f "$arg" ]; then
    json="$tmp/$(echo "$arg" | tr '/' '_').json"
    $ign eval "$arg" ${EVAL_FLAGS:-} --log-level warn --json "$json" --report "$tmp/report.png" >/dev/null
  else
    json="models/$arg-eval.json"
    $ign eval "models/$arg.pt" ${EVAL_FLAGS:-} --log-level warn --json "$json" --report "models/$arg-eval.png" >/dev/null
  fi
  rows+=("$arg=$json")
done
python3 - "${rows[@]}" <<'PY'
import json, sys
print("| model | FD f | FD f² | FD f³ | classes covered | confidence | σ=0.5 noise: accuracy noisy → f(noisy) (clean) | L1 noisy → f(noisy) | idempotence gap | reconstruction |")
print("|---|---|---|---|---|---|---|---|---|---|")
for row in sys.argv[1:]:
    name, path = row.split("=", 1)
    r = json.load(open(path))
    fd = r.get("fd", {})
    p = r["projection"]["noise 0.5"]
    f = lambda v, d=3: "–" if v is None else f"{v:.{d}f}"
    print(f"| {name} | {f(fd.get('f'), 1)} | {f(fd.get('f2'), 1)} | {f(fd.get('f3'), 1)} | {r['classes_covered'] if r.get('classifier_test_accuracy') is not None else '–'} | "
          f"{f(r.get('mean_confidence'))} | {f(p['accuracy_corrupted'])} → {f(p['accuracy_projected'])} ({f(p['accuracy_clean'])}) | "
          f"{f(p['l1_corrupted'])} → {f(p['l1_projected'])} | {f(r['idempotence_gap'])} | {f(r['reconstruction_error'])} |")
PY
rm -rf "$tmp"
