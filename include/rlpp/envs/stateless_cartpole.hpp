#pragma once
// StatelessCartPole: RLlib's partially observable CartPole (rllib/examples/envs/classes/
// stateless_cartpole.py): CartPole-v1 whose observation drops both velocities and keeps
// [x, theta], so that only a policy with memory (an LSTM, attention, frame stacking) can solve it.
// Dynamics, rewards, limits, env_config and get_state/set_state are CartPole's.

#include <array>
#include <cstdint>

#include "rlpp/envs/classic_control/cartpole.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/spaces/box.hpp"
#include "rlpp/spaces/discrete.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class StatelessCartPole {
 public:
  using action_type = CartPole::action_type;
  using observation_type = std::array<float, 2>;  // x, theta
  using State = CartPole::State;

  StatelessCartPole() = default;
  // env_config: as CartPole ("max_episode_steps", default 500).
  explicit StatelessCartPole(const EnvContext& ctx) : env_(ctx) {}

  // Box([-4.8, -0.419], [4.8, 0.419]) float32: CartPole's bounds for x and theta.
  Space observation_space() const {
    static const Space space = Box({-CartPole::x_threshold * 2, -CartPole::theta_threshold_radians * 2},
                                   {CartPole::x_threshold * 2, CartPole::theta_threshold_radians * 2});
    return space;
  }
  Space action_space() const { return env_.action_space(); }
  std::int64_t max_episode_steps() const noexcept { return env_.max_episode_steps(); }

  observation_type reset(Seed seed = std::nullopt) { return stateless(env_.reset(seed)); }

  Step<observation_type> step(const action_type& action) {
    Step<CartPole::observation_type> full = env_.step(action);
    Step<observation_type> result;
    result.observation = stateless(full.observation);
    result.reward = full.reward;
    result.terminated = full.terminated;
    result.truncated = full.truncated;
    result.info = std::move(full.info);
    return result;
  }

  State get_state() const { return env_.get_state(); }
  void set_state(const State& state) { env_.set_state(state); }

 private:
  static observation_type stateless(const CartPole::observation_type& obs) noexcept {
    return {obs[0], obs[2]};
  }

  CartPole env_;
};

}  // namespace rlpp
