#!/usr/bin/env bash
# The main job from a fresh checkout: installs dependencies, builds the `rlpp` tool optimized for
# this machine (preset "native": -march=native, in build/native), then runs
#   rlpp train --run PPO --env CartPole-v1
# RLlib's PPO with its default config, one progress line per iteration until the mean episode
# reward reaches CartPole-v1's threshold (475); it ends with the results directory (result.json,
# progress.csv, learning_curve.svg) and the checkpoint, which
# `build/native/tools/rlpp rollout <checkpoint>` replays. Extra arguments go to `rlpp train`
# (e.g. --config '{"num_workers": 4}', -v).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset native >/dev/null
cmake --build --preset native --target rlpp_cli -j "$(nproc)"
build/native/tools/rlpp train --run PPO --env CartPole-v1 "$@"
