#pragma once
// RescaleAction<E>: lets the agent act in [min_action, max_action] and maps each action affinely
// onto the inner env's Box bounds [low, high] (Gymnasium's RescaleAction):
//   inner = low + (high - low) * (action - min_action) / (max_action - min_action),
// then clipped to [low, high]. Its action space is Box(min_action, max_action). Allocation-free.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/wrappers/action_wrapper.hpp"
#include "rlpp/envs/wrappers/detail/elements.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

template <environment E>
class RescaleAction : public ActionWrapper<RescaleAction<E>, E> {
  static_assert(detail::numeric_value<action_t<E>>,
                "RescaleAction needs an env whose action type is a number, std::array or "
                "std::vector of numbers (a Box action); this env's action type is not one");

 public:
  // The same range for every element, e.g. RescaleAction(env, -1.0, 1.0).
  RescaleAction(E env, double min_action, double max_action)
      : RescaleAction(std::move(env), std::vector<double>{min_action},
                      std::vector<double>{max_action}) {}

  // One min and max per element (flat, row-major), or a single value each to broadcast.
  // SpaceError unless the inner action space is a bounded float32 Box; ConfigError unless
  // min_action < max_action for every element.
  RescaleAction(E env, std::vector<double> min_action, std::vector<double> max_action)
      : ActionWrapper<RescaleAction<E>, E>(std::move(env)),
        inner_(checked_inner(this->env_)),
        min_(broadcast(std::move(min_action), inner_.flat_size(), "min_action")),
        max_(broadcast(std::move(max_action), inner_.flat_size(), "max_action")),
        space_(checked_space()) {
    if constexpr (detail::fixed_size_value<action_t<E>>) {
      detail::check_element_count("RescaleAction", inner_, detail::element_count(action_t<E>{}));
    } else {
      buffer_.reserve(inner_.flat_size());
    }
  }

  Space action_space() const { return space_; }

  const std::vector<double>& min_action() const noexcept { return min_; }
  const std::vector<double>& max_action() const noexcept { return max_; }

  // The action mapped onto the inner bounds.
  const action_t<E>& action(const action_t<E>& requested) {
    if constexpr (!detail::fixed_size_value<action_t<E>>) {
      detail::check_action_size("RescaleAction", inner_, requested);
    }
    buffer_ = requested;
    const auto low = inner_.low();
    const auto high = inner_.high();
    std::size_t i = 0;
    detail::for_each_element(buffer_, [&](auto& x) {
      using T = std::remove_reference_t<decltype(x)>;
      const double mapped =
          low[i] + (high[i] - low[i]) * ((static_cast<double>(x) - min_[i]) / (max_[i] - min_[i]));
      x = static_cast<T>(std::clamp(mapped, low[i], high[i]));
      ++i;
    });
    return buffer_;
  }

 private:
  static Box checked_inner(const E& env) {
    Box box = detail::require_box(env.action_space(), "RescaleAction", "action",
                                  "RescaleAction maps onto Box bounds; a discrete action space has none");
    if (box.dtype() != DType::float32) {
      throw SpaceError("RescaleAction", "needs a float32 Box action space, got " + box.to_string());
    }
    if (!box.is_bounded()) {
      throw SpaceError("RescaleAction", "needs finite action bounds to map onto, got " + box.to_string(),
                       "put ClipAction outside RescaleAction, not inside");
    }
    return box;
  }

  static std::vector<double> broadcast(std::vector<double> values, std::size_t n, const char* name) {
    if (values.size() == 1 && n != 1) values.assign(n, values.front());
    if (values.size() != n) {
      throw ConfigError(std::string("RescaleAction.") + name,
                        "has " + std::to_string(values.size()) + " values; the action space has " +
                            std::to_string(n) + " elements",
                        "give one value, or one per element");
    }
    return values;
  }

  // Box(min_action, max_action), once every min < max is checked.
  Space checked_space() const {
    for (std::size_t i = 0; i < min_.size(); ++i) {
      if (!(min_[i] < max_[i]) || !std::isfinite(min_[i]) || !std::isfinite(max_[i])) {
        throw ConfigError("RescaleAction",
                          "min_action[" + std::to_string(i) + "] = " + std::to_string(min_[i]) +
                              " must be finite and < max_action[" + std::to_string(i) +
                              "] = " + std::to_string(max_[i]));
      }
    }
    return Box(min_, max_, inner_.shape(), DType::float32);
  }

  Box inner_;
  std::vector<double> min_;
  std::vector<double> max_;
  Space space_;
  action_t<E> buffer_{};
};

}  // namespace rlpp
