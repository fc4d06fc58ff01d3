#!/usr/bin/env bash
# The full test suite from a fresh checkout: installs dependencies, then
#  1. builds everything (tests, examples, benchmarks) in Release and runs every test with ctest,
#  2. builds the unit tests with AddressSanitizer + UBSan and runs them,
#  3. installs rlpp into a scratch prefix and builds a small consumer project with find_package.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$jobs"
ctest --test-dir build/release --output-on-failure -j "$jobs"

cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRLPP_SANITIZE=ON \
  -DRLPP_BUILD_EXAMPLES=OFF -DRLPP_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/sanitize -j "$jobs"
ctest --test-dir build/sanitize --output-on-failure -j "$jobs" -L unit

scripts/test-install.sh build/install-test
