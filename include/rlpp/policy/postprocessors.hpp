#pragma once
// Built-in postprocessors (RLlib's postprocess_fn): what a policy does to each trajectory
// fragment after sampling and before learning. Use as rlpp::postprocess<rlpp::discounted_returns>.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/data/nstep.hpp"
#include "rlpp/data/postprocessing.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/policy/sequences.hpp"

namespace rlpp {

// RLlib's PG postprocessing: advantages = value_targets = the discounted return from each step
// to the end of the fragment (no critic, nothing bootstrapped).
struct discounted_returns {
  template <class Policy>
  void operator()(Policy& policy, SampleBatch& batch) const {
    compute_advantages(batch, 0.0f, static_cast<float>(policy.config().template get<double>("gamma")), 1.0f,
                       /*use_gae=*/false, /*use_critic=*/false);
  }
};

// Generalized advantage estimation (Schulman et al. 2016) as RLlib's compute_gae_for_sample_batch:
// advantages and value_targets from the behaviour policy's vf_preds, bootstrapping from
// V(final observation) when the fragment was truncated or cut, never when it terminated.
// Reads "gamma", "lambda", "use_gae", "use_critic".
struct generalized_advantages {
  static constexpr bool uses_value_predictions = true;
  static Json defaults() { return Json{{"lambda", 1.0}, {"use_gae", true}, {"use_critic", true}}; }

  template <class Policy>
  void operator()(Policy& policy, SampleBatch& batch) const {
    const auto& c = policy.config();
    const auto gamma = static_cast<float>(c.template get<double>("gamma"));
    const auto lambda = static_cast<float>(c.template get<double>("lambda"));
    const bool use_gae = c.template get<bool>("use_gae");
    const bool use_critic = c.template get<bool>("use_critic");
    compute_gae_for_sample_batch(
        batch,
        [&](std::span<const float> final_obs) {
          if (!policy.is_recurrent()) return policy.value(final_obs);
          // The state after the last step is its state_out.
          std::vector<nn::Matrix> state;
          for (std::size_t k = 0; k < policy.num_state_tensors(); ++k) {
            const auto rows = batch.matrix(state_out_column(k));
            state.emplace_back(rows.bottomRows(1));
          }
          return policy.value(final_obs, state);
        },
        gamma, lambda, use_gae, use_critic);
  }
};

// n-step returns for off-policy learners (RLlib's postprocess_nstep_and_prio without worker-side
// priorities): adjust_nstep(n_step, gamma) over each trajectory, which also writes each row's
// bootstrap discount "n_step_discounts" (gamma^k; gamma with n_step 1). DQN, SAC, DDPG and TD3
// use it. Reads "n_step", "gamma".
struct nstep_returns {
  static Json defaults() { return Json{{"n_step", 1}}; }
  template <class Policy>
  void operator()(Policy& policy, SampleBatch& batch) const {
    const auto& c = policy.config();
    adjust_nstep(static_cast<int>(c.positive_int("n_step")), static_cast<float>(c.template get<double>("gamma")), batch);
  }
};

}  // namespace rlpp
