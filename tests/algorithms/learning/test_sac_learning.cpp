// SAC learning tests (ctest label `learning`): RLlib's tuned examples (reference 1.2) for Box
// actions (Pendulum-v1, -150 within 30k steps) and the discrete variant (CartPole-v1, 150 within
// 100k steps), and RLtools' benchmark configuration (peers.md: about -187 after 10k steps).
// Cost: RLlib's configs train 256x256 networks once per sampled fragment (Pendulum: batch 256
// every 3 steps; CartPole: batch 32 every step), so each runs one seed, RLlib's yaml seed 42
// (measured at -O3 -march=native on the shared 2-core machine: Pendulum -150 at 13,026 steps in
// 34 s, CartPole 150 at 19,200 steps in 22 s, RLtools' config 3-4 s per seed; the file 63 s
// wall). min_iter_time_s 0 makes the iterations, and so the reported step counts, independent
// of wall time.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include <cstdint>
#include <string>

#include <rlpp/algorithms/sac/sac.hpp>

#include "learning_support.hpp"

using rlpp::Json;
using rlpp::test::LearningRun;
using rlpp::test::report;
using rlpp::test::train_until;
using rlpp::test::with;

TEST_CASE("SAC reaches -150 on Pendulum-v1 within 30k steps (RLlib's pendulum-sac.yaml)") {
  for (std::int64_t seed : {42}) {
    const Json config = with(rlpp::sac::tuned::pendulum_sac(), {{"seed", seed}, {"min_iter_time_s", 0}});
    const LearningRun run = train_until<rlpp::sac::Trainer>(config, -150.0, 30000);
    report("SAC pendulum", seed, -150.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("SAC (discrete) reaches 150 on CartPole-v1 within 100k steps (RLlib's cartpole-sac.yaml)") {
  for (std::int64_t seed : {42}) {
    const Json config = with(rlpp::sac::tuned::cartpole_sac(), {{"seed", seed}, {"min_iter_time_s", 0}});
    const LearningRun run = train_until<rlpp::sac::Trainer>(config, 150.0, 100000);
    report("SAC cartpole", seed, 150.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("SAC with RLtools' configuration: the median over 5 seeds of the last 10 episodes' mean return >= -190 after 10k Pendulum-v1 steps") {
  // RLtools reports one number (-187); single seeds spread widely after only 10k steps (seeds
  // 1-5: -149, -257, -174, -186, -123), so the check is on the median of five seeds.
  std::vector<double> returns;
  for (std::int64_t seed : {1, 2, 3, 4, 5}) {
    // No early stop: all 10k steps, then the mean return of the last 10 episodes.
    LearningRun run = train_until<rlpp::sac::Trainer>(with(rlpp::sac::tuned::rltools_pendulum(10000), {{"seed", seed}}),
                                                      1e9, 10000);
    run.reached = run.reward >= -190.0;
    report("SAC rltools pendulum", seed, -190.0, run);
    returns.push_back(run.reward);
  }
  std::sort(returns.begin(), returns.end());
  CHECK(returns[2] >= -190.0);
}
