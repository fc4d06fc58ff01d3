// DDPG and TD3 learning tests (ctest label `learning`): RLlib's tuned Pendulum examples (reference
// 1.2) reach their thresholds within their budgets, and TD3 with RLtools' benchmark settings
// learns Pendulum-v1 in 20k steps. min_iter_time_s is 0 so the stop check runs every
// timesteps_per_iteration steps. Seeds and their count keep this file within about 60 s on 2 cores
// at -O3 -march=native; each run prints its steps and wall time.
#include <doctest/doctest.h>

#include <cstdint>

#include <rlpp/algorithms/ddpg/ddpg.hpp>
#include <rlpp/algorithms/ddpg/td3.hpp>
#include <rlpp/algorithms/ddpg/tuned_configs.hpp>

#include "learning_support.hpp"

using rlpp::Json;
using rlpp::test::LearningRun;
using rlpp::test::report;
using rlpp::test::train_until;
using rlpp::test::with;

// About 6 s per seed (27k steps): the mean over the last 100 episodes still counts the early
// ones when the policy itself is already near -150.
TEST_CASE("DDPG reaches -320 on Pendulum-v1 within 30k steps (RLlib's pendulum-ddpg.yaml)") {
  for (std::int64_t seed : {42, 1, 2}) {
    const Json config = with(rlpp::ddpg::tuned::pendulum_ddpg(), {{"seed", seed}, {"min_iter_time_s", 0}});
    const LearningRun run = train_until<rlpp::ddpg::Trainer>(config, -320.0, 30000);
    report("DDPG pendulum", seed, -320.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("TD3 reaches -900 on Pendulum-v1 within 100k steps (RLlib's pendulum-td3.yaml)") {
  for (std::int64_t seed : {42, 1, 2}) {
    const Json config = with(rlpp::td3::tuned::pendulum_td3(), {{"seed", seed}, {"min_iter_time_s", 0}});
    const LearningRun run = train_until<rlpp::td3::Trainer>(config, -900.0, 100000);
    report("TD3 pendulum", seed, -900.0, run);
    CHECK(run.reached);
  }
}

// RLtools reports -143.5 after 20k steps; rlpp's runs end between -160 and -190
// (docs/algorithms/ddpg-td3.md). The whole budget, then the mean of the last 10 episodes
// (metrics_smoothing_episodes 10 in the tuned config); about 4.5 s per seed.
TEST_CASE("TD3 with RLtools' Pendulum-v1 settings averages >= -200 over the last 10 episodes after 20k steps") {
  for (std::int64_t seed : {1, 3}) {
    const Json config = with(rlpp::td3::tuned::rltools_pendulum(20000), {{"seed", seed}});
    LearningRun run = train_until<rlpp::td3::Trainer>(config, 1e9, 20000);
    run.reached = run.reward >= -200.0;
    report("TD3 rltools pendulum", seed, -200.0, run);
    CHECK(run.reward >= -200.0);
  }
}
