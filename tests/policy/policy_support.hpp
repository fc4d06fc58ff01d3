#pragma once
// Shared pieces of the policy tests: the seed's policy-gradient loss, a policy built from it,
// CartPole's spaces, and small hand-made batches.

#include <cstdint>
#include <vector>

#include <xtensor/xarray.hpp>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/policy/postprocessors.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp::test {

// RLlib's policy_gradient_loss: -mean(logp(actions) * advantages).
struct PGLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    const ad::Var loss = -ad::mean(dist.logp(c[cols::actions]) * c[cols::advantages]);
    c.record("policy_loss", loss);
    return loss;
  }
};

using PGPolicy = build_policy<"PGPolicy", loss<PGLoss>, postprocess<discounted_returns>>;

inline Space cartpole_observation_space() { return Space(Box(-10.0, 10.0, {4})); }
inline Space cartpole_action_space() { return Space(Discrete(2)); }

inline Json small_model_config(Json extra = Json::object()) {
  Json config{{"model", {{"fcnet_hiddens", {16, 16}}}}, {"seed", 7}, {"lr", 0.01}};
  for (auto& [key, value] : extra.items()) config[key] = value;
  return config;
}

// n rows of 4-d observations with actions alternating 0/1 and given advantages.
inline SampleBatch pg_batch(std::size_t n, float advantage_of_action_1 = 1.0f, float advantage_of_action_0 = -1.0f) {
  xt::xarray<float> obs = xt::zeros<float>({n, std::size_t{4}});
  xt::xarray<std::int64_t> actions = xt::zeros<std::int64_t>({n});
  xt::xarray<float> advantages = xt::zeros<float>({n});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t d = 0; d < 4; ++d) obs(i, d) = 0.1f * static_cast<float>((i + d) % 5) - 0.2f;
    actions(i) = static_cast<std::int64_t>(i % 2);
    advantages(i) = i % 2 == 1 ? advantage_of_action_1 : advantage_of_action_0;
  }
  SampleBatch batch;
  batch.set(cols::obs, obs);
  batch.set(cols::actions.name, Column(actions));
  batch.set(cols::advantages, advantages);
  return batch;
}

}  // namespace rlpp::test
