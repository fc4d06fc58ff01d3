// Ape-X DQN learning test (ctest label `learning`): RLlib's cartpole-apex.yaml (reference 1.2)
// reaching a mean return of 150 within 250k steps, with 3 workers and 2 replay shards.
#include <doctest/doctest.h>

#include <cstdint>

#include <rlpp/algorithms/dqn/apex.hpp>

#include "learning_support.hpp"

TEST_CASE("APEX reaches 150 on CartPole-v1 within 250k steps (RLlib's cartpole-apex.yaml)") {
  for (std::int64_t seed : {42, 1}) {
    rlpp::Json config = rlpp::apex::tuned::cartpole_apex();
    config["seed"] = seed;
    const rlpp::test::LearningRun run = rlpp::test::train_until<rlpp::apex::Trainer>(config, 150.0, 250000);
    rlpp::test::report("APEX cartpole", seed, 150.0, run);
    CHECK(run.reached);
  }
}
