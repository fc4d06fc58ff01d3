#!/usr/bin/env bash
# The full test suite from a fresh checkout: installs dependencies, then
#  1. installs rlpp into a scratch prefix and builds a small consumer project with find_package,
#  2. builds the learning tests, examples and tools in Release, with the unit tests of the top
#     modules (algorithms, cli, trainer), type-checks the benchmarks, and runs the tests,
#  3. builds the other modules' unit tests with AddressSanitizer + UBSan and runs them.
# Each test is compiled once, so the run fits CI's time: the lower modules (memory, threads,
# numerics) under the sanitizers, the top ones (compositions of the lower) in Release; the
# tools at -O0 and the benchmarks only type-checked (-fsyntax-only; build and time them from the
# release preset).
# The presets `release` and `sanitize` build everything, for development.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
scripts/test-install.sh build/install-test

cmake --preset ci-release >/dev/null
cmake --build --preset ci-release -j "$jobs"
ctest --preset ci-release -j "$jobs"

cmake --preset ci-sanitize >/dev/null
cmake --build --preset ci-sanitize -j "$jobs"
ctest --preset ci-sanitize -j "$jobs"
