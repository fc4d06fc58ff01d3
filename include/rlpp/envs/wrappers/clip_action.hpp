#pragma once
// ClipAction<E>: clips every action to the inner env's Box bounds before stepping (Gymnasium's
// ClipAction). Its own action space is Box(-inf, inf) of the same shape and dtype, since any
// action is now valid (Gymnasium >= 1.0). Allocation-free: the clipped action is written into a
// buffer kept across steps.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "rlpp/core/error.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/wrappers/action_wrapper.hpp"
#include "rlpp/envs/wrappers/detail/elements.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

template <environment E>
class ClipAction : public ActionWrapper<ClipAction<E>, E> {
  static_assert(detail::numeric_value<action_t<E>>,
                "ClipAction needs an env whose action type is a number, std::array or std::vector "
                "of numbers (a Box action); this env's action type is not one");

 public:
  // SpaceError if the inner action space is not a Box.
  explicit ClipAction(E env)
      : ActionWrapper<ClipAction<E>, E>(std::move(env)),
        bounds_(detail::require_box(this->env_.action_space(), "ClipAction", "action")),
        space_(Box(-INFINITY, INFINITY, bounds_.shape(), bounds_.dtype())) {
    if constexpr (detail::fixed_size_value<action_t<E>>) {
      detail::check_element_count("ClipAction", bounds_, detail::element_count(action_t<E>{}));
    } else {
      buffer_.reserve(bounds_.flat_size());
    }
  }

  Space action_space() const { return space_; }

  // The action clipped to [low, high], element by element.
  const action_t<E>& action(const action_t<E>& requested) {
    if constexpr (!detail::fixed_size_value<action_t<E>>) {
      detail::check_action_size("ClipAction", bounds_, requested);
    }
    buffer_ = requested;
    const auto low = bounds_.low();
    const auto high = bounds_.high();
    std::size_t i = 0;
    detail::for_each_element(buffer_, [&](auto& x) {
      using T = std::remove_reference_t<decltype(x)>;
      x = static_cast<T>(std::clamp(static_cast<double>(x), low[i], high[i]));
      ++i;
    });
    return buffer_;
  }

 private:
  Box bounds_;
  Space space_;
  action_t<E> buffer_{};
};

}  // namespace rlpp
