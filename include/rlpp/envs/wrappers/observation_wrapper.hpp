#pragma once
// ObservationWrapper<Derived, E>: the CRTP base for wrappers that transform observations
// (Gymnasium's gym.ObservationWrapper). Derived defines
//   NewObs observation(Obs obs);      // applied to reset()'s and every step()'s observation
//   Space observation_space() const;  // if the space changes
// and the base does the forwarding. The observation arrives as an rvalue, so a transform that
// keeps the type can work in place and return it without allocating.

#include <type_traits>
#include <utility>

#include "rlpp/envs/env.hpp"
#include "rlpp/envs/wrappers/wrapper.hpp"

namespace rlpp {

namespace detail {
template <class Derived, class Observation>
concept observation_transform = requires(Derived& d, Observation obs) { d.observation(std::move(obs)); };
}  // namespace detail

template <class Derived, environment E>
class ObservationWrapper : public Wrapper<E> {
 public:
  using Wrapper<E>::Wrapper;

  auto reset(Seed seed) {
    if constexpr (!detail::observation_transform<Derived, observation_t<E>>) {
      static_assert(detail::observation_transform<Derived, observation_t<E>>,
                    "a class derived from ObservationWrapper must define observation(obs), taking "
                    "the inner env's observation and returning the new one");
      return Reset<observation_t<E>>{};
    } else {
      auto result = reset_env(this->env_, seed);
      using Out = std::remove_cvref_t<decltype(derived().observation(std::move(result.observation)))>;
      return Reset<Out>{derived().observation(std::move(result.observation)), std::move(result.info)};
    }
  }

  auto step(const action_t<E>& action) {
    if constexpr (!detail::observation_transform<Derived, observation_t<E>>) {
      static_assert(detail::observation_transform<Derived, observation_t<E>>,
                    "a class derived from ObservationWrapper must define observation(obs), taking "
                    "the inner env's observation and returning the new one");
      return Step<observation_t<E>>{};
    } else {
      auto result = this->env_.step(action);
      using Out = std::remove_cvref_t<decltype(derived().observation(std::move(result.observation)))>;
      return Step<Out>{derived().observation(std::move(result.observation)), result.reward,
                       result.terminated, result.truncated, std::move(result.info)};
    }
  }

 private:
  Derived& derived() noexcept { return static_cast<Derived&>(*this); }
};

}  // namespace rlpp
