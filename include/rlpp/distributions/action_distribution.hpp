#pragma once
// The `action_distribution` concept (RLlib's ActionDistribution, batched): a distribution over a
// batch of actions, built from the model's outputs on a tape. logp, entropy and kl are tape values
// (differentiable w.r.t. the inputs); sampling writes plain numbers.
//
// Actions travel as a row-major float matrix [B, action flat size] for every space: a Discrete
// action is its integer (exact below 2^24), a Box action its flat values. The policy converts
// integer actions to the int64 "actions" column of a SampleBatch.

#include <concepts>
#include <cstddef>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// A reparameterized sample (SAC, DDPG/TD3): actions differentiable w.r.t. the inputs, and their
// log-probability (zeros for Deterministic).
template <class T>
struct RSample {
  ad::BasicVar<T> actions;  // [B, action flat size]
  ad::BasicVar<T> logp;     // [B, 1]
};

// D is built as D(inputs, action_space); `required_model_output_shape` sizes the model for it.
// sample / deterministic_sample write one row per batch row into `actions` (resized only if its
// shape differs: pass the same matrix again and nothing allocates). logp(actions) takes the
// actions as a tape value (a constant or input is fine); sampled_action_logp() is the logp of the
// last sample() (a tape value recorded by sample()). All tape results are [B, 1].
template <class D>
concept action_distribution = std::constructible_from<D, ad::Var, const Space&> &&
    requires(const D& d, D& mutable_d, const D& other, RandomStream& rng, nn::Matrix& actions, ad::Var action_values,
             const Space& space, const Config& model_config) {
      { D::required_model_output_shape(space, model_config) } -> std::convertible_to<std::size_t>;
      { mutable_d.sample(rng, actions) };
      { d.deterministic_sample(actions) };
      { d.logp(action_values) } -> std::same_as<ad::Var>;
      { d.sampled_action_logp() } -> std::same_as<ad::Var>;
      { d.entropy() } -> std::same_as<ad::Var>;
      { d.kl(other) } -> std::same_as<ad::Var>;
      { d.inputs() } -> std::same_as<ad::Var>;
    };

// An action_distribution that can also draw reparameterized samples (SquashedGaussian for SAC,
// Deterministic for DDPG/TD3, DiagGaussian): rsample(rng) -> RSample<float>.
template <class D>
concept reparameterized_distribution = action_distribution<D> && requires(const D& d, RandomStream& rng) {
  { d.rsample(rng) } -> std::same_as<RSample<float>>;
};

}  // namespace rlpp
