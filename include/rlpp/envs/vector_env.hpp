#pragma once
// VectorEnv: N sub-envs stepped together, in parallel with TBB when that pays off. Observations
// of all sub-envs live in one contiguous row-major float batch (N x observation_size); a sub-env
// whose episode ends is reset at once (auto-reset) and the observation that ended the episode
// is kept in final_observations() for bootstrapping. After construction, stepping allocates
// nothing for fixed-size observation/action types. Results are bit-identical for any thread
// count: each sub-env has its own random stream, derived from (seed, worker_index, env index).
// get_state()/set_state() checkpoint the whole vector mid-episode (sub-envs, buffers, counters)
// as exact JSON, so that stepping continues bit-identically after a restore.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/any_env.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_checker.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/flat_env.hpp"
#include "rlpp/envs/state_json.hpp"

namespace rlpp {

struct VectorEnvOptions {
  std::uint64_t seed = 0;     // sub-env i is first reset with a seed drawn from stream (seed, worker_index, i)
  int worker_index = 0;
  int num_threads = 1;        // 1: step sub-envs in order on the calling thread; 0: all cores; n: n threads
  std::size_t grain = 0;      // sub-envs per parallel task; 0: chosen from the measured cost of a step
  bool check_env = true;      // validate actions, observations and rewards (EnvError on bad values)
  std::string env_name = "env";  // for error messages
};

namespace detail {
// How VectorEnv drives one sub-env type: typed envs through FlatEnvAdapter, AnyEnv natively.
template <class E>
struct SubEnvDriver {
  FlatEnvAdapter<E> adapter;
  void reset(E& env, Seed seed, std::span<float> obs, Json* info) { adapter.reset(env, seed, obs, info); }
  FlatStep step_flat(E& env, std::span<const float> action, std::span<float> obs) {
    return adapter.step_flat(env, action, obs);
  }
};
template <>
struct SubEnvDriver<AnyEnv> {
  void reset(AnyEnv& env, Seed seed, std::span<float> obs, Json* info) { env.reset_into(seed, obs, info); }
  FlatStep step_flat(AnyEnv& env, std::span<const float> action, std::span<float> obs) {
    return env.step_into(action, obs);
  }
};
}  // namespace detail

template <class Env>
  requires environment<Env>
class VectorEnv {
 public:
  using env_type = Env;
  using action_type = action_t<Env>;
  // Builds sub-env i from an EnvContext with vector_index = i.
  using Factory = std::function<Env(const EnvContext&)>;

  VectorEnv(std::size_t num_envs, const Factory& make_env, VectorEnvOptions options = {},
            const EnvContext& context = {})
      : options_(std::move(options)) {
    if (num_envs == 0) throw EnvError("VectorEnv", "num_envs must be at least 1");
    envs_.reserve(num_envs);
    for (std::size_t i = 0; i < num_envs; ++i) {
      EnvContext ctx = context;
      ctx.vector_index = static_cast<int>(i);
      ctx.worker_index = options_.worker_index;
      envs_.push_back(make_env(ctx));
    }
    init();
  }

  explicit VectorEnv(std::vector<Env> envs, VectorEnvOptions options = {})
      : options_(std::move(options)), envs_(std::move(envs)) {
    if (envs_.empty()) throw EnvError("VectorEnv", "needs at least one sub-env");
    init();
  }

  std::size_t num_envs() const noexcept { return envs_.size(); }
  const Space& observation_space() const noexcept { return observation_space_; }
  const Space& action_space() const noexcept { return action_space_; }
  std::size_t observation_size() const noexcept { return obs_size_; }
  std::size_t action_size() const noexcept { return action_size_; }
  const VectorEnvOptions& options() const noexcept { return options_; }
  Env& env(std::size_t i) { return envs_.at(i); }
  const Env& env(std::size_t i) const { return envs_.at(i); }

