#pragma once
// NormalizeObservation<E>: scales Box observations to zero mean and unit variance with running
// statistics (Gymnasium's NormalizeObservation):
//   out = (obs - mean) / sqrt(var + epsilon),  epsilon = 1e-8,
// the statistics being updated with each observation first (reset()'s included) unless frozen.
// Observations come out as float32 (same structure: float, std::array<float, N>,
// std::vector<float>), and the space becomes Box(-inf, inf) of the same shape, float32.
// Allocation-free for fixed-size observations; a std::vector<float> observation is normalized in
// place and handed on, so the wrapper adds no allocation to the inner env's.

#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/envs/wrappers/detail/elements.hpp"
#include "rlpp/envs/wrappers/observation_wrapper.hpp"
#include "rlpp/envs/wrappers/running_mean_std.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

template <environment E>
class NormalizeObservation : public ObservationWrapper<NormalizeObservation<E>, E> {
  using Base = ObservationWrapper<NormalizeObservation<E>, E>;
  static_assert(detail::numeric_value<observation_t<E>>,
                "NormalizeObservation needs an env whose observation type is a number, std::array "
                "or std::vector of numbers (a Box observation); this env's is not one");

 public:
  using observation_type = detail::with_float_scalars_t<observation_t<E>>;
  struct Own {
    RunningMeanStd obs_rms;
    bool update_running_mean = true;
    friend bool operator==(const Own&, const Own&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const Own& own) {
      json = Json{{"obs_rms", {{"mean", state_to_json(own.obs_rms.mean)},
                               {"var", state_to_json(own.obs_rms.var)},
                               {"count", state_to_json(own.obs_rms.count)}}},
                  {"update_running_mean", own.update_running_mean}};
    }
    friend void from_json(const Json& json, Own& own) {
      state_keys(json, {"obs_rms", "update_running_mean"});
      detail::state_json::at_path(".obs_rms", [&] {
        const Json* rms = json.is_object() && json.contains("obs_rms") ? &json["obs_rms"] : nullptr;
        if (rms == nullptr) detail::state_json::fail("missing");
        state_keys(*rms, {"mean", "var", "count"});
        state_field(*rms, "mean", own.obs_rms.mean);
        state_field(*rms, "var", own.obs_rms.var);
        state_field(*rms, "count", own.obs_rms.count);
      });
      state_field(json, "update_running_mean", own.update_running_mean);
    }
  };
  using state_type = WrapperState<inner_state_t<E>, Own>;

  // SpaceError unless the inner observation space is a Box.
  explicit NormalizeObservation(E env, double epsilon = 1e-8)
      : Base(std::move(env)),
        inner_(detail::require_box(this->env_.observation_space(), "NormalizeObservation",
                                   "observation",
                                   "one-hot encode discrete observations instead of normalizing")),
        space_(Box(-INFINITY, INFINITY, inner_.shape(), DType::float32)),
        epsilon_(epsilon),
        own_{RunningMeanStd(inner_.flat_size()), true},
        scratch_(inner_.flat_size()) {
    if constexpr (detail::fixed_size_value<observation_t<E>>) {
      detail::check_element_count("NormalizeObservation", inner_,
                                  detail::element_count(observation_t<E>{}), "observation");
    }
  }

  Space observation_space() const { return space_; }

  // Called by the base on every observation.
  observation_type observation(observation_t<E>&& obs) {
    if constexpr (!detail::fixed_size_value<observation_t<E>>) {
      const std::size_t count = detail::element_count(obs);
      if (count != scratch_.size()) {
        throw EnvError("NormalizeObservation",
                       "the inner env returned an observation of " + std::to_string(count) +
                           " elements; its space " + inner_.to_string() + " has " +
                           std::to_string(scratch_.size()));
      }
    }
    if (own_.update_running_mean) {
      std::size_t i = 0;
      detail::for_each_element(obs, [&](auto x) { scratch_[i++] = static_cast<double>(x); });
      own_.obs_rms.update(scratch_);
    }
    const auto& rms = own_.obs_rms;
    std::size_t i = 0;
    const auto normalize = [&](double x) {
      const double out = (x - rms.mean[i]) / std::sqrt(rms.var[i] + epsilon_);
      ++i;
      return static_cast<float>(out);
    };
    if constexpr (std::is_same_v<observation_type, observation_t<E>>) {
      // Already float: normalize in place and hand the same storage on.
      detail::for_each_element(obs, [&](float& x) { x = normalize(x); });
      return std::move(obs);
    } else {
      observation_type out{};
      detail::match_structure(obs, out);
      detail::zip_elements(obs, out, [&](auto x, float& y) { y = normalize(static_cast<double>(x)); });
      return out;
    }
  }

  // The running statistics, e.g. to average them across workers and set them back.
  const RunningMeanStd& obs_rms() const noexcept { return own_.obs_rms; }
  // SpaceError unless the statistics have one element per observation element.
  void set_obs_rms(RunningMeanStd statistics) {
    check_statistics(statistics);
    own_.obs_rms = std::move(statistics);
  }
  // false freezes the statistics (e.g. for evaluation); observations are still normalized.
  bool update_running_mean() const noexcept { return own_.update_running_mean; }
  void update_running_mean(bool update) noexcept { own_.update_running_mean = update; }
  double epsilon() const noexcept { return epsilon_; }

  state_type get_state() const requires stateful_environment<E> {
    return {this->env_.get_state(), own_};
  }
  // SpaceError (before anything changes) if the statistics do not fit the observation.
  void set_state(const state_type& state) requires stateful_environment<E> {
    check_statistics(state.own.obs_rms);
    this->env_.set_state(state.inner);
    own_.obs_rms = state.own.obs_rms;
    own_.update_running_mean = state.own.update_running_mean;
  }

 private:
  void check_statistics(const RunningMeanStd& statistics) const {
    if (statistics.mean.size() != scratch_.size() || statistics.var.size() != scratch_.size()) {
      throw SpaceError("NormalizeObservation",
                       "statistics have " + std::to_string(statistics.mean.size()) + " means and " +
                           std::to_string(statistics.var.size()) + " variances; the observation has " +
                           std::to_string(scratch_.size()) + " elements");
    }
  }

  Box inner_;
  Space space_;
  double epsilon_;
  Own own_;
  std::vector<double> scratch_;  // the observation as doubles, for the statistics update
};

}  // namespace rlpp
