#pragma once
// How a rollout worker talks to its envs: Box actions scaled or clipped to the bounds, and the
// hard horizon as a wrapper whose state a checkpoint can carry (rollout_worker.hpp).

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
// Box actions: unsquashed from [-1, 1] (normalize_actions) or clipped (clip_actions) to the
// bounds for the env; other spaces pass through.
struct ActionBounds {
  std::vector<double> low, high;
  bool normalize = false, clip = false;

  ActionBounds() = default;
  ActionBounds(const Space& space, const Config& config) {
    const auto* box = space.get_if<Box>();
    if (box && box->dtype() == DType::float32) {
      low.assign(box->low().begin(), box->low().end());
      high.assign(box->high().begin(), box->high().end());
      normalize = config.get<bool>("normalize_actions");
      clip = config.get<bool>("clip_actions");
    }
  }
  void apply(std::span<float> actions) const {
    if (low.empty()) return;
    const std::size_t width = low.size();
    for (std::size_t k = 0; k < actions.size(); ++k) {
      const std::size_t j = k % width;
      float a = actions[k];
      if (normalize && std::isfinite(low[j]) && std::isfinite(high[j]))
        a = static_cast<float>(low[j] + (std::clamp(static_cast<double>(a), -1.0, 1.0) + 1.0) * 0.5 * (high[j] - low[j]));
      else if (clip)
        a = static_cast<float>(std::clamp(static_cast<double>(a), low[j], high[j]));
      actions[k] = a;
    }
  }
};

// The hard horizon over a stateful env: TimeLimit<AnyEnv>, with a state the worker can save
// (TimeLimit's is WrapperState<Json, ...>, which envs/state_json.hpp cannot encode, so a
// TimeLimit<AnyEnv> does not support state). Envs without state get TimeLimit itself.
class HardHorizon : public Wrapper<AnyEnv> {
 public:
  struct State {
    Json inner;  // the env's AnyEnv::get_state()
    std::int64_t elapsed_steps = 0;
    friend void to_json(Json& json, const State& state) {
      json = Json{{"inner", state.inner}, {"elapsed_steps", state.elapsed_steps}};
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"inner", "elapsed_steps"});
      if (!json.contains("inner")) state_json::fail("missing key 'inner'");
      state.inner = json["inner"];
      state_field(json, "elapsed_steps", state.elapsed_steps);
    }
  };

  HardHorizon(AnyEnv env, std::int64_t horizon) : Wrapper<AnyEnv>(std::move(env)), horizon_(horizon) {}
  Reset<std::vector<float>> reset(Seed seed) {
    elapsed_steps_ = 0;
    return env_.reset(seed);
  }
  Step<std::vector<float>> step(const std::vector<float>& action) {
    Step<std::vector<float>> result = env_.step(action);
    if (++elapsed_steps_ >= horizon_) result.truncated = true;
    return result;
  }
  State get_state() const { return {env_.get_state(), elapsed_steps_}; }
  void set_state(const State& state) {
    env_.set_state(state.inner);
    elapsed_steps_ = state.elapsed_steps;
  }

 private:
  std::int64_t horizon_;
  std::int64_t elapsed_steps_ = 0;
};

}  // namespace rlpp::detail