  // Resets every sub-env. With a seed, sub-env i is reseeded from stream (seed, worker_index, i);
  // without, the first reset uses options.seed and later ones continue each sub-env's stream.
  void reset(Seed seed = {}) {
    const bool reseed = seed.has_value() || !seeded_;
    const std::uint64_t base = seed.value_or(options_.seed);
    std::fill(ended_.begin(), ended_.end(), std::uint8_t{0});
    std::fill(terminated_.begin(), terminated_.end(), std::uint8_t{0});
    std::fill(truncated_.begin(), truncated_.end(), std::uint8_t{0});
    std::fill(rewards_.begin(), rewards_.end(), 0.0f);
    for_each_env([&](std::size_t i) {
      Seed env_seed;
      if (reseed) env_seed = RandomStream(base, static_cast<std::uint64_t>(options_.worker_index), i, "env").next_u64();
      drivers_[i].reset(envs_[i], env_seed, obs_row(i), &infos_[i]);
      episode_steps_[i] = 0;
      if (options_.check_env) checker_->check_observation(obs_row(i), i, 0, "reset");
    });
    seeded_ = true;
    is_reset_ = true;
  }

  // Steps every sub-env with actions in the flat encoding: num_envs rows of action_size floats.
  void step_flat(std::span<const float> actions) {
    if (actions.size() != envs_.size() * action_size_) {
      throw EnvError("VectorEnv '" + options_.env_name + "'",
                     "step_flat() got " + std::to_string(actions.size()) + " action values, expected " +
                         std::to_string(envs_.size()) + " sub-envs x " + std::to_string(action_size_));
    }
    begin_step();
    run_step([&](std::size_t i) {
      const auto action = actions.subspan(i * action_size_, action_size_);
      if (options_.check_env) checker_->check_action(action, i, episode_steps_[i]);
      finish_env_step(i, drivers_[i].step_flat(envs_[i], action, obs_row(i)));
    });
  }

  // Steps every sub-env with typed actions (one per sub-env).
  void step(std::span<const action_type> actions)
    requires(!std::is_same_v<Env, AnyEnv>)
  {
    if (actions.size() != envs_.size()) {
      throw EnvError("VectorEnv '" + options_.env_name + "'", "step() got " + std::to_string(actions.size()) +
                                                                  " actions for " + std::to_string(envs_.size()) +
                                                                  " sub-envs");
    }
    begin_step();
    run_step([&](std::size_t i) {
      if (options_.check_env) {
        auto scratch = std::span<float>(action_scratch_).subspan(i * action_size_, action_size_);
        drivers_[i].adapter.encode_action(actions[i], scratch);
        checker_->check_action(scratch, i, episode_steps_[i]);
      }
      finish_env_step(i, drivers_[i].adapter.step(envs_[i], actions[i], obs_row(i)));
    });
  }

  // ---- results of the last reset()/step() ----
  // Observations to act on next (after auto-reset for sub-envs whose episode ended).
  std::span<const float> observations() const noexcept { return observations_; }
  std::span<const float> observation(std::size_t i) const { return row(observations_, i); }
  // For sub-envs whose episode ended in the last step: the observation it ended with.
  std::span<const float> final_observations() const noexcept { return final_observations_; }
  std::span<const float> final_observation(std::size_t i) const { return row(final_observations_, i); }
  std::span<const float> rewards() const noexcept { return rewards_; }
  std::span<const std::uint8_t> terminateds() const noexcept { return terminated_; }
  std::span<const std::uint8_t> truncateds() const noexcept { return truncated_; }
  // 1 where the episode ended (terminated or truncated) and the sub-env was auto-reset.
  std::span<const std::uint8_t> episode_ended() const noexcept { return ended_; }
  // The step info (or, right after reset(), the reset info) of sub-env i.
  const Json& info(std::size_t i) const { return infos_.at(i); }
  // Steps taken in the current episode of sub-env i.
  std::int64_t episode_step(std::size_t i) const { return episode_steps_.at(i); }
  // Sub-envs stepped per parallel task (1 task = sequential); measured after the first steps
  // when options.grain is 0.
  std::size_t grain() const noexcept { return grain_; }

  // ---- state, for checkpoints ----
  // Whether every sub-env's state can be saved (json_stateful_environment; for AnyEnv sub-envs,
  // each one's supports_state()).
  bool supports_state() const {
    if constexpr (std::is_same_v<Env, AnyEnv>) {
      return std::all_of(envs_.begin(), envs_.end(), [](const AnyEnv& env) { return env.supports_state(); });
    } else {
      return json_stateful_environment<Env>;
    }
  }

