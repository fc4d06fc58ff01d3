#pragma once
// ActionWrapper<Derived, E, Action>: the CRTP base for wrappers that transform actions before
// the inner env sees them (Gymnasium's gym.ActionWrapper). Derived defines
//   action_t<E> action(const Action& a);  // may return a reference to a reused buffer
//   Space action_space() const;           // the space of the actions it accepts
// `Action` is the type the wrapper accepts; it defaults to the inner env's action type.

#include <concepts>

#include "rlpp/envs/env.hpp"
#include "rlpp/envs/wrappers/wrapper.hpp"

namespace rlpp {

namespace detail {
template <class Derived, class Action, class InnerAction>
concept action_transform = requires(Derived& d, const Action& a) {
  { d.action(a) } -> std::convertible_to<const InnerAction&>;
};
}  // namespace detail

template <class Derived, environment E, class Action = action_t<E>>
class ActionWrapper : public Wrapper<E> {
 public:
  using action_type = Action;
  using Wrapper<E>::Wrapper;

  Step<observation_t<E>> step(const Action& action) {
    if constexpr (!detail::action_transform<Derived, Action, action_t<E>>) {
      static_assert(detail::action_transform<Derived, Action, action_t<E>>,
                    "a class derived from ActionWrapper must define action(a), taking the "
                    "wrapper's action type and returning the inner env's");
      return {};
    } else {
      return this->env_.step(static_cast<Derived&>(*this).action(action));
    }
  }
};

}  // namespace rlpp
