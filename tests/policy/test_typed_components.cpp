#include <doctest/doctest.h>

#include <type_traits>

#include "policy/policy_support.hpp"
#include "rlpp/distributions/categorical.hpp"
#include "rlpp/distributions/diag_gaussian.hpp"
#include "rlpp/exploration/epsilon_greedy.hpp"
#include "rlpp/exploration/gaussian_noise.hpp"
#include "rlpp/models/fully_connected.hpp"
#include "rlpp/models/q_model.hpp"
#include "rlpp/nn/optimizers/sgd.hpp"

using namespace rlpp;

namespace {
// Regresses Q(s, a) of the taken actions onto the rewards (a one-step DQN without a target).
struct QRegressionLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    const ad::Var q = c.model_out();
    const ad::Var actions = c[cols::actions];
    std::array<std::int64_t, 64> index{};
    for (Eigen::Index r = 0; r < actions.rows(); ++r) index[static_cast<std::size_t>(r)] = static_cast<std::int64_t>(actions.value()(r, 0));
    const ad::Var q_taken = ad::gather(q, std::span<const std::int64_t>(index.data(), static_cast<std::size_t>(actions.rows())));
    return ad::mse(q_taken, c[cols::rewards]);
  }
};

using QPolicy = build_policy<"QPolicy", loss<QRegressionLoss>, model<QModel>, action_dist<Categorical>,
                             exploration<EpsilonGreedy>, optimizer<nn::SGD>>;
using GaussianPolicy = build_policy<"GaussianPolicy", loss<test::PGLoss>, model<FullyConnectedNetwork>,
                                    action_dist<DiagGaussian>, exploration<GaussianNoise>>;

Json q_config() {
  return Json{{"model", {{"fcnet_hiddens", {16}}}}, {"hiddens", {16}}, {"dueling", false}, {"seed", 1}, {"lr", 0.05}};
}
}  // namespace

TEST_CASE("components named by type replace the catalog's run-time choices") {
  static_assert(std::is_same_v<QPolicy::model_type, QModel>);
  static_assert(std::is_same_v<QPolicy::distribution_type, Categorical>);
  static_assert(std::is_same_v<QPolicy::exploration_type, EpsilonGreedy>);
  static_assert(std::is_same_v<QPolicy::optimizer_type, nn::SGD>);
  // The exploration type brings its own exploration_config defaults.
  CHECK(QPolicy::default_config()["exploration_config"]["type"] == "EpsilonGreedy");
  CHECK(QPolicy::default_config()["exploration_config"]["epsilon_timesteps"] == 100000);
  CHECK_FALSE(QPolicy::default_config().contains("initial_epsilon"));
}

TEST_CASE("an epsilon-greedy Q policy acts randomly at t=0, greedily without exploration, and learns") {
  QPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), q_config());
  CHECK(policy.num_outputs() == 2);
  SampleBatch batch = test::pg_batch(32);
  const auto obs = batch.matrix(cols::obs);
  // epsilon = 1 at timestep 0: about half of the actions disagree with argmax Q
  const nn::Matrix greedy = policy.compute_actions(obs, {}, false).actions;
  const auto& q = policy.compute_actions(obs, {}, false).action_dist_inputs;
  for (Eigen::Index r = 0; r < 32; ++r) CHECK(greedy(r, 0) == (q(r, 1) > q(r, 0) ? 1.0f : 0.0f));
  const nn::Matrix explored = policy.compute_actions(obs, {}, true, 0).actions;
  CHECK((explored.array() != greedy.array()).count() > 4);
  // at the end of the schedule (epsilon 0.05) nearly all agree
  const nn::Matrix late = policy.compute_actions(obs, {}, true, 10'000'000).actions;
  CHECK((late.array() != greedy.array()).count() <= 6);

  // reward 1 for action 1, 0 for action 0: Q learns to prefer action 1 everywhere
  batch.set(cols::rewards, xt::xarray<float>(xt::zeros<float>({std::size_t{32}})));
  for (std::size_t i = 0; i < 32; ++i) batch[cols::rewards](i) = i % 2 == 1 ? 1.0f : 0.0f;
  double first = 0.0, last = 0.0;
  for (int i = 0; i < 200; ++i) {
    const double loss = policy.learn_on_batch(batch)["learner_stats"]["total_loss"].get<double>();
    if (i == 0) first = loss;
    last = loss;
  }
  CHECK(last < 0.2 * first);
  CHECK((policy.compute_actions(obs, {}, false).actions.array() == 1.0f).all());
}

TEST_CASE("a Gaussian-noise policy over a Box adds clipped noise to the mean") {
  GaussianPolicy policy(test::cartpole_observation_space(), Space(Box(-1.0, 1.0, {2})),
                        Json{{"model", {{"fcnet_hiddens", {8}}}}, {"seed", 2},
                             {"exploration_config", {{"random_timesteps", 0}, {"stddev", 0.5}}}});
  const SampleBatch batch = test::pg_batch(16);
  const auto obs = batch.matrix(cols::obs);
  const nn::Matrix mean = policy.compute_actions(obs, {}, false).actions;
  const nn::Matrix noisy = policy.compute_actions(obs, {}, true, 0).actions;
  CHECK((noisy - mean).norm() > 0.1f);
  CHECK(noisy.maxCoeff() <= 1.0f);
  CHECK(noisy.minCoeff() >= -1.0f);
  CHECK_THROWS_WITH_AS(GaussianPolicy(test::cartpole_observation_space(), Space(Box(-1.0, 1.0, {2})),
                                      Json{{"exploration_config", {{"stdev", 0.5}}}}),
                       doctest::Contains("stddev"), ConfigError);
}
