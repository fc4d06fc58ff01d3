#!/usr/bin/env bash
# The main job from a fresh checkout: installs dependencies, builds the `rlpp` tool in Release,
# then steps vectorized CartPole-v1 with random actions, printing progress and throughput.
# Extra arguments go to `rlpp demo` (e.g. --env Pendulum-v1 --num-envs 1024 --threads 2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target rlpp_cli -j "$(nproc)"
build/release/tools/rlpp demo "$@"
