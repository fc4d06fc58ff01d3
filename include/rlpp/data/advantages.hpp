#pragma once
// Advantage estimation, as RLlib's rllib/evaluation/postprocessing.py: discount_cumsum,
// compute_advantages (GAE, Schulman et al. 2016, "High-Dimensional Continuous Control Using
// Generalized Advantage Estimation", or plain discounted returns) and compute_gae_for_sample_batch,
// which picks the bootstrap value for one trajectory piece.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "rlpp/data/sample_batch.hpp"

namespace rlpp {

// y_t = x_t + gamma * y_{t+1}, y_{T-1} = x_{T-1} (RLlib's discount_cumsum). Accumulates in double
// (RLlib's scipy lfilter does) and rounds each y_t to float. `out` may be `x` itself.
inline void discount_cumsum(std::span<const float> x, float gamma, std::span<float> out) {
  if (out.size() != x.size())
    throw BatchError("discount_cumsum", "out has " + std::to_string(out.size()) + " elements, x has " + std::to_string(x.size()));
  double running = 0.0;
  for (std::size_t t = x.size(); t-- > 0;) {
    running = static_cast<double>(x[t]) + static_cast<double>(gamma) * running;
    out[t] = static_cast<float>(running);
  }
}

namespace detail {
// A 1-D float column's data; the BatchError names the column when it is missing, not float32,
// or has more than one element per row.
inline std::span<const float> scalar_column(const SampleBatch& batch, std::string_view name, std::string_view who) {
  if (!batch.contains(name))
    throw BatchError(std::string(who), "needs the column '" + std::string(name) + "', which the batch does not have");
  const Column& column = batch.column(name);
  const auto& values = column.get<float>(name);
  if (column.row_size() != 1)
    throw BatchError("column '" + std::string(name) + "'", "has shape " + Column::shape_text(column.shape()) +
                                                               ", " + std::string(who) + " needs one value per row");
  return {values.data(), batch.count()};
}

// The float column `name` with shape [count], reusing its buffer when it already has that shape
// (so postprocessing the same fragment size again allocates nothing).
inline std::span<float> scalar_output(SampleBatch& batch, std::string_view name) {
  if (batch.contains(name)) {
    Column& column = batch.column(name);
    if (column.holds<float>() && column.dimension() == 1 && column.rows() == batch.count())
      return {column.get<float>(name).data(), batch.count()};
  }
  batch.set(name, Column::zeros(ColumnType::float32, {batch.count()}));
  return {batch.get<float>(name).data(), batch.count()};
}
}  // namespace detail

// Writes "advantages" and "value_targets" (float32, one per row) for a trajectory piece whose
// value after its last row is last_r (0 when the episode terminated there, else V(s_T)):
//   use_gae:  delta_t = r_t + gamma V_{t+1} - V_t  (V_T = last_r),
//             advantages = discount_cumsum(delta, gamma * lambda), value_targets = advantages + V;
//   !use_gae: returns = discount_cumsum(r ++ [last_r], gamma) without its last element,
//             use_critic:  advantages = returns - V, value_targets = returns;
//             !use_critic: advantages = returns, value_targets = 0.
// V is "vf_preds" (needed unless !use_critic); GAE needs a critic. Errors name the missing column.
inline void compute_advantages(SampleBatch& batch, float last_r, float gamma = 0.9f, float lambda = 1.0f,
                               bool use_gae = true, bool use_critic = true) {
  constexpr std::string_view who = "compute_advantages";
  if (use_gae && !use_critic)
    throw BatchError(std::string(who), "use_gae needs a critic (use_critic = true)",
                     "set use_critic, or use_gae = false for plain discounted returns");
  const std::size_t n = batch.count();
  const auto rewards = detail::scalar_column(batch, "rewards", who);
  std::span<const float> values;
  if (use_critic) values = detail::scalar_column(batch, "vf_preds", who);
  auto advantages = detail::scalar_output(batch, "advantages");
  auto targets = detail::scalar_output(batch, "value_targets");
  if (use_gae) {
    // delta_t in float as RLlib's numpy does (float32 arrays), the cumsum in double.
    double running = 0.0;
    const double decay = static_cast<double>(gamma) * static_cast<double>(lambda);
    for (std::size_t t = n; t-- > 0;) {
      const float next_value = t + 1 < n ? values[t + 1] : last_r;
      const float delta = rewards[t] + gamma * next_value - values[t];
      running = static_cast<double>(delta) + decay * running;
      advantages[t] = static_cast<float>(running);
      targets[t] = static_cast<float>(running + static_cast<double>(values[t]));
    }
  } else {
    double running = static_cast<double>(last_r);
    for (std::size_t t = n; t-- > 0;) {
      running = static_cast<double>(rewards[t]) + static_cast<double>(gamma) * running;
      const auto returns = static_cast<float>(running);
      advantages[t] = use_critic ? returns - values[t] : returns;
      targets[t] = use_critic ? returns : 0.0f;
    }
  }
}

// GAE for one trajectory piece (rows of one episode, in order), as RLlib's
// compute_gae_for_sample_batch: if the last row is terminated ("terminateds", or "dones" when the
// batch has no "terminateds") the return after it is 0; otherwise the episode was truncated or
// cut by the fragment's end, and the piece bootstraps from the value of the final observation,
// value_of_final_obs(...), called with the last row of "new_obs" as a std::span<const float>
// (or, if it takes them, with the batch and the last row's index, e.g. for RNN state).
template <class ValueFn>
void compute_gae_for_sample_batch(SampleBatch& trajectory, ValueFn&& value_of_final_obs, float gamma = 0.99f,
                                  float lambda = 1.0f, bool use_gae = true, bool use_critic = true) {
  constexpr bool takes_obs = std::is_invocable_r_v<float, ValueFn&, std::span<const float>>;
  constexpr bool takes_row = std::is_invocable_r_v<float, ValueFn&, const SampleBatch&, std::size_t>;
  static_assert(takes_obs || takes_row,
                "value_of_final_obs must be callable as float(std::span<const float> final_obs) or "
                "float(const SampleBatch& trajectory, std::size_t last_row)");
  float last_r = 0.0f;
  const std::size_t n = trajectory.count();
  if (n > 0) {
    const char* flag = trajectory.contains("terminateds") ? "terminateds" : trajectory.contains("dones") ? "dones" : nullptr;
    const bool terminated = flag != nullptr && trajectory.get<bool>(flag)(n - 1);
    if (!terminated) {
      if constexpr (takes_obs) {
        if (!trajectory.contains("new_obs"))
          throw BatchError("compute_gae_for_sample_batch",
                           "the trajectory does not end terminated, so it bootstraps from V(new_obs), but has no column 'new_obs'",
                           "add new_obs, or mark the last row in terminateds");
        const Column& new_obs = trajectory.column("new_obs");
        const auto& values = new_obs.get<float>("new_obs");
        const std::size_t width = new_obs.row_size();
        last_r = value_of_final_obs(std::span<const float>(values.data() + (n - 1) * width, width));
      } else {
        last_r = value_of_final_obs(std::as_const(trajectory), n - 1);
      }
    }
  }
  compute_advantages(trajectory, last_r, gamma, lambda, use_gae, use_critic);
}

}  // namespace rlpp
