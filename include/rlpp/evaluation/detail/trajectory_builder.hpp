#pragma once
// A rollout worker's per-sub-env (or per-agent) trajectory under construction, and the
// SampleBatch it becomes when its fragment is finished (rollout_worker.hpp).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/envs/any_env.hpp"
#include "rlpp/envs/any_multi_agent_env.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/envs/vector_env.hpp"
#include "rlpp/envs/wrappers/time_limit.hpp"
#include "rlpp/envs/wrappers/wrapper.hpp"
#include "rlpp/evaluation/callbacks.hpp"
#include "rlpp/evaluation/episode.hpp"
#include "rlpp/evaluation/filters.hpp"
#include "rlpp/evaluation/metrics.hpp"
#include "rlpp/evaluation/policy_map.hpp"
#include "rlpp/policy/any_policy.hpp"
#include "rlpp/policy/sequences.hpp"

namespace rlpp::detail {
// One sub-env's steps since its fragment began, column by column.
struct TrajectoryBuilder {
  std::vector<float> obs, new_obs, actions, rewards, logp, prob, dist_inputs, vf_preds, prev_actions, prev_rewards;
  std::vector<std::uint8_t> terminateds, truncateds;
  std::vector<std::int64_t> t, eps_id;
  std::vector<std::vector<float>> state_in, state_out;
  std::size_t count = 0;

  void clear() {
    for (auto* v : {&obs, &new_obs, &actions, &rewards, &logp, &prob, &dist_inputs, &vf_preds, &prev_actions, &prev_rewards})
      v->clear();
    terminateds.clear();
    truncateds.clear();
    t.clear();
    eps_id.clear();
    for (auto& s : state_in) s.clear();
    for (auto& s : state_out) s.clear();
    count = 0;
  }
};

// A column's values must fill its rows evenly (a restored builder could hold anything else).
inline void check_column(std::size_t values, std::size_t rows) {
  if (rows == 0 ? values == 0 : values % rows == 0) return;
  throw Error("RolloutWorker", "a trajectory column of " + std::to_string(values) + " values does not fill " +
                                   std::to_string(rows) + " rows evenly");
}
template <class T>
xt::xarray<T> column_from(const std::vector<T>& values, std::size_t rows) {
  check_column(values.size(), rows);
  const std::size_t width = rows == 0 ? 0 : values.size() / rows;
  std::vector<std::size_t> shape = width == 1 ? std::vector<std::size_t>{rows} : std::vector<std::size_t>{rows, width};
  xt::xarray<T> out(shape);
  std::copy(values.begin(), values.end(), out.data());
  return out;
}
inline xt::xarray<bool> bool_column(const std::vector<std::uint8_t>& values) {
  xt::xarray<bool> out(std::vector<std::size_t>{values.size()});
  for (std::size_t i = 0; i < values.size(); ++i) out.data()[i] = values[i] != 0;
  return out;
}

// A builder's rows as a (not yet postprocessed) SampleBatch; clears the builder.
inline SampleBatch trajectory_batch(TrajectoryBuilder& b, const Space& action_space, std::int64_t env_index,
                                    std::int64_t agent_index) {
  const std::size_t rows = b.count;
  for (std::size_t size : {b.rewards.size(), b.prev_rewards.size(), b.logp.size(), b.prob.size(), b.terminateds.size(),
                           b.truncateds.size(), b.t.size(), b.eps_id.size()})
    if (size != rows)
      throw Error("RolloutWorker", "a trajectory of " + std::to_string(rows) + " rows has a column of " +
                                       std::to_string(size) + " values, one per row expected");
  for (std::size_t k = 0; k < b.state_in.size(); ++k) {
    check_column(b.state_in[k].size(), rows);
    if (k >= b.state_out.size() || b.state_out[k].size() != b.state_in[k].size())
      throw Error("RolloutWorker", "a trajectory's state_out columns do not match its state_in columns");
  }
  SampleBatch batch;
  batch.set(cols::obs, column_from(b.obs, rows));
  batch.set(cols::new_obs, column_from(b.new_obs, rows));
  if (action_space.is<Box>()) {
    batch.set(cols::actions.name, Column(column_from(b.actions, rows)));
    batch.set(cols::prev_actions.name, Column(column_from(b.prev_actions, rows)));
  } else {
    std::vector<std::int64_t> ints(b.actions.begin(), b.actions.end()), prev(b.prev_actions.begin(), b.prev_actions.end());
    batch.set(cols::actions.name, Column(column_from(ints, rows)));
    batch.set(cols::prev_actions.name, Column(column_from(prev, rows)));
  }
  batch.set(cols::rewards, column_from(b.rewards, rows));
  batch.set(cols::prev_rewards, column_from(b.prev_rewards, rows));
  batch.set(cols::action_logp, column_from(b.logp, rows));
  batch.set(cols::action_prob, column_from(b.prob, rows));
  if (!b.dist_inputs.empty()) batch.set(cols::action_dist_inputs, column_from(b.dist_inputs, rows));
  if (!b.vf_preds.empty()) batch.set(cols::vf_preds, column_from(b.vf_preds, rows));
  batch.set(cols::terminateds, bool_column(b.terminateds));
  batch.set(cols::truncateds, bool_column(b.truncateds));
  std::vector<std::uint8_t> dones(rows);
  for (std::size_t k = 0; k < rows; ++k) dones[k] = b.terminateds[k] || b.truncateds[k];
  batch.set(cols::dones, bool_column(dones));
  batch.set(cols::t, column_from(b.t, rows));
  batch.set(cols::eps_id, column_from(b.eps_id, rows));
  batch.set(cols::env_id, xt::xarray<std::int64_t>(xt::zeros<std::int64_t>({rows}) + env_index));
  batch.set(cols::agent_index, xt::xarray<std::int64_t>(xt::zeros<std::int64_t>({rows}) + agent_index));
  for (std::size_t k = 0; k < b.state_in.size(); ++k) {
    const std::size_t width = rows == 0 ? 0 : b.state_in[k].size() / rows;
    xt::xarray<float> in(std::vector<std::size_t>{rows, width}), out(std::vector<std::size_t>{rows, width});
    std::copy(b.state_in[k].begin(), b.state_in[k].end(), in.data());
    std::copy(b.state_out[k].begin(), b.state_out[k].end(), out.data());
    batch.set(state_in_column(k), std::move(in));
    batch.set(state_out_column(k), std::move(out));
  }
  b.clear();
  return batch;
}

}  // namespace rlpp::detail
