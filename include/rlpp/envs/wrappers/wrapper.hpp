#pragma once
// Wrapper<E>: the base of every env wrapper (Gymnasium's gym.Wrapper). It owns the inner env,
// forwards the spaces, reset(), step() and, when the inner env is stateful, get_state() and
// set_state(); a wrapper overrides what it changes. For the common cases derive from the CRTP
// bases instead: ObservationWrapper, RewardWrapper, ActionWrapper.

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

namespace detail {
// The state type of a stateful env, or this empty type (so that wrappers can name a state
// type for any inner env; their get_state() exists only when the inner env is stateful).
struct no_state {
  friend constexpr bool operator==(no_state, no_state) noexcept { return true; }
  friend void to_json(Json& json, no_state) { json = nullptr; }
  friend void from_json(const Json&, no_state&) {}
};
template <class E> struct inner_state { using type = no_state; };
template <stateful_environment E> struct inner_state<E> {
  using type = std::remove_cvref_t<decltype(std::declval<const E&>().get_state())>;
};

template <class E>
constexpr auto& unwrap(E& env) noexcept {
  if constexpr (requires { env.unwrapped(); }) {
    return env.unwrapped();
  } else {
    return env;
  }
}

// The Box a wrapper needs (copied: the Space it comes from may be a temporary), or a SpaceError
// naming the wrapper and the space it got instead.
inline Box require_box(const Space& space, std::string_view wrapper, std::string_view role,
                       std::string_view fix = {}) {
  if (const Box* box = space.get_if<Box>()) return *box;
  throw SpaceError(std::string(wrapper),
                   "needs a Box " + std::string(role) + " space, got " + space.to_string(),
                   std::string(fix));
}
}  // namespace detail

// What get_state() of the inner env returns (detail::no_state when it has none).
template <class E>
using inner_state_t = typename detail::inner_state<E>::type;

template <environment E>
class Wrapper {
 public:
  using inner_type = E;
  using action_type = action_t<E>;

  explicit Wrapper(E env) : env_(std::move(env)) {}

  // The env this wrapper wraps, and the innermost env under all wrappers.
  E& inner() noexcept { return env_; }
  const E& inner() const noexcept { return env_; }
  auto& unwrapped() noexcept { return detail::unwrap(env_); }
  const auto& unwrapped() const noexcept { return detail::unwrap(env_); }

  Space observation_space() const { return env_.observation_space(); }
  Space action_space() const { return env_.action_space(); }

  auto reset(Seed seed) { return env_.reset(seed); }
  Step<observation_t<E>> step(const action_type& action) { return env_.step(action); }

  // Present only when the inner env is stateful. Wrappers with state of their own hide these
  // with versions that bundle it with the inner env's.
  inner_state_t<E> get_state() const requires stateful_environment<E> { return env_.get_state(); }
  void set_state(const inner_state_t<E>& state) requires stateful_environment<E> {
    env_.set_state(state);
  }

 protected:
  E env_;
};

// The state of a wrapper with state of its own: the inner env's state plus the wrapper's.
template <class InnerState, class Own>
struct WrapperState {
  InnerState inner{};
  Own own{};
  friend bool operator==(const WrapperState&, const WrapperState&) = default;
  // Exact JSON (envs/state_json.hpp): {"inner": ..., "own": ...}.
  friend void to_json(Json& json, const WrapperState& state)
    requires json_state<InnerState> && json_state<Own>
  {
    json = Json{{"inner", state_to_json(state.inner)}, {"own", state_to_json(state.own)}};
  }
  friend void from_json(const Json& json, WrapperState& state)
    requires json_state<InnerState> && json_state<Own>
  {
    state_keys(json, {"inner", "own"});
    state_field(json, "inner", state.inner);
    state_field(json, "own", state.own);
  }
};

}  // namespace rlpp