  // Every sub-env's state and everything stepping reads: the observation, final-observation,
  // reward and flag buffers, episode step counters, infos, and whether reset() has run (and
  // seeded the sub-envs). The sub-envs' random streams are part of their states. EnvError if
  // !supports_state().
  Json get_state() const {
    require_state_support();
    Json envs = Json::array();
    for (std::size_t i = 0; i < envs_.size(); ++i) envs.push_back(sub_env_state(i));
    return Json{{"env", options_.env_name},
                {"num_envs", envs_.size()},
                {"observation_size", obs_size_},
                {"envs", std::move(envs)},
                {"observations", state_to_json(observations_)},
                {"final_observations", state_to_json(final_observations_)},
                {"rewards", state_to_json(rewards_)},
                {"terminateds", state_to_json(terminated_)},
                {"truncateds", state_to_json(truncated_)},
                {"episode_ended", state_to_json(ended_)},
                {"episode_steps", state_to_json(episode_steps_)},
                {"infos", Json(infos_)},
                {"seeded", seeded_},
                {"is_reset", is_reset_}};
  }

  // Restores what get_state() returned, on a VectorEnv built the same way (same env, number of
  // sub-envs and spaces): stepping both with the same actions then gives bit-identical results.
  // EnvError, with this VectorEnv unchanged, if !supports_state(), or the value is for another
  // vector or malformed.
  void set_state(const Json& state) {
    require_state_support();
    const std::string where = "VectorEnv '" + options_.env_name + "'";
    const std::size_t n = envs_.size();
    std::vector<float> observations, final_observations, rewards;
    std::vector<std::uint8_t> terminated, truncated, ended;
    std::vector<std::int64_t> episode_steps;
    bool seeded = false, is_reset = false;
    try {
      state_keys(state, {"env", "num_envs", "observation_size", "envs", "observations", "final_observations",
                         "rewards", "terminateds", "truncateds", "episode_ended", "episode_steps", "infos", "seeded",
                         "is_reset"});
      std::string env;
      state_field(state, "env", env);
      if (env != options_.env_name) {
        throw EnvError(where, "set_state() got the state of VectorEnv '" + env + "'",
                       "restore each VectorEnv from its own state");
      }
      std::size_t num_envs = 0, observation_size = 0;
      state_field(state, "num_envs", num_envs);
      state_field(state, "observation_size", observation_size);
      if (num_envs != n || observation_size != obs_size_) {
        throw EnvError(where, "set_state() got the state of " + std::to_string(num_envs) + " sub-envs with " +
                                  std::to_string(observation_size) + " observation values; this one has " +
                                  std::to_string(n) + " with " + std::to_string(obs_size_),
                       "restore into a VectorEnv built the same way");
      }
      const auto sized = [&](std::string_view key, auto& values, std::size_t size) {
        state_field(state, key, values);
        if (values.size() != size) {
          detail::state_json::fail(std::string(key) + " holds " + std::to_string(values.size()) +
                                   " values, expected " + std::to_string(size));
        }
      };
      sized("observations", observations, n * obs_size_);
      sized("final_observations", final_observations, n * obs_size_);
      sized("rewards", rewards, n);
      sized("terminateds", terminated, n);
      sized("truncateds", truncated, n);
      sized("episode_ended", ended, n);
      sized("episode_steps", episode_steps, n);
      state_field(state, "seeded", seeded);
      state_field(state, "is_reset", is_reset);
      for (const char* key : {"envs", "infos"}) {
        if (!state.contains(key) || !state[key].is_array() || state[key].size() != n) {
          detail::state_json::fail(std::string(key) + ": expected an array of " + std::to_string(n) + " values");
        }
      }
    } catch (const EnvError& error) {
      if (error.where() != "state" && !error.where().starts_with("state.")) throw;
      throw EnvError(where, "cannot restore its state: " + error.where() + ": " + error.message());
    }
    // Sub-env by sub-env (each restore leaves its sub-env unchanged when it fails); on a failure
    // the sub-envs already restored are rolled back.
    std::vector<Json> previous;
    previous.reserve(n);
    for (std::size_t i = 0; i < n; ++i) previous.push_back(sub_env_state(i));
    for (std::size_t i = 0; i < n; ++i) {
      try {
        set_sub_env_state(i, state["envs"][i]);
      } catch (const Error& error) {
        for (std::size_t j = 0; j < i; ++j) set_sub_env_state(j, previous[j]);
        throw EnvError(where + " sub-env " + std::to_string(i), error.what());
      }
    }
    observations_ = std::move(observations);
    final_observations_ = std::move(final_observations);
    rewards_ = std::move(rewards);
    terminated_ = std::move(terminated);
    truncated_ = std::move(truncated);
    ended_ = std::move(ended);
    episode_steps_ = std::move(episode_steps);
    for (std::size_t i = 0; i < n; ++i) infos_[i] = state["infos"][i];
    seeded_ = seeded;
    is_reset_ = is_reset;
  }

