#!/usr/bin/env bash
# One prepared run on a GPU machine that has a compiler, CMake and PyTorch (CUDA) only: the headless
# build against PyTorch's LibTorch, the gpu-labelled tests, the CUDA bench beside the Python reference,
# a 2-process run on the GPU. Prepare .device/ here first and send it along (the device tool's carry):
#   bash packaging/headless-headers.sh .device/tp && cp ../shared/bench/ref_ign.py .device/
#   (on the GPU machine)  OUT=out bash packaging/gpu-check.sh
set -x
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")/.."
mkdir -p "${OUT:=/tmp/out}"
[ -d .device/tp ] || { echo ".device/tp missing: see the top of this script" >&2; exit 1; }
nvidia-smi -L; g++ --version | head -1; cmake --version | head -1
TORCH_DIR=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
[ -d "$TORCH_DIR/include/gloo" ] && rm -rf .device/tp/gloo && echo "using torch's gloo headers"
configure() {
  cmake -S . -B /tmp/b -G Ninja -DIGN_HEADLESS=ON -DIGN_THIRD_PARTY=$PWD/.device/tp "$@" \
    -DCMAKE_DISABLE_FIND_PACKAGE_spdlog=ON -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON -DCMAKE_DISABLE_FIND_PACKAGE_CLI11=ON \
    -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)') > $OUT/cmake.log 2>&1
  tail -4 $OUT/cmake.log
}
configure
time ninja -C /tmp/b -k 0 > $OUT/build.log 2>&1; echo "build rc=$?"
grep -E "error|FAILED" -A3 $OUT/build.log | head -40
if grep -q "FAILED.*distributed.cpp" $OUT/build.log; then
  echo "== Gloo headers do not fit this LibTorch: again without Gloo"
  configure -DIGN_WITH_GLOO=OFF
  ninja -C /tmp/b -k 0 > $OUT/build2.log 2>&1; echo "build rc=$?"
  grep -E "error|FAILED" -A3 $OUT/build2.log | head -30
fi
[ -x /tmp/b/app/ign ] || exit 1
/tmp/b/app/ign --version; /tmp/b/app/ign info --system | head -12
ctest --test-dir /tmp/b -L gpu --output-on-failure 2>&1 | tee $OUT/ctest.log | tail -25
python3 -c "
import numpy as np
n=1024; h=np.array([0,0,8,3],np.uint8).tobytes()+np.array([n,28,28],'>u4').tobytes()
open('/tmp/blobs-idx3-ubyte','wb').write(h+np.random.RandomState(0).randint(0,256,(n,28,28)).astype(np.uint8).tobytes())"
timeout 120 /tmp/b/app/ign train --data /tmp/blobs-idx3-ubyte --nproc 2 --device cuda --batch 64 --width 16 --steps 30 --out /tmp/dp --preview-every 10 2>&1 | tr '\r' '\n' | grep -v '^step' | tail -6
for arch in mnist celeba; do python3 .device/ref_ign.py --device cuda --arch $arch --batch 256 --steps 20 > $OUT/ref-$arch.json; done
/tmp/b/app/ign bench --device cuda --batch 256 --dcgan-batch 256 --steps 20 --log-level warn > $OUT/ign.json
/tmp/b/app/ign bench --device cuda --batch 256 --dcgan-batch 256 --steps 20 --precision bf16 --log-level warn > $OUT/ign-bf16.json
for f in $OUT/*.json; do echo "== $f"; cat $f; done
