#pragma once
// RewardWrapper<Derived, E>: the CRTP base for wrappers that transform rewards (Gymnasium's
// gym.RewardWrapper). Derived defines `double reward(double r)`; the base applies it to every
// step's reward and forwards everything else.

#include <concepts>

#include "rlpp/envs/env.hpp"
#include "rlpp/envs/wrappers/wrapper.hpp"

namespace rlpp {

namespace detail {
template <class Derived>
concept reward_transform = requires(Derived& d, double r) { { d.reward(r) } -> std::convertible_to<double>; };
}  // namespace detail

template <class Derived, environment E>
class RewardWrapper : public Wrapper<E> {
 public:
  using Wrapper<E>::Wrapper;

  Step<observation_t<E>> step(const action_t<E>& action) {
    auto result = this->env_.step(action);
    if constexpr (!detail::reward_transform<Derived>) {
      static_assert(detail::reward_transform<Derived>,
                    "a class derived from RewardWrapper must define reward(double) returning the "
                    "new reward");
    } else {
      result.reward = static_cast<Derived&>(*this).reward(result.reward);
    }
    return result;
  }
};

}  // namespace rlpp
