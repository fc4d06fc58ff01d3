#pragma once
// Schedules: a value as a function of the timestep, RLlib's (rllib/utils/schedules/) — constant,
// polynomial/linear, exponential and piecewise-linear — plus `Schedule`, a small copyable
// handle to any of them, and RLlib's `lr_schedule: [[t, v], ...]` config reader.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp::nn {

template <class S>
concept schedule = std::copy_constructible<S> && requires(const S& s, double t) {
  { s.value(t) } -> std::convertible_to<double>;
};

class ConstantSchedule {
 public:
  explicit ConstantSchedule(double value) noexcept : value_(value) {}
  double value(double) const noexcept { return value_; }

 private:
  double value_;
};

// final_p + (initial_p - final_p) * (1 - min(t, T) / T)^power; after T it stays at final_p.
class PolynomialSchedule {
 public:
  PolynomialSchedule(double schedule_timesteps, double final_p, double initial_p = 1.0, double power = 2.0)
      : schedule_timesteps_(schedule_timesteps), final_p_(final_p), initial_p_(initial_p), power_(power) {
    if (!(schedule_timesteps > 0.0))
      throw Error("PolynomialSchedule", "schedule_timesteps must be > 0, got " + std::to_string(schedule_timesteps));
  }
  double value(double t) const noexcept {
    t = std::min(t, schedule_timesteps_);
    return final_p_ + (initial_p_ - final_p_) * std::pow(1.0 - t / schedule_timesteps_, power_);
  }

 private:
  double schedule_timesteps_, final_p_, initial_p_, power_;
};

// PolynomialSchedule with power 1: a straight line from initial_p at 0 to final_p at T.
class LinearSchedule : public PolynomialSchedule {
 public:
  LinearSchedule(double schedule_timesteps, double final_p, double initial_p = 1.0)
      : PolynomialSchedule(schedule_timesteps, final_p, initial_p, 1.0) {}
};

// initial_p * decay_rate^(t / T): multiplied by decay_rate every T timesteps, without end.
class ExponentialSchedule {
 public:
  ExponentialSchedule(double schedule_timesteps, double initial_p = 1.0, double decay_rate = 0.1)
      : schedule_timesteps_(schedule_timesteps), initial_p_(initial_p), decay_rate_(decay_rate) {
    if (!(schedule_timesteps > 0.0))
      throw Error("ExponentialSchedule", "schedule_timesteps must be > 0, got " + std::to_string(schedule_timesteps));
  }
  double value(double t) const noexcept { return initial_p_ * std::pow(decay_rate_, t / schedule_timesteps_); }

 private:
  double schedule_timesteps_, initial_p_, decay_rate_;
};

// Linear interpolation between (t, value) endpoints sorted by t: for l_t <= t < r_t,
// l + (t - l_t) / (r_t - l_t) * (r - l). Elsewhere (before the first endpoint, at or after the
// last) the value is outside_value; without one, such a t is an Error.
class PiecewiseSchedule {
 public:
  explicit PiecewiseSchedule(std::vector<std::pair<double, double>> endpoints,
                             std::optional<double> outside_value = std::nullopt)
      : endpoints_(std::move(endpoints)), outside_value_(outside_value) {
    if (endpoints_.empty()) throw Error("PiecewiseSchedule", "needs at least one (timestep, value) endpoint");
    for (std::size_t i = 1; i < endpoints_.size(); ++i)
      if (endpoints_[i].first < endpoints_[i - 1].first)
        throw Error("PiecewiseSchedule", "endpoint timesteps must be ascending: " +
                                             std::to_string(endpoints_[i].first) + " comes after " +
                                             std::to_string(endpoints_[i - 1].first));
  }

  double value(double t) const {
    for (std::size_t i = 1; i < endpoints_.size(); ++i) {
      const auto [left_t, left] = endpoints_[i - 1];
      const auto [right_t, right] = endpoints_[i];
      if (left_t <= t && t < right_t) {
        const double alpha = (t - left_t) / (right_t - left_t);
        return left + alpha * (right - left);
      }
    }
    if (!outside_value_)
      throw Error("PiecewiseSchedule", "timestep " + std::to_string(t) + " is outside the endpoints [" +
                                           std::to_string(endpoints_.front().first) + ", " +
                                           std::to_string(endpoints_.back().first) + ")",
                  "give an outside_value");
    return *outside_value_;
  }

  const std::vector<std::pair<double, double>>& endpoints() const noexcept { return endpoints_; }
  std::optional<double> outside_value() const noexcept { return outside_value_; }

 private:
  std::vector<std::pair<double, double>> endpoints_;
  std::optional<double> outside_value_;
};

// Any schedule behind one small, copyable value. Copies share the (immutable) schedule, so
// copying and value(t) never allocate; a constant is held inline.
class Schedule {
 public:
  // The constant 0.
  Schedule() noexcept = default;

  // (Schedule itself is excluded first, so that checking the concept for a copy does not recurse.)
  template <class S>
    requires(!std::same_as<std::remove_cvref_t<S>, Schedule> && schedule<S>)
  Schedule(S s) {  // NOLINT(google-explicit-constructor): any schedule is a Schedule
    if constexpr (std::same_as<S, ConstantSchedule>) constant_ = s.value(0.0);
    else impl_ = std::make_shared<const Model<S>>(std::move(s));
  }

  double value(double t) const { return impl_ ? impl_->value(t) : constant_; }
  double operator()(double t) const { return value(t); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual double value(double t) const = 0;
  };
  template <class S>
  struct Model final : Concept {
    explicit Model(S s) : schedule(std::move(s)) {}
    double value(double t) const override { return static_cast<double>(schedule.value(t)); }
    S schedule;
  };

  std::shared_ptr<const Concept> impl_;
  double constant_ = 0.0;
};

// RLlib's learning-rate schedule (rllib/policy/torch_mixins.py, LearningRateSchedule): with
// `lr_schedule` null, the constant `lr`; otherwise a PiecewiseSchedule over the [[t, v], ...]
// pairs whose outside value is the last v (and `lr` is not used). `path` names the key in errors,
// so the same reader serves entropy_coeff_schedule.
inline Schedule lr_schedule_from_config(const Json& lr_schedule, double lr,
                                        std::string_view path = "config.lr_schedule") {
  if (lr_schedule.is_null()) return ConstantSchedule(lr);
  const std::string where(path);
  if (!lr_schedule.is_array() || lr_schedule.empty())
    throw ConfigError(where, "expected null or a non-empty list of [timestep, value] pairs, got " +
                                 describe_json(lr_schedule),
                      "e.g. [[0, 0.001], [1000000, 0.0001]]");
  std::vector<std::pair<double, double>> endpoints;
  endpoints.reserve(lr_schedule.size());
  for (std::size_t i = 0; i < lr_schedule.size(); ++i) {
    const Json& pair = lr_schedule[i];
    const std::string item = where + "[" + std::to_string(i) + "]";
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number())
      throw ConfigError(item, "expected a [timestep, value] pair of numbers, got " + describe_json(pair));
    const double t = pair[0].get<double>();
    if (!endpoints.empty() && t < endpoints.back().first)
      throw ConfigError(item, "timesteps must be ascending: " + describe_json(pair[0]) + " comes after " +
                                  describe_json(lr_schedule[i - 1][0]));
    endpoints.emplace_back(t, pair[1].get<double>());
  }
  const double last = endpoints.back().second;
  return PiecewiseSchedule(std::move(endpoints), last);
}

}  // namespace rlpp::nn
