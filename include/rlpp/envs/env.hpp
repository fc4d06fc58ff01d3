#pragma once
// The single-agent environment concept, in the Gymnasium style. An env is any type with
//   observation_space(), action_space(), reset(seed) -> obs, step(action) -> Step<obs>.
// Nothing to inherit: rlpp adapts to the type (see envs/any_env.hpp for the type-erased form).

#include <concepts>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "rlpp/core/json.hpp"
#include "rlpp/spaces/flat_value.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// The outcome of one env step. `terminated`: the MDP reached a terminal state (do not bootstrap);
// `truncated`: the episode was cut short, e.g. by a time limit (bootstrap from `observation`).
// RLlib's `dones` is `terminated || truncated`, but rlpp keeps the two apart everywhere.
template <class Observation>
struct Step {
  Observation observation{};
  double reward = 0.0;
  bool terminated = false;
  bool truncated = false;
  Json info{};  // null unless the env reports something; costs nothing when unused

  bool done() const noexcept { return terminated || truncated; }
};

// What reset() may return when the env also has an info dict to report; plain observations are
// accepted too.
template <class Observation>
struct Reset {
  Observation observation{};
  Json info{};
};

// A seed for reset(): std::nullopt continues the env's random stream, a value reseeds it.
using Seed = std::optional<std::uint64_t>;

namespace detail {
template <class T> struct is_reset : std::false_type {};
template <class O> struct is_reset<Reset<O>> : std::true_type {};
template <class T> struct step_observation {};
template <class O> struct step_observation<Step<O>> { using type = O; };

template <class F> struct member_arg {};
template <class R, class C, class A> struct member_arg<R (C::*)(A)> { using type = std::remove_cvref_t<A>; };
template <class R, class C, class A> struct member_arg<R (C::*)(A) noexcept> { using type = std::remove_cvref_t<A>; };

template <class E> struct deduced_action { using type = typename member_arg<decltype(&E::step)>::type; };
template <class E> requires requires { typename E::action_type; }
struct deduced_action<E> { using type = typename E::action_type; };
}  // namespace detail

namespace detail {
template <class R> struct reset_observation { using type = R; };
template <class O> struct reset_observation<Reset<O>> { using type = O; };
}  // namespace detail

// The observation type: what reset() returns (or Reset<O>::observation).
template <class E>
using observation_t = typename detail::reset_observation<
    std::remove_cvref_t<decltype(std::declval<E&>().reset(Seed{}))>>::type;

// The action type: E::action_type if declared, else the parameter type of E::step.
template <class E>
using action_t = typename detail::deduced_action<E>::type;

template <class E>
concept environment = requires(E& env, const E& cenv, Seed seed) {
  { cenv.observation_space() } -> std::convertible_to<Space>;
  { cenv.action_space() } -> std::convertible_to<Space>;
  env.reset(seed);
  typename action_t<E>;
  { env.step(std::declval<const action_t<E>&>()) } -> std::same_as<Step<observation_t<E>>>;
} && flat_encodable<observation_t<E>> && flat_encodable<action_t<E>>;

// Envs whose full state can be read and restored (planners, tests, search): get_state() returns a
// value that set_state() accepts; after set_state(s), stepping reproduces what followed get_state().
template <class E>
concept stateful_environment = environment<E> && requires(E& env, const E& cenv) {
  { cenv.get_state() };
  env.set_state(cenv.get_state());
};

// The state type of a stateful env: what get_state() returns, by value.
template <stateful_environment E>
using env_state_t = std::remove_cvref_t<decltype(std::declval<const E&>().get_state())>;

// reset() result normalized to Reset<O>.
template <environment E>
Reset<observation_t<E>> reset_env(E& env, Seed seed) {
  if constexpr (detail::is_reset<decltype(env.reset(seed))>::value) {
    return env.reset(seed);
  } else {
    return Reset<observation_t<E>>{env.reset(seed), Json{}};
  }
}

}  // namespace rlpp
