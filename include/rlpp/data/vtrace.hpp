#pragma once
// V-trace off-policy value targets and policy-gradient advantages (Espeholt et al. 2018,
// "IMPALA", section 4.1; RLlib's rllib/agents/impala/vtrace_torch.py), for one time-major
// trajectory of T steps:
//   rho_t = min(rho_bar, pi(a_t|x_t) / mu(a_t|x_t)),  c_t = min(c_bar, pi/mu),
//   delta_t = rho_t (r_t + gamma_t V(x_{t+1}) - V(x_t)),  V(x_T) = bootstrap_value,
//   vs_t = V(x_t) + delta_t + gamma_t c_t (vs_{t+1} - V(x_{t+1})),  vs_T = bootstrap_value,
//   pg_advantages_t = min(rho_bar_pg, pi/mu) (r_t + gamma_t vs_{t+1} - V(x_t)).
// gamma_t ("discounts") is gamma * (1 - done_t): 0 after the last step of an episode. A threshold
// of +infinity turns that clipping off.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "rlpp/data/columns.hpp"

namespace rlpp {

struct VTraceOptions {
  float clip_rho_threshold = 1.0f;
  float clip_pg_rho_threshold = 1.0f;
  float clip_c_threshold = 1.0f;
};

struct VTraceReturns {
  std::vector<float> vs;
  std::vector<float> pg_advantages;
};

// Writes vs and pg_advantages (each T long) from spans of length T; allocates nothing.
// Accumulates in double. `behaviour_logp` is log mu(a_t|x_t), `target_logp` log pi(a_t|x_t).
inline void vtrace(std::span<const float> behaviour_logp, std::span<const float> target_logp,
                   std::span<const float> rewards, std::span<const float> values, float bootstrap_value,
                   std::span<const float> discounts, std::span<float> vs, std::span<float> pg_advantages,
                   const VTraceOptions& options = {}) {
  const std::size_t T = rewards.size();
  auto check = [&](std::size_t size, const char* name) {
    if (size != T)
      throw BatchError(std::string("vtrace: ") + name,
                       "has " + std::to_string(size) + " steps, rewards has " + std::to_string(T),
                       "pass one time-major trajectory: every input one value per step");
  };
  check(behaviour_logp.size(), "behaviour_logp");
  check(target_logp.size(), "target_logp");
  check(values.size(), "values");
  check(discounts.size(), "discounts");
  check(vs.size(), "vs");
  check(pg_advantages.size(), "pg_advantages");

  double vs_next = bootstrap_value;           // vs_{t+1}
  double value_next = bootstrap_value;        // V(x_{t+1})
  double correction = 0.0;                    // vs_{t+1} - V(x_{t+1})
  for (std::size_t t = T; t-- > 0;) {
    const double ratio = std::exp(static_cast<double>(target_logp[t]) - static_cast<double>(behaviour_logp[t]));
    const double rho = std::min(static_cast<double>(options.clip_rho_threshold), ratio);
    const double c = std::min(static_cast<double>(options.clip_c_threshold), ratio);
    const double pg_rho = std::min(static_cast<double>(options.clip_pg_rho_threshold), ratio);
    const double gamma_t = discounts[t];
    const double value = values[t];
    const double delta = rho * (static_cast<double>(rewards[t]) + gamma_t * value_next - value);
    correction = delta + gamma_t * c * correction;  // vs_t - V(x_t)
    const double vs_t = value + correction;
    pg_advantages[t] = static_cast<float>(pg_rho * (static_cast<double>(rewards[t]) + gamma_t * vs_next - value));
    vs[t] = static_cast<float>(vs_t);
    vs_next = vs_t;
    value_next = value;
  }
}

// As above, returning new vectors.
inline VTraceReturns vtrace(std::span<const float> behaviour_logp, std::span<const float> target_logp,
                            std::span<const float> rewards, std::span<const float> values, float bootstrap_value,
                            std::span<const float> discounts, const VTraceOptions& options = {}) {
  VTraceReturns out{std::vector<float>(rewards.size()), std::vector<float>(rewards.size())};
  vtrace(behaviour_logp, target_logp, rewards, values, bootstrap_value, discounts, out.vs, out.pg_advantages, options);
  return out;
}

}  // namespace rlpp
