#!/usr/bin/env bash
# The main job from a fresh checkout: installs dependencies, builds the `rlpp` tool in Release,
# then trains RLlib's PG on CartPole-v1 to a mean episode reward of 150 with one progress line per
# iteration, and prints the results directory (result.json, progress.csv, learning_curve.svg)
# and the best checkpoint. Extra arguments go to `rlpp train` (e.g. --run A2C, -v).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target rlpp_cli -j "$(nproc)"
build/release/tools/rlpp train --run PG --env CartPole-v1 \
  --config '{"num_workers": 2, "seed": 42}' \
  --stop '{"episode_reward_mean": 150, "timesteps_total": 100000}' \
  --checkpoint-freq 10 --checkpoint-at-end "$@"