 private:
  void require_state_support() const {
    if (supports_state()) return;
    for (std::size_t i = 0; i < envs_.size(); ++i) {
      if constexpr (std::is_same_v<Env, AnyEnv>) {
        if (!envs_[i].supports_state()) {
          throw EnvError("VectorEnv '" + options_.env_name + "' sub-env " + std::to_string(i),
                         detail::state_json::unsupported(envs_[i].name()).what());
        }
      }
    }
    throw detail::state_json::unsupported(options_.env_name);
  }

  Json sub_env_state(std::size_t i) const {
    if constexpr (std::is_same_v<Env, AnyEnv>) {
      return envs_[i].get_state();
    } else if constexpr (json_stateful_environment<Env>) {
      return state_to_json(envs_[i].get_state());
    } else {
      return Json{};
    }
  }

  void set_sub_env_state(std::size_t i, [[maybe_unused]] const Json& state) {
    if constexpr (std::is_same_v<Env, AnyEnv>) {
      envs_[i].set_state(state);
    } else if constexpr (json_stateful_environment<Env>) {
      detail::state_json::restore(envs_[i], state, "env '" + options_.env_name + "'");
    }
  }

  void init() {
    observation_space_ = Space(envs_.front().observation_space());
    action_space_ = Space(envs_.front().action_space());
    for (std::size_t i = 1; i < envs_.size(); ++i) {
      if (!(Space(envs_[i].observation_space()) == observation_space_) ||
          !(Space(envs_[i].action_space()) == action_space_)) {
        throw SpaceError("VectorEnv '" + options_.env_name + "' sub-env " + std::to_string(i),
                         "spaces differ from sub-env 0: " + Space(envs_[i].observation_space()).to_string() + " / " +
                             Space(envs_[i].action_space()).to_string() + " vs " + observation_space_.to_string() +
                             " / " + action_space_.to_string(),
                         "all sub-envs of a VectorEnv must share observation and action spaces");
      }
    }
    if constexpr (std::is_same_v<Env, AnyEnv>) {
      for (auto& env : envs_) env.set_checking(false);  // checked here, once
    }
    obs_size_ = observation_space_.flat_size();
    action_size_ = action_space_.flat_size();
    const std::size_t n = envs_.size();
    observations_.assign(n * obs_size_, 0.0f);
    final_observations_.assign(n * obs_size_, 0.0f);
    action_scratch_.assign(n * action_size_, 0.0f);
    rewards_.assign(n, 0.0f);
    terminated_.assign(n, 0);
    truncated_.assign(n, 0);
    ended_.assign(n, 0);
    episode_steps_.assign(n, 0);
    infos_.assign(n, Json{});
    drivers_.resize(n);
    checker_ = std::make_unique<EnvChecker>(options_.env_name, observation_space_, action_space_);
    int threads = options_.num_threads == 0 ? tbb::this_task_arena::max_concurrency() : options_.num_threads;
    if (threads < 0) throw EnvError("VectorEnv", "num_threads must be >= 0, got " + std::to_string(threads));
    // More threads than cores only adds scheduling cost (and TBB warns about it).
    threads = std::min(threads, tbb::this_task_arena::max_concurrency());
    if (threads > 1) arena_ = std::make_unique<tbb::task_arena>(threads);
    grain_ = options_.grain ? std::min(options_.grain, n) : n;
  }

