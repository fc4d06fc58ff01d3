#pragma once
// A running sampler's parts as exact JSON for checkpoints (rollout_worker.hpp get_state /
// set_state): matrices, trajectory builders, metrics; decoders throw EnvErrors at "state.<path>".

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
#include "rlpp/evaluation/detail/trajectory_builder.hpp"

namespace rlpp::detail {
// ---- worker state: the parts of a running sampler, as exact JSON (envs/state_json.hpp) ----
// Decoders throw EnvErrors at "state.<path>"; RolloutWorker::set_state turns them into
// CheckpointErrors.
namespace worker_state {
namespace sj = state_json;

inline const Json& field(const Json& json, std::string_view key) {
  if (!json.is_object()) sj::fail("expected an object with key '" + std::string(key) + "', got " + sj::describe(json));
  const auto found = json.find(key);
  if (found == json.end()) sj::fail("missing key '" + std::string(key) + "'");
  return *found;
}
inline std::string string_field(const Json& json, std::string_view key) {
  const Json& value = field(json, key);
  if (!value.is_string()) sj::at_path(episode_state::key_path(key), [&] { sj::fail("expected a string, got " + sj::describe(value)); });
  return value.get<std::string>();
}
// Fails at "state.<key>" unless `ok`.
inline void require(bool ok, std::string_view key, const std::string& message) {
  if (!ok) sj::at_path(episode_state::key_path(key), [&] { sj::fail(message); });
}
inline std::string count_text(std::size_t n, std::string_view what) { return std::to_string(n) + " " + std::string(what); }

// A row-major matrix as its values (the shape is the worker's and checked on restore).
inline Json matrix_json(const nn::Matrix& m) { return state_to_json(std::vector<float>(m.data(), m.data() + m.size())); }
inline nn::Matrix matrix_from_values(const Json& json, std::size_t rows, std::size_t cols) {
  std::vector<float> values;
  state_from_json(json, values);
  if (values.size() != rows * cols)
    sj::fail("expected " + count_text(rows * cols, "values") + " (" + std::to_string(rows) + " x " + std::to_string(cols) +
             "), got " + std::to_string(values.size()));
  nn::Matrix m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  std::copy(values.begin(), values.end(), m.data());
  return m;
}
inline nn::Matrix matrix_from_json(const Json& json, std::string_view key, std::size_t rows, std::size_t cols) {
  const Json& values = field(json, key);
  nn::Matrix m;
  sj::at_path(episode_state::key_path(key), [&] { m = matrix_from_values(values, rows, cols); });
  return m;
}

// The row widths a restored trajectory builder must have.
struct BuilderShape {
  std::size_t obs = 0, action = 0;
  std::vector<std::size_t> state;  // one per recurrent state tensor
};

inline Json builder_json(const TrajectoryBuilder& b) {
  return Json{{"count", b.count},
              {"obs", state_to_json(b.obs)},
              {"new_obs", state_to_json(b.new_obs)},
              {"actions", state_to_json(b.actions)},
              {"rewards", state_to_json(b.rewards)},
              {"action_logp", state_to_json(b.logp)},
              {"action_prob", state_to_json(b.prob)},
              {"action_dist_inputs", state_to_json(b.dist_inputs)},
              {"vf_preds", state_to_json(b.vf_preds)},
              {"prev_actions", state_to_json(b.prev_actions)},
              {"prev_rewards", state_to_json(b.prev_rewards)},
              {"terminateds", state_to_json(b.terminateds)},
              {"truncateds", state_to_json(b.truncateds)},
              {"t", state_to_json(b.t)},
              {"eps_id", state_to_json(b.eps_id)},
              {"state_in", state_to_json(b.state_in)},
              {"state_out", state_to_json(b.state_out)}};
}

inline TrajectoryBuilder builder_from_json(const Json& json, const BuilderShape& shape) {
  state_keys(json, {"count", "obs", "new_obs", "actions", "rewards", "action_logp", "action_prob", "action_dist_inputs",
                    "vf_preds", "prev_actions", "prev_rewards", "terminateds", "truncateds", "t", "eps_id", "state_in",
                    "state_out"});
  TrajectoryBuilder b;
  state_field(json, "count", b.count);
  state_field(json, "obs", b.obs);
  state_field(json, "new_obs", b.new_obs);
  state_field(json, "actions", b.actions);
  state_field(json, "rewards", b.rewards);
  state_field(json, "action_logp", b.logp);
  state_field(json, "action_prob", b.prob);
  state_field(json, "action_dist_inputs", b.dist_inputs);
  state_field(json, "vf_preds", b.vf_preds);
  state_field(json, "prev_actions", b.prev_actions);
  state_field(json, "prev_rewards", b.prev_rewards);
  state_field(json, "terminateds", b.terminateds);
  state_field(json, "truncateds", b.truncateds);
  state_field(json, "t", b.t);
  state_field(json, "eps_id", b.eps_id);
  state_field(json, "state_in", b.state_in);
  state_field(json, "state_out", b.state_out);
  const std::size_t rows = b.count;
  const auto rows_of = [&](std::string_view key, std::size_t size, std::size_t width) {
    require(size == rows * width, key,
            "expected " + count_text(rows, "rows") + " of " + count_text(width, "values") + ", got " +
                count_text(size, "values"));
  };
  // The one-value columns first: they bound `count`, so count * width cannot overflow below.
  rows_of("rewards", b.rewards.size(), 1);
  rows_of("action_logp", b.logp.size(), 1);
  rows_of("action_prob", b.prob.size(), 1);
  rows_of("prev_rewards", b.prev_rewards.size(), 1);
  rows_of("t", b.t.size(), 1);
  rows_of("eps_id", b.eps_id.size(), 1);
  rows_of("terminateds", b.terminateds.size(), 1);
  rows_of("truncateds", b.truncateds.size(), 1);
  rows_of("obs", b.obs.size(), shape.obs);
  rows_of("new_obs", b.new_obs.size(), shape.obs);
  rows_of("actions", b.actions.size(), shape.action);
  rows_of("prev_actions", b.prev_actions.size(), shape.action);
  require(b.vf_preds.empty() || b.vf_preds.size() == rows, "vf_preds",
          "expected none or " + count_text(rows, "values") + ", got " + std::to_string(b.vf_preds.size()));
  require(rows == 0 ? b.dist_inputs.empty() : b.dist_inputs.size() % rows == 0, "action_dist_inputs",
          count_text(b.dist_inputs.size(), "values") + " do not fill " + count_text(rows, "rows") + " evenly");
  for (const auto* key : {"state_in", "state_out"}) {
    const auto& columns = std::string_view(key) == "state_in" ? b.state_in : b.state_out;
    require(columns.size() == shape.state.size(), key,
            "expected " + count_text(shape.state.size(), "state tensors") + ", got " + std::to_string(columns.size()));
    for (std::size_t k = 0; k < columns.size(); ++k)
      rows_of(episode_state::index_path(key, k), columns[k].size(), shape.state[k]);
  }
  return b;
}

inline Json metrics_json(const RolloutMetrics& m) {
  namespace es = episode_state;
  return Json{{"episode_length", m.episode_length},
              {"episode_reward", state_to_json(m.episode_reward)},
              {"agent_rewards", es::agent_rewards_json(m.agent_rewards)},
              {"custom_metrics", es::numbers_json(m.custom_metrics)},
              {"perf_stats", es::numbers_json(m.perf_stats)},
              {"hist_data", es::lists_json(m.hist_data)},
              {"media", m.media}};
}
inline RolloutMetrics metrics_from_json(const Json& json) {
  namespace es = episode_state;
  state_keys(json, {"episode_length", "episode_reward", "agent_rewards", "custom_metrics", "perf_stats", "hist_data", "media"});
  RolloutMetrics m;
  state_field(json, "episode_length", m.episode_length);
  state_field(json, "episode_reward", m.episode_reward);
  sj::at_path(".agent_rewards", [&] { m.agent_rewards = es::agent_rewards_from_json(field(json, "agent_rewards")); });
  sj::at_path(".custom_metrics", [&] { m.custom_metrics = es::numbers_from_json(field(json, "custom_metrics")); });
  sj::at_path(".perf_stats", [&] { m.perf_stats = es::numbers_from_json(field(json, "perf_stats")); });
  sj::at_path(".hist_data", [&] { m.hist_data = es::lists_from_json(field(json, "hist_data")); });
  m.media = field(json, "media");
  return m;
}

// Decodes element i of the array at `key` with `decode(element)`, errors at "state.key[i]".
template <class F>
void for_each_element(const Json& json, std::string_view key, std::size_t expected, F&& decode) {
  const Json& array = field(json, key);
  require(array.is_array(), key, "expected an array, got " + sj::describe(array));
  require(expected == std::size_t(-1) || array.size() == expected, key,
          "expected " + count_text(expected, "elements") + ", got " + std::to_string(array.size()));
  for (std::size_t i = 0; i < array.size(); ++i)
    sj::at_path(episode_state::index_path(episode_state::key_path(key), i), [&] { decode(array[i], i); });
}
}  // namespace worker_state

}  // namespace rlpp::detail
