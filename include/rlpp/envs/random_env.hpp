#pragma once
// RandomEnv: an env that ignores its actions and samples observations and rewards from
// configurable spaces (RLlib's examples/env/random_env.py). Used to exercise rollout code on any
// combination of spaces, and in benchmarks as an env that costs next to nothing.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/spaces/detail/common.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// Observations and actions are std::vector<float> in the flat encoding of their spaces (a
// Discrete value is one float holding the integer; see rlpp/spaces/space.hpp). Each step:
// truncated once max_episode_len steps are reached, else terminated with probability
// p_terminated; then a fresh observation and a reward (sampled from reward_space, which must
// have one element).
//
// env_config            default                       meaning
// observation_space     {"type":"Discrete","n":2}     Space JSON
// action_space          {"type":"Discrete","n":2}     Space JSON
// reward_space          Box(-1, 1, shape ())          Space JSON, flat size 1
// p_terminated          0.1 (or "p_done")             chance that a step terminates
// max_episode_len       null                          truncate after this many steps (0/null: never)
// check_action_bounds   false                         an action outside action_space is an EnvError
// static_samples        false                         sample the observation and reward once, at
//                                                     construction, and always return those
class RandomEnv {
 public:
  using observation_type = std::vector<float>;
  using action_type = std::vector<float>;

  struct State {
    RandomStream rng{0};
    std::int64_t steps = 0;
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["rng"] = state_to_json(state.rng);
      json["steps"] = state_to_json(state.steps);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"rng", "steps"});
      state_field(json, "rng", state.rng);
      state_field(json, "steps", state.steps);
    }
  };

  RandomEnv() : RandomEnv(EnvContext{}) {}

  // ConfigError / SpaceError naming the env_config key on a bad value.
  explicit RandomEnv(const EnvContext& context)
      : observation_space_(read_space(context, "observation_space", Discrete(2))),
        action_space_(read_space(context, "action_space", Discrete(2))),
        reward_space_(read_space(context, "reward_space", Box(-1.0, 1.0, {}))),
        check_action_bounds_(context.get<bool>("check_action_bounds", false)),
        static_samples_(context.get<bool>("static_samples", false)) {
    const Config config = context.config();
    // RLlib: p_terminated, falling back to the older name p_done, then to 0.1.
    const char* p_key = config.contains("p_terminated") && !config.json()["p_terminated"].is_null()
                            ? "p_terminated"
                            : "p_done";
    p_terminated_ = config.contains(p_key) && !config.json()[p_key].is_null()
                        ? config.number_in(p_key, 0.0, 1.0)
                        : 0.1;
    const auto max_len = context.get<std::optional<std::int64_t>>("max_episode_len", std::nullopt);
    if (max_len && *max_len < 0) {
      throw ConfigError("env_config.max_episode_len",
                        "expected an integer >= 0 or null, got " + std::to_string(*max_len),
                        "0 or null means no limit");
    }
    max_episode_len_ = max_len.value_or(0);
    state_.rng = RandomStream(0, static_cast<std::uint64_t>(context.worker_index),
                              static_cast<std::uint64_t>(context.vector_index), "RandomEnv");
    init();
  }

  // A RandomEnv over the given spaces, other settings at their defaults.
  RandomEnv(Space observation_space, Space action_space, double p_terminated = 0.1,
            std::int64_t max_episode_len = 0)
      : observation_space_(std::move(observation_space)),
        action_space_(std::move(action_space)),
        reward_space_(Box(-1.0, 1.0, {})),
        p_terminated_(p_terminated),
        max_episode_len_(max_episode_len) {
    if (!(p_terminated >= 0.0 && p_terminated <= 1.0)) {
      throw ConfigError("RandomEnv", "p_terminated must be in [0, 1], got " + std::to_string(p_terminated));
    }
    if (max_episode_len < 0) {
      throw ConfigError("RandomEnv", "max_episode_len must be >= 0, got " + std::to_string(max_episode_len));
    }
    init();
  }

  Space observation_space() const { return observation_space_; }
  Space action_space() const { return action_space_; }
  const Space& reward_space() const noexcept { return reward_space_; }
  double p_terminated() const noexcept { return p_terminated_; }
  std::int64_t max_episode_len() const noexcept { return max_episode_len_; }
  bool check_action_bounds() const noexcept { return check_action_bounds_; }

  observation_type reset(Seed seed) {
    if (seed) state_.rng = RandomStream(*seed);
    state_.steps = 0;
    return sample_observation();
  }

  // EnvError if the action has the wrong flat size, or (check_action_bounds) is not in the
  // action space.
  Step<observation_type> step(const action_type& action) {
    if (action.size() != action_space_.flat_size() ||
        (check_action_bounds_ && !action_space_.contains(action))) {
      throw EnvError("RandomEnv", "illegal action for " + action_space_.to_string() + ": " +
                                      describe(action));
    }
    ++state_.steps;
    Step<observation_type> result;
    if (max_episode_len_ > 0 && state_.steps >= max_episode_len_) {
      result.truncated = true;
    } else if (p_terminated_ > 0.0) {
      result.terminated = state_.rng.bernoulli(p_terminated_);
    }
    result.observation = sample_observation();
    if (static_samples_) {
      result.reward = static_reward_;
    } else {
      std::array<float, 1> reward{};
      reward_space_.sample(state_.rng, reward);
      result.reward = reward[0];
    }
    return result;
  }

  const State& get_state() const noexcept { return state_; }
  void set_state(const State& state) { state_ = state; }

 private:
  static Space read_space(const EnvContext& context, std::string_view key, Space fallback) {
    const Json& config = context.env_config;
    if (!config.is_object()) return fallback;
    const auto it = config.find(key);
    if (it == config.end() || it->is_null()) return fallback;
    return space_from_json(*it, "env_config." + std::string(key));
  }

  void init() {
    if (reward_space_.flat_size() != 1) {
      throw ConfigError("env_config.reward_space",
                        "expected a space with one element, got " + reward_space_.to_string(),
                        "use e.g. {\"type\":\"Box\",\"low\":-1,\"high\":1,\"shape\":[]}");
    }
    if (static_samples_) {
      static_observation_.resize(observation_space_.flat_size());
      observation_space_.sample(state_.rng, static_observation_);
      std::array<float, 1> reward{};
      reward_space_.sample(state_.rng, reward);
      static_reward_ = reward[0];
    }
  }

  observation_type sample_observation() {
    if (static_samples_) return static_observation_;
    observation_type observation(observation_space_.flat_size());
    observation_space_.sample(state_.rng, observation);
    return observation;
  }

  static std::string describe(std::span<const float> values) {
    std::string text = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i == 8) {
        text += ", ... (" + std::to_string(values.size()) + " values)";
        break;
      }
      if (i > 0) text += ", ";
      text += detail::format_float32(values[i]);
    }
    return text + "]";
  }

  Space observation_space_;
  Space action_space_;
  Space reward_space_;
  double p_terminated_ = 0.1;
  std::int64_t max_episode_len_ = 0;
  bool check_action_bounds_ = false;
  bool static_samples_ = false;
  State state_{};
  observation_type static_observation_;
  double static_reward_ = 0.0;
};

}  // namespace rlpp
