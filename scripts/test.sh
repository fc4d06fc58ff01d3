#!/usr/bin/env bash
# The full test suite from a fresh checkout: installs dependencies, then
#  1. installs rlpp into a scratch prefix and builds a small consumer project with find_package,
#  2. builds the learning tests, examples, benchmarks and tools in Release and runs their tests,
#  3. builds the module (unit) tests with AddressSanitizer + UBSan and runs them.
# Each unit test is compiled once, in the sanitizer build (which checks strictly more than a
# plain build would); the `release` preset builds everything, for development.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
scripts/test-install.sh build/install-test

cmake --preset ci-release >/dev/null
cmake --build --preset ci-release -j "$jobs"
ctest --preset ci-release -j "$jobs"

cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j "$jobs"
ctest --preset sanitize -j "$jobs"
