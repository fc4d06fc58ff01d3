#pragma once
// RolloutWorker (RLlib's): owns num_envs_per_worker sub-envs in a VectorEnv and a policy, and
// sample() steps them together with one batched compute_actions per step, for
// rollout_fragment_length steps per sub-env (batch_mode "truncate_episodes") or until that many
// steps of whole episodes are done ("complete_episodes"). Each sub-env's trajectory fragment is
// postprocessed by the policy (GAE, ...) as its episode ends or the fragment is cut, then the
// fragments are concatenated. Episodes are tracked for metrics and callbacks; observations are
// preprocessed and filtered (observation_filter); rewards clipped (clip_rewards); Box actions
// unsquashed or clipped to the bounds before the env sees them (normalize_actions, clip_actions).
// Single-agent envs (multi-agent: see the issue tracker).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/envs/any_env.hpp"
#include "rlpp/envs/vector_env.hpp"
#include "rlpp/envs/wrappers/time_limit.hpp"
#include "rlpp/evaluation/callbacks.hpp"
#include "rlpp/evaluation/episode.hpp"
#include "rlpp/evaluation/filters.hpp"
#include "rlpp/evaluation/metrics.hpp"
#include "rlpp/policy/any_policy.hpp"
#include "rlpp/policy/sequences.hpp"

namespace rlpp {

// The worker's config keys, RLlib's names and defaults (COMMON_CONFIG).
inline Json rollout_worker_defaults() {
  return Json{{"num_envs_per_worker", 1},
              {"rollout_fragment_length", 200},
              {"batch_mode", "truncate_episodes"},
              {"horizon", nullptr},
              {"soft_horizon", false},
              {"no_done_at_end", false},
              {"clip_rewards", nullptr},
              {"normalize_actions", true},
              {"clip_actions", false},
              {"observation_filter", "NoFilter"},
              {"seed", nullptr},
              {"env_config", Json::object()}};
}

namespace detail {
// One sub-env's steps since its fragment began, column by column.
struct TrajectoryBuilder {
  std::vector<float> obs, new_obs, actions, rewards, logp, prob, dist_inputs, vf_preds, prev_actions, prev_rewards;
  std::vector<std::uint8_t> terminateds, truncateds;
  std::vector<std::int64_t> t, eps_id;
  std::vector<std::vector<float>> state_in, state_out;
  std::size_t count = 0;

  void clear() {
    for (auto* v : {&obs, &new_obs, &actions, &rewards, &logp, &prob, &dist_inputs, &vf_preds, &prev_actions, &prev_rewards})
      v->clear();
    terminateds.clear();
    truncateds.clear();
    t.clear();
    eps_id.clear();
    for (auto& s : state_in) s.clear();
    for (auto& s : state_out) s.clear();
    count = 0;
  }
};

template <class T>
xt::xarray<T> column_from(const std::vector<T>& values, std::size_t rows) {
  const std::size_t width = rows == 0 ? 0 : values.size() / rows;
  std::vector<std::size_t> shape = width == 1 ? std::vector<std::size_t>{rows} : std::vector<std::size_t>{rows, width};
  xt::xarray<T> out(shape);
  std::copy(values.begin(), values.end(), out.data());
  return out;
}
inline xt::xarray<bool> bool_column(const std::vector<std::uint8_t>& values) {
  xt::xarray<bool> out(std::vector<std::size_t>{values.size()});
  for (std::size_t i = 0; i < values.size(); ++i) out.data()[i] = values[i] != 0;
  return out;
}
}  // namespace detail

class RolloutWorker {
 public:
  using EnvCreator = std::function<AnyEnv(const EnvContext&)>;

