#!/usr/bin/env bash
# The test command: installs what is missing, generates the test data, then builds and runs the whole
# GoogleTest suite twice: a Release build (with the CUDA backend where nvcc exists, compiled for one
# architecture to keep the build short; GPU tests skip without a GPU) and an AddressSanitizer +
# UndefinedBehaviorSanitizer build of the host code.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/make_testdata.sh

jobs=$(nproc)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)

echo "== Release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES="${QWENRT_CUDA_ARCHS:-90a-real}" \
  "${launcher[@]}" >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQWENRT_SANITIZE=ON -DQWENRT_ENABLE_CUDA=OFF \
  -DQWENRT_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
