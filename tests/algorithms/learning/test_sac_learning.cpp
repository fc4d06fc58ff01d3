// SAC learning tests (ctest label `learning`): RLlib's tuned examples (reference 1.2) for Box
// actions (Pendulum-v1, -150 within 30k steps) and the discrete variant (CartPole-v1, 150 within
// 100k steps), and RLtools' benchmark configuration (peers.md: about -187 after 10k steps).
// Cost: RLlib's configs train 256x256 networks on every sampled step (Pendulum: batch 256;
// CartPole: batch 32), so Pendulum runs 3 seeds (the yaml's 42, then 1 and 2) and CartPole 2
// (measured at -O3 -march=native on the shared 2-core machine: Pendulum -150 at 8,000 / 9,000 /
// 5,000 steps in 43 / 48 / 26 s, CartPole 150 at 20,400 / 16,700 steps in 18 / 15 s, RLtools'
// config 2-3 s per seed). min_iter_time_s 0 makes the iterations, and so the reported step
// counts, independent of wall time.
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
  for (std::int64_t seed : {42, 1, 2}) {
    const Json config = with(rlpp::sac::tuned::pendulum_sac(), {{"seed", seed}, {"min_iter_time_s", 0}});
    const LearningRun run = train_until<rlpp::sac::Trainer>(config, -150.0, 30000);
    report("SAC pendulum", seed, -150.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("SAC (discrete) reaches 150 on CartPole-v1 within 100k steps (RLlib's cartpole-sac.yaml)") {
  for (std::int64_t seed : {42, 1}) {
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