  // `config` is the trainer's (lenient: keys the worker does not read are ignored); the policy
  // is this worker's own.
  RolloutWorker(const EnvCreator& make_env, std::unique_ptr<PolicyInterface> policy, const Json& config,
                int worker_index = 0, int num_workers = 0, std::shared_ptr<DefaultCallbacks> callbacks = nullptr)
      : config_(merge_policy_config(rollout_worker_defaults(), config, false)),
        worker_index_(worker_index),
        policy_(std::move(policy)),
        callbacks_(callbacks ? std::move(callbacks) : std::make_shared<DefaultCallbacks>()),
        envs_(static_cast<std::size_t>(config_.positive_int("num_envs_per_worker")),
              wrap_creator(make_env, config_), vector_options(config_, worker_index),
              EnvContext{config_.json()["env_config"], worker_index, 0, num_workers, worker_index > 0}),
        filter_(ObservationFilter::from_config(config_, policy_->observation_width())),
        episode_ids_(seed(), static_cast<std::uint64_t>(worker_index), 0, "episode_ids") {
    if (!policy_) throw Error("RolloutWorker", "no policy given");
    if (envs_.observation_space() != policy_->observation_space())
      throw SpaceError("RolloutWorker " + std::to_string(worker_index),
                       "the env's observation space " + envs_.observation_space().to_string() +
                           " differs from the policy's " + policy_->observation_space().to_string());
    if (envs_.action_space() != policy_->action_space())
      throw SpaceError("RolloutWorker " + std::to_string(worker_index),
                       "the env's action space " + envs_.action_space().to_string() + " differs from the policy's " +
                           policy_->action_space().to_string());
    fragment_length_ = static_cast<std::size_t>(config_.positive_int("rollout_fragment_length"));
    complete_episodes_ = config_.one_of("batch_mode", {"truncate_episodes", "complete_episodes"}) == "complete_episodes";
    soft_horizon_ = config_.get<bool>("soft_horizon");
    no_done_at_end_ = config_.get<bool>("no_done_at_end");
    if (!config_.json()["horizon"].is_null()) horizon_ = config_.positive_int("horizon");
    read_reward_clipping();
    const auto* box = policy_->action_space().get_if<Box>();
    if (box && box->dtype() == DType::float32) {
      low_.assign(box->low().begin(), box->low().end());
      high_.assign(box->high().begin(), box->high().end());
      normalize_actions_ = config_.get<bool>("normalize_actions");
      clip_actions_ = config_.get<bool>("clip_actions");
    }
    const std::size_t n = envs_.num_envs();
    builders_.resize(n);
    episodes_.resize(n);
    for (auto& b : builders_) {
      b.state_in.resize(policy_->get_initial_state().size());
      b.state_out.resize(policy_->get_initial_state().size());
    }
  }

  // ---- sampling ----
  // One fragment per sub-env, postprocessed and concatenated (see the header comment).
  SampleBatch sample() {
    if (!started_) start();
    const std::size_t n = envs_.num_envs();
    const std::size_t target = fragment_length_ * n;
    std::size_t collected = 0;
    std::vector<SampleBatch> fragments;
    const std::int64_t unroll_id = unroll_id_++;
    while (true) {
      step_once(fragments, collected);
      ++steps_this_sample_;
      if (!complete_episodes_ && steps_this_sample_ >= fragment_length_) break;
      if (complete_episodes_ && collected >= target) break;
    }
    steps_this_sample_ = 0;
    if (!complete_episodes_)
      for (std::size_t i = 0; i < n; ++i)
        if (builders_[i].count > 0) fragments.push_back(finish_fragment(i));
    for (SampleBatch& f : fragments) {
      const std::size_t rows = f.count();
      f.set(cols::unroll_id, xt::xarray<std::int64_t>(xt::zeros<std::int64_t>({rows}) + unroll_id));
    }
    SampleBatch batch = fragments.size() == 1 ? std::move(fragments.front()) : concat_samples(std::span<const SampleBatch>(fragments));
    callbacks_->on_sample_end(*this, batch);
    return batch;
  }

  // Episodes finished since the last call, as metrics (RLlib's get_metrics).
  std::vector<RolloutMetrics> get_metrics() { return std::exchange(finished_, {}); }

