// The example of docs/exploration.md, compiled and run.
#include <doctest/doctest.h>

#include <sstream>

// --- docs/exploration.md: begin ---
#include <iostream>
#include <vector>

#include "rlpp/distributions/categorical.hpp"
#include "rlpp/exploration/any_exploration.hpp"

int explore_cartpole_like(std::ostream& out) {
  const rlpp::Space action_space = rlpp::Discrete(2);
  // What a policy does once: the strategy named by the config, built for this worker.
  rlpp::ExplorationContext context{
      action_space,
      rlpp::Config({{"type", "EpsilonGreedy"}, {"epsilon_timesteps", 10000}, {"final_epsilon", 0.02}},
                   "config.exploration_config"),
      /*worker_index=*/0, /*num_workers=*/0, rlpp::Config()};
  rlpp::AnyExploration exploration(context);

  // Per step: the model's Q values for a batch of 4 observations, as a distribution.
  rlpp::nn::Matrix q_values(4, 2);
  q_values << 0.1f, 0.9f, 0.7f, 0.2f, 0.0f, 0.0f, -1.0f, 1.0f;
  rlpp::ad::Tape tape;
  rlpp::Categorical dist(tape.input(q_values.data(), 4, 2), action_space);

  rlpp::nn::Matrix actions;         // [4, 1], reused across steps
  std::vector<float> logp(4);       // 0 for epsilon-greedy
  rlpp::RandomStream rng(/*seed=*/0, /*worker_index=*/0, /*env_index=*/0, "exploration");
  const std::int64_t global_timestep = 5000;
  exploration.get_exploration_action(dist, actions, logp, global_timestep, /*explore=*/true, rng);

  const rlpp::Json state = exploration.get_state();  // into the policy's checkpoint
  out << state.dump() << "\n";  // {"cur_epsilon":0.51,"last_timestep":5000,"type":"EpsilonGreedy"}
  exploration.set_state(state);
  return static_cast<int>(actions.rows());
}
// --- docs/exploration.md: end ---

TEST_CASE("The docs' example runs and prints epsilon halfway through its schedule") {
  std::ostringstream out;
  CHECK(explore_cartpole_like(out) == 4);
  const rlpp::Json state = rlpp::Json::parse(out.str());
  CHECK(state["type"] == "EpsilonGreedy");
  CHECK(state["last_timestep"] == 5000);
  CHECK(state["cur_epsilon"].get<double>() == doctest::Approx(1.0 + 0.5 * (0.02 - 1.0)));  // 0.51
}
