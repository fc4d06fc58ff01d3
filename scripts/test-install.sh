#!/usr/bin/env bash
# Installs rlpp into a scratch prefix and builds tests/install/consumer against it with
# find_package(rlpp CONFIG REQUIRED), then builds the same program through add_subdirectory
# (tests/install/subdirectory), and runs both. Usage: test-install.sh WORKDIR
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-build/install-test}
rm -rf "$work"
cmake -S . -B "$work/rlpp" -G Ninja -DRLPP_BUILD_TESTS=OFF -DRLPP_BUILD_EXAMPLES=OFF \
  -DRLPP_BUILD_BENCHMARKS=OFF -DRLPP_BUILD_TOOLS=OFF -DCMAKE_INSTALL_PREFIX="$PWD/$work/prefix" >/dev/null
cmake --install "$work/rlpp" >/dev/null
cmake -S tests/install/consumer -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$PWD/$work/prefix" >/dev/null
cmake --build "$work/consumer"
"$work/consumer/consumer"
cmake -S tests/install/subdirectory -B "$work/subdirectory" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DRLPP_SOURCE_DIR="$PWD" >/dev/null
cmake --build "$work/subdirectory"
"$work/subdirectory/consumer"
echo "install-test: consumers built with find_package and with add_subdirectory, and ran"
