// DQN, SimpleQ and Ape-X learning tests (ctest label `learning`; one file, as they share the DQN
// policy): RLlib's tuned examples (reference 1.2: cartpole-dqn.yaml and cartpole-simpleq.yaml,
// 150 within 50k steps; cartpole-apex.yaml, 150 within 250k; run on CartPole-v1), rl-zoo's tuned
// DQN to 475 on CartPole-v1 within 50k steps, and MountainCar-v0 to -190 (above -200).
// min_iter_time_s 0 lets an iteration end after timesteps_per_iteration steps however fast
// (RLlib's 1 s minimum changes when results are reported, not what is learned). Each stops at its threshold; the seed counts keep the file within about a minute on 2 cores.
#include <doctest/doctest.h>

#include <cstdint>

#include <rlpp/algorithms/dqn/apex.hpp>
#include <rlpp/algorithms/dqn/dqn.hpp>
#include <rlpp/algorithms/dqn/simple_q.hpp>
#include <rlpp/algorithms/dqn/tuned_configs.hpp>

#include "learning_support.hpp"

using rlpp::Json;
using rlpp::test::LearningRun;
using rlpp::test::report;
using rlpp::test::train_until;
using rlpp::test::with;

TEST_CASE("DQN reaches 150 on CartPole-v1 within 50k steps (RLlib's cartpole-dqn.yaml)") {
  for (std::int64_t seed : {1, 2}) {
    const LearningRun run = train_until<rlpp::dqn::Trainer>(with(rlpp::dqn::tuned::cartpole_dqn(), {{"seed", seed}, {"min_iter_time_s", 0}}), 150.0, 50000);
    report("DQN cartpole", seed, 150.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("SimpleQ reaches 150 on CartPole-v1 within 50k steps (RLlib's cartpole-simpleq.yaml)") {
  for (std::int64_t seed : {1, 2}) {
    const LearningRun run =
        train_until<rlpp::simple_q::Trainer>(with(rlpp::simple_q::tuned::cartpole_simpleq(), {{"seed", seed}, {"min_iter_time_s", 0}}), 150.0, 50000);
    report("SimpleQ cartpole", seed, 150.0, run);
    CHECK(run.reached);
  }
}

TEST_CASE("DQN's greedy policy reaches 475 on CartPole-v1 within 50k steps (rl-zoo's tuned hyperparameters)") {
  for (std::int64_t seed : {1, 2, 3}) {
    const LearningRun run = train_until<rlpp::dqn::Trainer>(with(rlpp::dqn::tuned::cartpole_v1(), {{"seed", seed}}), 475.0, 50000, /*use_evaluation=*/true);
    report("DQN cartpole-v1 475", seed, 475.0, run);
    CHECK(run.reached);
  }
}

// -190 rather than "above -200" (-199.9 is one lucky episode in a hundred): the car must reach
// the flag in most episodes. Two seeds (seed 1: 40k steps, seed 2: 53k; 13 and 19 s at -O3
// -march=native on the 2-core machine).
TEST_CASE("DQN reaches -190 on MountainCar-v0 within 120k steps") {
  for (std::int64_t seed : {1, 2}) {
    const LearningRun run = train_until<rlpp::dqn::Trainer>(with(rlpp::dqn::tuned::mountain_car(), {{"seed", seed}}), -190.0, 120000);
    report("DQN mountaincar", seed, -190.0, run);
    CHECK(run.reached);
  }
}

// RLlib's cartpole-apex.yaml: 3 workers, 2 replay shards, training_intensity 16.
TEST_CASE("APEX reaches 150 on CartPole-v1 within 250k steps (RLlib's cartpole-apex.yaml)") {
  for (std::int64_t seed : {42, 1}) {
    const LearningRun run = train_until<rlpp::apex::Trainer>(with(rlpp::apex::tuned::cartpole_apex(), {{"seed", seed}}), 150.0, 250000);
    report("APEX cartpole", seed, 150.0, run);
    CHECK(run.reached);
  }
}