  // ---- the policy map (multi-agent: several policies; single-agent: "default_policy") ----
  bool is_multi_agent() const noexcept { return false; }
  // Every policy id, in the order of multiagent.policies.
  const std::vector<std::string>& policy_ids() const noexcept { return policy_ids_; }
  // multiagent.policies_to_train (all policies when not given).
  const std::vector<std::string>& policies_to_train() const noexcept { return policy_ids_; }
  PolicyInterface& policy(std::string_view policy_id) {
    if (policy_id != policy_id_)
      throw ConfigError("policy id '" + std::string(policy_id) + "'", "is not in this worker's policy map (policies: " + policy_id_ + ")");
    return *policy_;
  }
  // sample() as a MultiAgentBatch (single-agent: {"default_policy": batch}); what execution
  // plans consume.
  MultiAgentBatch sample_multi_agent() { return sample().as_multi_agent(); }
  // Every policy's weights by id, and back.
  std::map<std::string, std::vector<float>, std::less<>> get_policy_weights() const {
    return {{policy_id_, policy_->get_weights()}};
  }
  void set_policy_weights(const std::map<std::string, std::vector<float>, std::less<>>& weights) {
    for (const auto& [id, w] : weights) policy(id).set_weights(w);
  }
  // Everything a checkpoint needs to continue this worker: each policy's state and the filter.
  Json get_state() const {
    return Json{{"policies", {{policy_id_, policy_->get_state()}}}, {"filter", filter_.get_state()}};
  }
  void set_state(const Json& state) {
    for (const auto& [id, s] : state.at("policies").items()) policy(id).set_state(s);
    filter_.set_state(state.at("filter"));
  }

  // ---- weights, filters, global vars ----
  PolicyInterface& policy() noexcept { return *policy_; }
  const PolicyInterface& policy() const noexcept { return *policy_; }
  std::vector<float> get_weights() const { return policy_->get_weights(); }
  void set_weights(std::span<const float> weights) { policy_->set_weights(weights); }
  void set_global_vars(std::int64_t timestep) { policy_->on_global_var_update(timestep); }
  ObservationFilter& filter() noexcept { return filter_; }
  const ObservationFilter& filter() const noexcept { return filter_; }
  int worker_index() const noexcept { return worker_index_; }
  const Config& config() const noexcept { return config_; }
  VectorEnv<AnyEnv>& env() noexcept { return envs_; }
  DefaultCallbacks& callbacks() noexcept { return *callbacks_; }
  // Env steps sampled by this worker so far.
  std::int64_t num_steps_sampled() const noexcept { return steps_sampled_; }

 private:
  static VectorEnvOptions vector_options(const Config& config, int worker_index) {
    VectorEnvOptions o;
    const Json& s = config.json()["seed"];
    o.seed = s.is_null() ? 0 : static_cast<std::uint64_t>(config.get<std::int64_t>("seed"));
    o.worker_index = worker_index;
    o.num_threads = 1;
    return o;
  }
  // A hard horizon truncates like Gymnasium's TimeLimit (the env is reset); a soft one only
  // cuts the episode for learning, which the worker does itself.
  static VectorEnv<AnyEnv>::Factory wrap_creator(const EnvCreator& make_env, const Config& config) {
    const Json& h = config.json()["horizon"];
    if (h.is_null() || config.get<bool>("soft_horizon")) return make_env;
    const std::int64_t horizon = config.positive_int("horizon");
    return [make_env, horizon](const EnvContext& ctx) { return AnyEnv(TimeLimit<AnyEnv>(make_env(ctx), horizon)); };
  }
  std::uint64_t seed() const {
    const Json& s = config_.json()["seed"];
    return s.is_null() ? 0 : static_cast<std::uint64_t>(config_.get<std::int64_t>("seed"));
  }
  void read_reward_clipping() {
    const Json& c = config_.json()["clip_rewards"];
    if (c.is_null() || (c.is_boolean() && !c.get<bool>())) return;
    if (c.is_boolean()) {
      sign_clip_ = true;
      return;
    }
    reward_clip_ = static_cast<float>(config_.number_in("clip_rewards", 0.0, 1e30));
  }
  float clip_reward(float r) const {
    if (sign_clip_) return static_cast<float>((r > 0.0f) - (r < 0.0f));
    if (reward_clip_ > 0.0f) return std::clamp(r, -reward_clip_, reward_clip_);
    return r;
  }