  std::span<float> obs_row(std::size_t i) noexcept { return {observations_.data() + i * obs_size_, obs_size_}; }
  std::span<const float> row(const std::vector<float>& batch, std::size_t i) const {
    if (i >= envs_.size()) throw EnvError("VectorEnv", "sub-env index " + std::to_string(i) + " out of range");
    return {batch.data() + i * obs_size_, obs_size_};
  }

  void begin_step() {
    if (!is_reset_) checker_->fail_step_before_reset(0);
  }

  void finish_env_step(std::size_t i, FlatStep result) {
    const std::int64_t step = episode_steps_[i]++;
    if (options_.check_env) {
      checker_->check_observation(obs_row(i), i, step, "step");
      checker_->check_reward(result.reward, i, step);
    }
    rewards_[i] = static_cast<float>(result.reward);
    terminated_[i] = result.terminated;
    truncated_[i] = result.truncated;
    ended_[i] = result.done();
    if (!result.info.is_null() || !infos_[i].is_null()) infos_[i] = std::move(result.info);
    if (result.done()) {
      std::copy_n(observations_.data() + i * obs_size_, obs_size_, final_observations_.data() + i * obs_size_);
      drivers_[i].reset(envs_[i], Seed{}, obs_row(i), nullptr);  // continue the sub-env's own stream
      episode_steps_[i] = 0;
      if (options_.check_env) checker_->check_observation(obs_row(i), i, 0, "reset");
    }
  }

  template <class F>
  void for_each_env(F&& f) {
    const std::size_t n = envs_.size();
    if (!arena_ || grain_ >= n) {
      for (std::size_t i = 0; i < n; ++i) f(i);
      return;
    }
    arena_->execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain_),
                        [&](const tbb::blocked_range<std::size_t>& r) {
                          for (std::size_t i = r.begin(); i != r.end(); ++i) f(i);
                        },
                        tbb::simple_partitioner());
    });
  }

  // Steps all sub-envs. While the grain is not yet known, steps run sequentially and are timed;
  // the grain is then set so a parallel task holds ~kTaskSeconds of work (TBB's per-task cost
  // is around a microsecond, so cheap envs like CartPole need hundreds of sub-envs per task).
  template <class F>
  void run_step(F&& f) {
    if (calibrated_ || !arena_ || options_.grain) {
      for_each_env(f);
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < envs_.size(); ++i) f(i);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (++calibration_steps_ > 1) {  // the first step warms caches; measure the next ones
      measured_seconds_ += seconds;
      if (calibration_steps_ == kCalibrationSteps) {
        const double per_env = measured_seconds_ / double(kCalibrationSteps - 1) / double(envs_.size());
        const double wanted = std::ceil(kTaskSeconds / std::max(per_env, 1e-10));
        grain_ = static_cast<std::size_t>(std::clamp(wanted, 1.0, double(envs_.size())));
        calibrated_ = true;
      }
    }
  }

  static constexpr int kCalibrationSteps = 4;
  static constexpr double kTaskSeconds = 20e-6;

  VectorEnvOptions options_;
  std::vector<Env> envs_;
  std::vector<detail::SubEnvDriver<Env>> drivers_;  // one per sub-env: each holds its own action scratch
  Space observation_space_ = Space(Discrete(1));
  Space action_space_ = Space(Discrete(1));
  std::size_t obs_size_ = 0;
  std::size_t action_size_ = 0;
  std::vector<float> observations_;
  std::vector<float> final_observations_;
  std::vector<float> action_scratch_;
  std::vector<float> rewards_;
  std::vector<std::uint8_t> terminated_;
  std::vector<std::uint8_t> truncated_;
  std::vector<std::uint8_t> ended_;
  std::vector<std::int64_t> episode_steps_;
  std::vector<Json> infos_;
  std::unique_ptr<EnvChecker> checker_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::size_t grain_ = 1;
  bool calibrated_ = false;
  int calibration_steps_ = 0;
  double measured_seconds_ = 0.0;
  bool seeded_ = false;
  bool is_reset_ = false;
};

}  // namespace rlpp
