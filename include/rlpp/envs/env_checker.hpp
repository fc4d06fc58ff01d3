#pragma once
// EnvChecker validates what crosses the env boundary: actions against the action space,
// observations against the observation space (NaN/inf, bounds), rewards (finite). Errors are
// EnvErrors that name the env, the sub-env index, the step and the offending values.
// Checking is on by default everywhere and can be switched off for speed.

#include <cmath>
#include <cstdio>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class EnvChecker {
 public:
  EnvChecker(std::string env_name, Space observation_space, Space action_space)
      : env_name_(std::move(env_name)),
        observation_space_(std::move(observation_space)),
        action_space_(std::move(action_space)),
        observation_fast_(observation_space_),
        action_fast_(action_space_) {}

  const std::string& env_name() const noexcept { return env_name_; }

  void check_action(std::span<const float> flat_action, std::size_t env_index, std::int64_t step) const {
    if (action_fast_.passes(flat_action)) return;
    if (!action_space_.contains(flat_action)) {
      throw EnvError(where(env_index, step), "action " + render(flat_action) + " is not in " + action_space_.to_string(),
                     "the policy must produce actions of the env's action space; for Box actions use "
                     "clip_actions or normalize_actions");
    }
  }

  // `when`: "reset" or "step".
  void check_observation(std::span<const float> flat_obs, std::size_t env_index, std::int64_t step,
                         const char* when) const {
    if (observation_fast_.passes(flat_obs)) return;
    for (std::size_t i = 0; i < flat_obs.size(); ++i) {
      if (!std::isfinite(flat_obs[i])) {
        throw EnvError(where(env_index, step),
                       std::string("observation from ") + when + " contains " + (std::isnan(flat_obs[i]) ? "NaN" : "inf") +
                           " at index " + std::to_string(i) + ": " + render(flat_obs),
                       "fix the env's dynamics, or set check_env to false to let it through");
      }
    }
    if (!observation_space_.contains(flat_obs)) {
      throw EnvError(where(env_index, step),
                     std::string("observation from ") + when + " " + render(flat_obs) + " is not in " +
                         observation_space_.to_string(),
                     "make observation_space() describe what the env returns, or set check_env to false");
    }
  }

  void check_reward(double reward, std::size_t env_index, std::int64_t step) const {
    if (!std::isfinite(reward)) {
      throw EnvError(where(env_index, step), "reward is " + std::string(std::isnan(reward) ? "NaN" : "inf"),
                     "fix the env's reward, or set check_env to false to let it through");
    }
  }

  [[noreturn]] void fail_step_before_reset(std::size_t env_index) const {
    throw EnvError(where(env_index, -1), "step() called before reset()", "call reset() first");
  }

 private:
  std::string where(std::size_t env_index, std::int64_t step) const {
    std::string text = "env '" + env_name_ + "' (sub-env " + std::to_string(env_index);
    if (step >= 0) text += ", step " + std::to_string(step);
    return text + ")";
  }

  static std::string render(std::span<const float> values) {
    std::string text = "[";
    const std::size_t shown = values.size() < 8 ? values.size() : 8;
    for (std::size_t i = 0; i < shown; ++i) {
      if (i) text += ", ";
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%g", static_cast<double>(values[i]));
      text += buffer;
    }
    if (shown < values.size()) text += ", ... (" + std::to_string(values.size()) + " values)";
    return text + "]";
  }

  // A quick accept test for the common spaces (float Box, Discrete): one pass over float
  // bounds that also rejects NaN and inf. Anything it does not accept goes through the full
  // check, which explains the failure.
  class FastCheck {
   public:
    explicit FastCheck(const Space& space) {
      if (const Box* box = space.get_if<Box>(); box && box->dtype() == DType::float32) {
        kind_ = Kind::box;
        low_.assign(box->low().begin(), box->low().end());
        high_.assign(box->high().begin(), box->high().end());
      } else if (const Discrete* discrete = space.get_if<Discrete>()) {
        kind_ = Kind::discrete;
        low_ = {static_cast<float>(discrete->start())};
        high_ = {static_cast<float>(discrete->start() + discrete->n() - 1)};
      }
    }
    bool passes(std::span<const float> values) const noexcept {
      if (kind_ == Kind::none || values.size() != low_.size()) return false;
      bool ok = true;
      for (std::size_t i = 0; i < values.size(); ++i) {
        const float v = values[i];
        ok &= std::isfinite(v) && v >= low_[i] && v <= high_[i];
      }
      // Only now is the value known to be finite and in range, so the integer cast is defined.
      if (ok && kind_ == Kind::discrete) ok = values[0] == static_cast<float>(static_cast<std::int64_t>(values[0]));
      return ok;
    }

   private:
    enum class Kind { none, box, discrete };
    Kind kind_ = Kind::none;
    std::vector<float> low_, high_;
  };

  std::string env_name_;
  Space observation_space_;
  Space action_space_;
  FastCheck observation_fast_;
  FastCheck action_fast_;
};

}  // namespace rlpp