  void start() {
    const std::size_t n = envs_.num_envs();
    const std::size_t width = policy_->observation_width();
    obs_.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(width));
    next_obs_.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(width));
    envs_.reset();
    preprocess_rows(envs_.observations(), obs_);
    filter_(obs_, true);
    state_.clear();
    for (const nn::Matrix& s : policy_->get_initial_state())
      state_.push_back(s.replicate(static_cast<Eigen::Index>(n), 1));
    prev_actions_ = nn::Matrix::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(policy_->action_width()));
    prev_rewards_ = nn::Matrix::Zero(static_cast<Eigen::Index>(n), 1);
    for (std::size_t i = 0; i < n; ++i) begin_episode(i, obs_);
    started_ = true;
  }

  // Sub-env i's new episode, whose first observation (preprocessed, filtered) is obs.row(i).
  void begin_episode(std::size_t i, const nn::Matrix& obs) {
    Episode& e = episodes_[i];
    e = Episode{};
    e.episode_id = static_cast<std::int64_t>(episode_ids_.next_u64() >> 1);
    e.env_index = i;
    const auto raw = envs_.observation(i);
    e.last_raw_observation.assign(raw.begin(), raw.end());
    const auto row = obs.row(static_cast<Eigen::Index>(i));
    e.last_observation.assign(row.data(), row.data() + row.size());
    callbacks_->on_episode_start(*this, e, i);
  }

  void preprocess_rows(std::span<const float> flat, nn::Matrix& out) const {
    const Space& space = policy_->observation_space();
    const std::size_t flat_width = space.flat_size();
    const auto width = static_cast<std::size_t>(out.cols());
    for (Eigen::Index r = 0; r < out.rows(); ++r)
      space.preprocess(flat.subspan(static_cast<std::size_t>(r) * flat_width, flat_width),
                       std::span<float>(out.row(r).data(), width));
  }

  // The env's action from the policy's: unsquashed from [-1, 1] (normalize_actions) or clipped
  // (clip_actions) to the Box bounds; other spaces pass through.
  void env_actions(const nn::Matrix& actions) {
    env_actions_.assign(actions.data(), actions.data() + actions.size());
    if (low_.empty()) return;
    const std::size_t width = low_.size();
    for (std::size_t k = 0; k < env_actions_.size(); ++k) {
      const std::size_t j = k % width;
      float a = env_actions_[k];
      if (normalize_actions_ && std::isfinite(low_[j]) && std::isfinite(high_[j]))
        a = static_cast<float>(low_[j] + (std::clamp(static_cast<double>(a), -1.0, 1.0) + 1.0) * 0.5 * (high_[j] - low_[j]));
      else if (clip_actions_)
        a = static_cast<float>(std::clamp(static_cast<double>(a), low_[j], high_[j]));
      env_actions_[k] = a;
    }
  }

  void step_once(std::vector<SampleBatch>& fragments, std::size_t& collected) {
    const std::size_t n = envs_.num_envs();
    const ComputedActions& out =
        policy_->compute_actions(obs_, state_, std::nullopt, std::nullopt, &prev_actions_, &prev_rewards_);
    // As RLlib's compute_actions, the policy's timestep advances by the batch; the trainer sets it
    // to the global count each iteration (set_global_vars).
    policy_->on_global_var_update(policy_->global_timestep() + static_cast<std::int64_t>(n));
    env_actions(out.actions);
    envs_.step_flat(env_actions_);
    steps_sampled_ += static_cast<std::int64_t>(n);
    preprocess_rows(envs_.observations(), next_obs_);
    filter_(next_obs_, true);
    const auto ended = envs_.episode_ended();
    const std::size_t flat_width = policy_->observation_space().flat_size();
    for (std::size_t i = 0; i < n; ++i) {
      Episode& e = episodes_[i];
      const float raw_reward = envs_.rewards()[i];
      bool terminated = envs_.terminateds()[i] != 0;
      bool truncated = envs_.truncateds()[i] != 0;
      const bool soft_cut = horizon_ > 0 && soft_horizon_ && e.length + 1 >= horizon_ && !ended[i];
      if (soft_cut) truncated = true;
      const bool done = ended[i] != 0 || soft_cut;
      // new_obs: the final observation of an ended episode (preprocessed and filtered), else
      // the next observation.
      new_obs_row_.resize(static_cast<std::size_t>(next_obs_.cols()));
      if (ended[i]) {
        final_obs_.resize(1, next_obs_.cols());
        policy_->observation_space().preprocess(envs_.final_observations().subspan(i * flat_width, flat_width),
                                                std::span<float>(final_obs_.data(), static_cast<std::size_t>(final_obs_.cols())));
        filter_(final_obs_, true);
        std::copy_n(final_obs_.data(), final_obs_.cols(), new_obs_row_.data());
      } else {
        std::copy_n(next_obs_.row(static_cast<Eigen::Index>(i)).data(), next_obs_.cols(), new_obs_row_.data());
      }
      record(i, out, clip_reward(raw_reward), terminated && !no_done_at_end_, truncated);
      e.length += 1;
      e.add_agent_reward(dummy_agent_id, policy_id(), raw_reward);
      e.last_reward = raw_reward;
      const auto raw_next = ended[i] ? envs_.final_observations().subspan(i * flat_width, flat_width) : envs_.observation(i);
      e.last_raw_observation.assign(raw_next.begin(), raw_next.end());
      e.last_observation.assign(new_obs_row_.begin(), new_obs_row_.end());
      e.last_action.assign(env_actions_.begin() + static_cast<std::ptrdiff_t>(i * policy_->action_width()),
                           env_actions_.begin() + static_cast<std::ptrdiff_t>((i + 1) * policy_->action_width()));
      callbacks_->on_episode_step(*this, e, i);
      // Next step's inputs for this sub-env.
      for (std::size_t k = 0; k < state_.size(); ++k) state_[k].row(static_cast<Eigen::Index>(i)) = out.state_out[k].row(static_cast<Eigen::Index>(i));
      prev_actions_.row(static_cast<Eigen::Index>(i)) = out.actions.row(static_cast<Eigen::Index>(i));
      prev_rewards_(static_cast<Eigen::Index>(i), 0) = raw_reward;
      if (done) {
        callbacks_->on_episode_end(*this, e, i);
        finished_.push_back(RolloutMetrics::from_episode(e));
        collected += builders_[i].count;
        fragments.push_back(finish_fragment(i));
        for (std::size_t k = 0; k < state_.size(); ++k)
          state_[k].row(static_cast<Eigen::Index>(i)) = policy_->get_initial_state()[k].row(0);
        prev_actions_.row(static_cast<Eigen::Index>(i)).setZero();
        prev_rewards_(static_cast<Eigen::Index>(i), 0) = 0.0f;
        begin_episode(i, next_obs_);
      }
    }
    // After an ended episode the env already auto-reset, so every next row is what to act on.
    obs_.swap(next_obs_);
  }

  void record(std::size_t i, const ComputedActions& out, float reward, bool terminated, bool truncated) {
    detail::TrajectoryBuilder& b = builders_[i];
    const auto r = static_cast<Eigen::Index>(i);
    const auto append_row = [r](std::vector<float>& to, const nn::Matrix& m) {
      const float* p = m.data() + r * m.cols();
      to.insert(to.end(), p, p + m.cols());
    };
    append_row(b.obs, obs_);
    b.new_obs.insert(b.new_obs.end(), new_obs_row_.begin(), new_obs_row_.end());
    append_row(b.actions, out.actions);
    b.rewards.push_back(reward);
    b.logp.push_back(out.action_logp(r, 0));
    b.prob.push_back(out.action_prob(r, 0));
    append_row(b.dist_inputs, out.action_dist_inputs);
    if (out.vf_preds.size() > 0) b.vf_preds.push_back(out.vf_preds(r, 0));
    append_row(b.prev_actions, prev_actions_);
    b.prev_rewards.push_back(prev_rewards_(r, 0));
    b.terminateds.push_back(terminated);
    b.truncateds.push_back(truncated);
    b.t.push_back(episodes_[i].length);
    b.eps_id.push_back(episodes_[i].episode_id);
    for (std::size_t k = 0; k < state_.size(); ++k) {
      append_row(b.state_in[k], state_[k]);
      append_row(b.state_out[k], out.state_out[k]);
    }
    ++b.count;
  }

  SampleBatch finish_fragment(std::size_t i) {
    detail::TrajectoryBuilder& b = builders_[i];
    const std::size_t rows = b.count;
    SampleBatch batch;
    batch.set(cols::obs, detail::column_from(b.obs, rows));
    batch.set(cols::new_obs, detail::column_from(b.new_obs, rows));
    if (policy_->action_space().is<Box>()) {
      batch.set(cols::actions.name, Column(detail::column_from(b.actions, rows)));
      batch.set(cols::prev_actions.name, Column(detail::column_from(b.prev_actions, rows)));
    } else {
      std::vector<std::int64_t> ints(b.actions.begin(), b.actions.end()), prev(b.prev_actions.begin(), b.prev_actions.end());
      batch.set(cols::actions.name, Column(detail::column_from(ints, rows)));
      batch.set(cols::prev_actions.name, Column(detail::column_from(prev, rows)));
    }
    batch.set(cols::rewards, detail::column_from(b.rewards, rows));
    batch.set(cols::prev_rewards, detail::column_from(b.prev_rewards, rows));
    batch.set(cols::action_logp, detail::column_from(b.logp, rows));
    batch.set(cols::action_prob, detail::column_from(b.prob, rows));
    batch.set(cols::action_dist_inputs, detail::column_from(b.dist_inputs, rows));
    if (!b.vf_preds.empty()) batch.set(cols::vf_preds, detail::column_from(b.vf_preds, rows));
    batch.set(cols::terminateds, detail::bool_column(b.terminateds));
    batch.set(cols::truncateds, detail::bool_column(b.truncateds));
    std::vector<std::uint8_t> dones(rows);
    for (std::size_t k = 0; k < rows; ++k) dones[k] = b.terminateds[k] || b.truncateds[k];
    batch.set(cols::dones, detail::bool_column(dones));
    batch.set(cols::t, detail::column_from(b.t, rows));
    batch.set(cols::eps_id, detail::column_from(b.eps_id, rows));
    batch.set(cols::env_id, xt::xarray<std::int64_t>(xt::zeros<std::int64_t>({rows}) + static_cast<std::int64_t>(i)));
    batch.set(cols::agent_index, xt::xarray<std::int64_t>(xt::zeros<std::int64_t>({rows})));
    for (std::size_t k = 0; k < b.state_in.size(); ++k) {
      const auto width = static_cast<std::size_t>(state_[k].cols());
      xt::xarray<float> in(std::vector<std::size_t>{rows, width}), out(std::vector<std::size_t>{rows, width});
      std::copy(b.state_in[k].begin(), b.state_in[k].end(), in.data());
      std::copy(b.state_out[k].begin(), b.state_out[k].end(), out.data());
      batch.set(state_in_column(k), std::move(in));
      batch.set(state_out_column(k), std::move(out));
    }
    b.clear();
    policy_->postprocess_trajectory(batch);
    callbacks_->on_postprocess_trajectory(*this, episodes_[i], batch);
    return batch;
  }

  const std::string& policy_id() const noexcept { return policy_id_; }

  Config config_;
  int worker_index_ = 0;
  std::unique_ptr<PolicyInterface> policy_;
  std::shared_ptr<DefaultCallbacks> callbacks_;
  VectorEnv<AnyEnv> envs_;
  ObservationFilter filter_;
  RandomStream episode_ids_;
  std::string policy_id_ = "default_policy";
  std::vector<std::string> policy_ids_{policy_id_};
  std::size_t fragment_length_ = 200;
  bool complete_episodes_ = false;
  bool soft_horizon_ = false;
  bool no_done_at_end_ = false;
  std::int64_t horizon_ = 0;
  bool sign_clip_ = false;
  float reward_clip_ = 0.0f;
  std::vector<double> low_, high_;
  bool normalize_actions_ = false;
  bool clip_actions_ = false;

  bool started_ = false;
  std::size_t steps_this_sample_ = 0;
  std::int64_t steps_sampled_ = 0;
  std::int64_t unroll_id_ = 0;
  nn::Matrix obs_, next_obs_, final_obs_, prev_actions_, prev_rewards_;
  std::vector<nn::Matrix> state_;
  std::vector<float> env_actions_, new_obs_row_;
  std::vector<detail::TrajectoryBuilder> builders_;
  std::vector<Episode> episodes_;
  std::vector<RolloutMetrics> finished_;
};

}  // namespace rlpp
