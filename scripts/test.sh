#!/usr/bin/env bash
# The full test suite from a fresh checkout: installs dependencies, then
#  1. installs rlpp into a scratch prefix and builds a small consumer project with find_package,
#  2. builds everything (tests, examples, benchmarks, tools) in Release and runs every test,
#  3. builds the unit tests with AddressSanitizer + UBSan and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
scripts/test-install.sh build/install-test

cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"

cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j "$jobs"
ctest --preset sanitize -j "$jobs"
