#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "exploration/exploration_support.hpp"
#include "rlpp/exploration/any_exploration.hpp"

using namespace rlpp;
using rlpp::test::context;
using rlpp::test::TinyCategorical;
using rlpp::test::TinyGaussian;

static_assert(exploration_strategy_for<AnyExploration, TinyCategorical>);
static_assert(exploration_strategy_for<AnyExploration, TinyGaussian>);

namespace {
// A Discrete or Box action space that fits `type`, and inputs for it.
Space space_for(const std::string& type) {
  if (type == "GaussianNoise" || type == "OrnsteinUhlenbeckNoise") return Box(-1.0, 1.0, {2});
  return Discrete(3);
}

// Runs `steps` explore=true steps from `timestep` on, returning every action taken.
std::vector<float> run(AnyExploration& exploration, const Space& space, RandomStream& rng, std::int64_t timestep, int steps) {
  std::vector<float> taken;
  nn::Matrix inputs;
  if (space.is<Box>()) {
    inputs.resize(2, 4);  // mean | log_std
    inputs << 0.1f, 0.5f, -0.2f, -1.0f,  //
        0.3f, -0.4f, 0.0f, 0.0f;
  } else {
    inputs.resize(2, 3);  // Q values
    inputs << 0.1f, 0.5f, -0.2f,  //
        1.0f, 0.3f, 1.5f;
  }
  nn::Matrix actions;
  std::array<float, 2> logp{};
  for (int s = 0; s < steps; ++s) {
    ad::Tape tape;
    const ad::Var in = tape.input(inputs.data(), inputs.rows(), inputs.cols());
    if (space.is<Box>()) {
      TinyGaussian dist(in, space);
      exploration.get_exploration_action(dist, actions, logp, timestep + s, true, rng);
    } else {
      TinyCategorical dist(in, space);
      exploration.get_exploration_action(dist, actions, logp, timestep + s, true, rng);
    }
    taken.insert(taken.end(), actions.data(), actions.data() + actions.size());
    taken.insert(taken.end(), logp.begin(), logp.end());
  }
  return taken;
}
}  // namespace

TEST_CASE("AnyExploration builds the strategy named by exploration_config.type, StochasticSampling by default") {
  for (const std::string& type : AnyExploration::type_names()) {
    CAPTURE(type);
    const AnyExploration exploration(context(space_for(type), {{"type", type}}));
    CHECK(exploration.type() == type);
    CHECK(exploration.get_state()["type"] == type);
    CHECK(AnyExploration::defaults(type)["type"] == type);
  }
  CHECK(AnyExploration::type_names() == std::vector<std::string>{"StochasticSampling", "EpsilonGreedy",
                                                                 "PerWorkerEpsilonGreedy", "SoftQ", "GaussianNoise",
                                                                 "OrnsteinUhlenbeckNoise", "Random"});
  const AnyExploration fallback(context(Discrete(2), Json::object()));
  CHECK(fallback.type() == "StochasticSampling");
  CHECK(fallback.holds<StochasticSampling>());
  const AnyExploration ou(context(Box(-1.0, 1.0, {1}), {{"type", "OrnsteinUhlenbeckNoise"}, {"ou_theta", 0.3}}));
  REQUIRE(ou.get_if<OrnsteinUhlenbeckNoise>() != nullptr);
}

TEST_CASE("AnyExploration rejects an unknown type with a suggestion and the known names") {
  CHECK_THROWS_WITH_AS(AnyExploration(context(Discrete(2), {{"type", "EpsilonGredy"}})),
                       "config.exploration_config.type: unknown exploration type 'EpsilonGredy' (did you mean "
                       "'EpsilonGreedy'? (known: StochasticSampling, EpsilonGreedy, PerWorkerEpsilonGreedy, SoftQ, "
                       "GaussianNoise, OrnsteinUhlenbeckNoise, Random))",
                       ConfigError);
  CHECK_THROWS_WITH_AS(AnyExploration(context(Discrete(2), {{"type", "ParameterNoise"}})),
                       doctest::Contains("expected one of StochasticSampling, EpsilonGreedy"), ConfigError);
  CHECK_THROWS_WITH_AS(AnyExploration(context(Discrete(2), {{"type", 3}})),
                       "config.exploration_config.type: expected a string, got 3", ConfigError);
}

TEST_CASE("Every strategy restored from its JSON state through AnyExploration continues bit-identically") {
  for (const std::string& type : AnyExploration::type_names()) {
    CAPTURE(type);
    const Space space = space_for(type);
    // Short random phases and schedules, so the restore lands mid-schedule, after the random phase.
    Json config = AnyExploration::defaults(type);
    for (const char* key : {"random_timesteps", "epsilon_timesteps", "scale_timesteps"})
      if (config.contains(key)) config[key] = 3;
    AnyExploration original(context(space, config, 1, 2));
    RandomStream rng(31);
    run(original, space, rng, 0, 5);

    const std::string checkpoint = original.get_state().dump();
    AnyExploration restored(context(space, config, 1, 2));
    restored.set_state(Json::parse(checkpoint));
    CHECK(restored.get_state() == original.get_state());
    RandomStream restored_rng = rng;
    CHECK(run(original, space, rng, 5, 4) == run(restored, space, restored_rng, 5, 4));
  }
}

TEST_CASE("AnyExploration refuses the state of another strategy type") {
  AnyExploration epsilon(context(Discrete(2), {{"type", "EpsilonGreedy"}}));
  const AnyExploration soft_q(context(Discrete(2), {{"type", "SoftQ"}}));
  CHECK_THROWS_WITH_AS(epsilon.set_state(soft_q.get_state()),
                       "exploration state.type: the checkpoint explores with SoftQ but this policy with EpsilonGreedy "
                       "(restore into a policy whose exploration_config has \"type\": \"SoftQ\")",
                       CheckpointError);
  CHECK_THROWS_AS(epsilon.set_state(Json::array()), CheckpointError);
  CHECK_THROWS_AS(epsilon.set_state(Json{{"last_timestep", 3}}), CheckpointError);
}
