#pragma once
// RolloutWorker (RLlib's): owns num_envs_per_worker sub-envs in a VectorEnv and a policy, and
// sample() steps them together with one batched compute_actions per step, for
// rollout_fragment_length steps per sub-env (batch_mode "truncate_episodes") or until that many
// steps of whole episodes are done ("complete_episodes"). Each sub-env's trajectory fragment is
// postprocessed by the policy (GAE, ...) as its episode ends or the fragment is cut, then the
// fragments are concatenated. Episodes are tracked for metrics and callbacks; observations are
// preprocessed and filtered (observation_filter); rewards clipped (clip_rewards); Box actions
// unsquashed or clipped to the bounds before the env sees them (normalize_actions, clip_actions).
// Multi-agent envs (RLlib's MultiAgentEnv) get a policy map instead (policy_map.hpp): each agent
// acts for the policy the mapping fn gives it, one batched compute_actions per policy per step
// over all agents of all sub-envs mapped to it; each agent's trajectory is postprocessed by its
// policy and sample_multi_agent() returns a MultiAgentBatch grouped by policy.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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
#include "rlpp/envs/any_multi_agent_env.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/envs/vector_env.hpp"
#include "rlpp/envs/wrappers/time_limit.hpp"
#include "rlpp/envs/wrappers/wrapper.hpp"
#include "rlpp/evaluation/callbacks.hpp"
#include "rlpp/evaluation/detail/trajectory_builder.hpp"
#include "rlpp/evaluation/detail/worker_env.hpp"
#include "rlpp/evaluation/detail/worker_state_json.hpp"
#include "rlpp/evaluation/episode.hpp"
#include "rlpp/evaluation/filters.hpp"
#include "rlpp/evaluation/metrics.hpp"
#include "rlpp/evaluation/policy_map.hpp"
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
              // rlpp: an episode ended by truncation (a time limit, the hard horizon) bootstraps
              // V(final obs) in postprocessing; false records it as terminated, as Ray 1.0 (which
              // saw time limits as done) and CleanRL do.
              {"bootstrap_truncated_episodes", true},
              {"clip_rewards", nullptr},
              {"normalize_actions", true},
              {"clip_actions", false},
              {"observation_filter", "NoFilter"},
              {"seed", nullptr},
              {"env_config", Json::object()}};
}

namespace detail {
// One policy of a worker's policy map, with its observation filter and per-step scratch.
struct PolicyEntry {
  std::string id;
  std::unique_ptr<PolicyInterface> policy;
  ObservationFilter filter;
  ActionBounds bounds;
  // multi-agent step scratch: the (sub-env, agent slot) of each row acting this step
  std::vector<std::pair<std::size_t, std::size_t>> rows;
  nn::Matrix obs, prev_actions, prev_rewards;
  std::vector<nn::Matrix> state;
};

// One agent of a multi-agent sub-env's running episode.
struct AgentSlot {
  AgentId id;
  std::size_t policy = 0;        // index into the worker's policy entries
  std::int64_t agent_index = 0;  // order of first appearance in the episode
  std::int64_t t = 0;            // the agent's transitions so far in the episode
  std::vector<float> obs;        // preprocessed and filtered: what it acts on next
  std::vector<float> next_obs;   // this step's new observation (when has_next)
  bool has_next = false;
  std::vector<std::vector<float>> state;  // recurrent state in, one row per tensor
  std::vector<float> prev_action;
  float prev_reward = 0.0f;
  bool acting = false;     // in the latest observation dict: acts at the next step
  bool acted_now = false;  // acted at this step (its action is in the env's action dict)
  bool pending = false;    // acted; the transition waits for its next observation or its end
  bool done = false;       // has left the episode
  // the open transition
  std::vector<float> action, env_action, dist_inputs;
  std::vector<std::vector<float>> state_out;
  float logp = 0.0f, prob = 0.0f, vf = 0.0f;
  bool has_vf = false;
  float reward = 0.0f;      // clipped, summed since it acted
  double raw_reward = 0.0;  // unclipped
  TrajectoryBuilder builder;
};

struct MultiAgentSubEnv {
  Episode episode;
  std::vector<AgentSlot> slots;  // in order of appearance
};
}  // namespace detail


class RolloutWorker {
 public:
  using EnvCreator = std::function<AnyEnv(const EnvContext&)>;
  using MultiAgentEnvCreator = std::function<AnyMultiAgentEnv(const EnvContext&)>;

  // A single-agent worker. `config` is the trainer's (lenient: keys the worker does not read are
  // ignored); the policy is this worker's own ("default_policy").
  RolloutWorker(const EnvCreator& make_env, std::unique_ptr<PolicyInterface> policy, const Json& config,
                int worker_index = 0, int num_workers = 0, std::shared_ptr<DefaultCallbacks> callbacks = nullptr)
      : config_(merge_policy_config(rollout_worker_defaults(), config, false)),
        worker_index_(worker_index),
        num_workers_(num_workers),
        callbacks_(callbacks ? std::move(callbacks) : std::make_shared<DefaultCallbacks>()),
        episode_ids_(seed(), static_cast<std::uint64_t>(worker_index), 0, "episode_ids") {
    if (!policy) throw Error("RolloutWorker", "no policy given");
    read_common_config();
    envs_ = std::make_unique<VectorEnv<AnyEnv>>(
        static_cast<std::size_t>(config_.positive_int("num_envs_per_worker")), wrap_creator(make_env, config_),
        vector_options(config_, worker_index),
        EnvContext{config_.json()["env_config"], worker_index, 0, num_workers, worker_index > 0});
    add_policy(default_policy_id, std::move(policy));
    policies_to_train_ = policy_ids_;
    policy_ = entries_.front()->policy.get();
    if (envs_->observation_space() != policy_->observation_space())
      throw SpaceError("RolloutWorker " + std::to_string(worker_index),
                       "the env's observation space " + envs_->observation_space().to_string() +
                           " differs from the policy's " + policy_->observation_space().to_string());
    if (envs_->action_space() != policy_->action_space())
      throw SpaceError("RolloutWorker " + std::to_string(worker_index),
                       "the env's action space " + envs_->action_space().to_string() + " differs from the policy's " +
                           policy_->action_space().to_string());
    const std::size_t n = envs_->num_envs();
    builders_.resize(n);
    episodes_.resize(n);
    for (auto& b : builders_) {
      b.state_in.resize(policy_->get_initial_state().size());
      b.state_out.resize(policy_->get_initial_state().size());
    }
  }

  // A multi-agent worker: num_envs_per_worker sub-envs from `make_env` and the policy map of
  // `multiagent` and config["multiagent"] (policy_map.hpp). Policies without a factory are built
  // by `default_policy`; policies without spaces take those of the env's agents mapped to them
  // (the mapping fn is asked once per agent of sub-env 0's agent_ids()).
  RolloutWorker(const MultiAgentEnvCreator& make_env, const PolicyFactory& default_policy, const Json& config,
                MultiAgentSpec multiagent = {}, int worker_index = 0, int num_workers = 0,
                std::shared_ptr<DefaultCallbacks> callbacks = nullptr)
      : config_(merge_policy_config(rollout_worker_defaults(), config, false)),
        worker_index_(worker_index),
        num_workers_(num_workers),
        callbacks_(callbacks ? std::move(callbacks) : std::make_shared<DefaultCallbacks>()),
        episode_ids_(seed(), static_cast<std::uint64_t>(worker_index), 0, "episode_ids"),
        multi_agent_(true) {
    read_common_config();
    detail::ResolvedMultiAgent resolved = detail::resolve_multi_agent(config, std::move(multiagent));
    mapping_ = std::move(resolved.mapping);
    count_agent_steps_ = resolved.count_agent_steps;
    const auto n = static_cast<std::size_t>(config_.positive_int("num_envs_per_worker"));
    for (std::size_t i = 0; i < n; ++i)
      ma_envs_.push_back(make_env(EnvContext{config_.json()["env_config"], worker_index, static_cast<int>(i), num_workers,
                                             worker_index > 0}));
    ma_subs_.resize(n);
    // Spaces of the agents mapped to each policy.
    std::map<std::string, std::pair<Space, Space>, std::less<>> inferred;
    Episode probe;
    for (const AgentId& agent : ma_envs_.front().agent_ids()) {
      const std::string pid = mapping_(agent, probe, *this);
      if (!resolved.policies.count(pid)) throw unknown_policy(pid, agent, resolved.policy_ids);
      Space obs = ma_envs_.front().observation_space(agent), act = ma_envs_.front().action_space(agent);
      const auto it = inferred.find(pid);
      if (it == inferred.end()) {
        inferred.emplace(pid, std::pair<Space, Space>(std::move(obs), std::move(act)));
      } else if (it->second.first != obs || it->second.second != act) {
        throw SpaceError("policy '" + pid + "'",
                         "agents with different spaces map to it (agent '" + agent + "': " + obs.to_string() + ", " +
                             act.to_string() + "; an earlier agent: " + it->second.first.to_string() + ", " +
                             it->second.second.to_string() + ")",
                         "give the policy's spaces in its PolicySpec, or map these agents to different policies");
      }
    }
    for (const std::string& pid : resolved.policy_ids) {
      PolicySpec& spec = resolved.policies.at(pid);
      const auto it = inferred.find(pid);
      if ((!spec.observation_space || !spec.action_space) && it == inferred.end())
        throw ConfigError("config.multiagent.policies." + pid,
                          "no agent of the env maps to this policy, so its spaces are unknown",
                          "give observation_space and action_space in its PolicySpec");
      const Space obs = spec.observation_space ? *spec.observation_space : it->second.first;
      const Space act = spec.action_space ? *spec.action_space : it->second.second;
      Json policy_config = config;
      policy_config.merge_patch(spec.config);
      const PolicyFactory& factory = spec.factory ? spec.factory : default_policy;
      if (!factory)
        throw ConfigError("config.multiagent.policies." + pid, "has no policy factory and no default policy was given");
      auto policy = factory(obs, act, policy_config, PolicyContext{worker_index, num_workers, pid});
      if (!policy) throw Error("RolloutWorker", "the factory of policy '" + pid + "' returned no policy");
      add_policy(pid, std::move(policy));
    }
    policies_to_train_ = std::move(resolved.policies_to_train);
    policy_ = &policy();
  }

  // ---- sampling ----
  // Single-agent: one fragment per sub-env, postprocessed and concatenated (see the header
  // comment). Multi-agent: sample_multi_agent()'s one policy batch (a ConfigError when the map
  // has several policies: use sample_multi_agent()).
  SampleBatch sample() {
    if (multi_agent_) {
      MultiAgentBatch batch = sample_multi_agent();
      if (entries_.size() != 1)
        throw ConfigError("RolloutWorker::sample", "this multi-agent worker has " + std::to_string(entries_.size()) +
                                                       " policies", "call sample_multi_agent()");
      if (batch.policy_batches.empty()) return SampleBatch{};
      return std::move(batch.policy_batches.begin()->second);
    }
    if (!started_) start();
    const std::size_t n = envs_->num_envs();
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
    set_unroll_id(fragments, unroll_id);
    SampleBatch batch = fragments.size() == 1 ? std::move(fragments.front()) : concat_samples(std::span<const SampleBatch>(fragments));
    callbacks_->on_sample_end(*this, batch);
    return batch;
  }

  // Episodes finished since the last call, as metrics (RLlib's get_metrics).
  std::vector<RolloutMetrics> get_metrics() { return std::exchange(finished_, {}); }

  // ---- the policy map (multi-agent: several policies; single-agent: "default_policy") ----
  bool is_multi_agent() const noexcept { return multi_agent_; }
  // Every policy id (sorted, as RLlib's policy dict).
  const std::vector<std::string>& policy_ids() const noexcept { return policy_ids_; }
  // multiagent.policies_to_train (all policies when not given).
  const std::vector<std::string>& policies_to_train() const noexcept { return policies_to_train_; }
  bool is_policy_to_train(std::string_view policy_id) const {
    return std::find(policies_to_train_.begin(), policies_to_train_.end(), policy_id) != policies_to_train_.end();
  }
  PolicyInterface& policy(std::string_view policy_id) { return *entry(policy_id).policy; }
  const PolicyInterface& policy(std::string_view policy_id) const { return *entry(policy_id).policy; }
  // The observation filter of `policy_id` (each policy has its own, as in RLlib).
  ObservationFilter& filter(std::string_view policy_id) { return entry(policy_id).filter; }
  // Single-agent: sample() as {"default_policy": batch}. Multi-agent: one batch per policy whose
  // agents collected rows, env_steps counted as the env stepped (see docs/rollouts.md).
  MultiAgentBatch sample_multi_agent() {
    if (!multi_agent_) return sample().as_multi_agent();
    return sample_multi_agent_envs();
  }
  // Every policy's weights by id, and back.
  std::map<std::string, std::vector<float>, std::less<>> get_policy_weights() const {
    std::map<std::string, std::vector<float>, std::less<>> weights;
    for (const auto& e : entries_) weights.emplace(e->id, e->policy->get_weights());
    return weights;
  }
  void set_policy_weights(const std::map<std::string, std::vector<float>, std::less<>>& weights) {
    for (const auto& [id, w] : weights) policy(id).set_weights(w);
  }
  // Everything needed to continue this worker exactly, taken between sample() calls: every
  // policy's and filter's state, the sampler's counters and uncollected metrics and, when the env
  // can save its state (supports_state()), the env mid-episode and the running episodes with
  // their partial trajectories (state_json() below lists the keys). A worker built the same way
  // that set_state()s it then samples bit-identical batches and metrics, and its callbacks see
  // the same episodes. The value is exact through dump()/parse() and to_cbor()/from_cbor().
  // Envs without state: the next sample() after set_state starts fresh episodes.
  Json get_state() const { return state_json(); }
  // CheckpointError naming the offending key on a malformed state or one of a worker built
  // differently; this worker is then unchanged.
  void set_state(const Json& state) { restore_state(state); }

  // ---- weights, filters, global vars ----
  // The policy of a single-agent worker; multi-agent: "default_policy" if in the map, else the
  // first policy id.
  PolicyInterface& policy() noexcept { return entry_for_default().policy.operator*(); }
  const PolicyInterface& policy() const noexcept { return *const_cast<RolloutWorker*>(this)->entry_for_default().policy; }
  std::vector<float> get_weights() const { return policy().get_weights(); }
  void set_weights(std::span<const float> weights) { policy().set_weights(weights); }
  void set_global_vars(std::int64_t timestep) {
    for (auto& e : entries_) e->policy->on_global_var_update(timestep);
  }
  // The filter of policy() (every policy's: filter(policy_id)).
  ObservationFilter& filter() noexcept { return entry_for_default().filter; }
  const ObservationFilter& filter() const noexcept { return const_cast<RolloutWorker*>(this)->entry_for_default().filter; }
  int worker_index() const noexcept { return worker_index_; }
  int num_workers() const noexcept { return num_workers_; }
  const Config& config() const noexcept { return config_; }
  // The single-agent worker's vector env (an Error on a multi-agent worker: multi_agent_env(i)).
  VectorEnv<AnyEnv>& env() {
    if (!envs_) throw Error("RolloutWorker::env", "this worker's env is multi-agent", "use multi_agent_env(i)");
    return *envs_;
  }
  // Sub-env i of a multi-agent worker.
  AnyMultiAgentEnv& multi_agent_env(std::size_t i) { return ma_envs_.at(i); }
  std::size_t num_envs() const noexcept { return multi_agent_ ? ma_envs_.size() : envs_->num_envs(); }
  DefaultCallbacks& callbacks() noexcept { return *callbacks_; }
  // Env steps sampled by this worker so far (every sub-env's step counts one).
  std::int64_t num_steps_sampled() const noexcept { return steps_sampled_; }
  // Agent steps (transitions recorded, all agents) so far; single-agent: env steps.
  std::int64_t num_agent_steps_sampled() const noexcept { return multi_agent_ ? agent_steps_sampled_ : steps_sampled_; }
  // multiagent.count_steps_by == "agent_steps".
  bool counts_agent_steps() const noexcept { return count_agent_steps_; }

 private:
  // ---- construction ----
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
    return [make_env, horizon](const EnvContext& ctx) {
      AnyEnv env = make_env(ctx);
      if (!env.supports_state()) return AnyEnv(TimeLimit<AnyEnv>(std::move(env), horizon));
      return AnyEnv(detail::HardHorizon(std::move(env), horizon));
    };
  }
  std::uint64_t seed() const {
    const Json& s = config_.json()["seed"];
    return s.is_null() ? 0 : static_cast<std::uint64_t>(config_.get<std::int64_t>("seed"));
  }
  void read_common_config() {
    fragment_length_ = static_cast<std::size_t>(config_.positive_int("rollout_fragment_length"));
    complete_episodes_ = config_.one_of("batch_mode", {"truncate_episodes", "complete_episodes"}) == "complete_episodes";
    soft_horizon_ = config_.get<bool>("soft_horizon");
    no_done_at_end_ = config_.get<bool>("no_done_at_end");
    bootstrap_truncated_ = config_.get<bool>("bootstrap_truncated_episodes");
    if (!config_.json()["horizon"].is_null()) horizon_ = config_.positive_int("horizon");
    read_reward_clipping();
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
  void add_policy(const std::string& id, std::unique_ptr<PolicyInterface> policy) {
    auto e = std::make_unique<detail::PolicyEntry>(detail::PolicyEntry{
        id, std::move(policy), ObservationFilter(NoFilter(0)), {}, {}, {}, {}, {}, {}});
    e->filter = ObservationFilter::from_config(config_, e->policy->observation_width());
    e->bounds = detail::ActionBounds(e->policy->action_space(), config_);
    entries_.push_back(std::move(e));
    policy_ids_.push_back(id);
  }
  detail::PolicyEntry& entry(std::string_view policy_id) const {
    for (const auto& e : entries_)
      if (e->id == policy_id) return *e;
    throw ConfigError("policy id '" + std::string(policy_id) + "'",
                      "is not in this worker's policy map (policies: " + detail::id_list(policy_ids_) + ")");
  }
  std::size_t entry_index(std::string_view policy_id) const {
    for (std::size_t i = 0; i < entries_.size(); ++i)
      if (entries_[i]->id == policy_id) return i;
    return entries_.size();
  }
  detail::PolicyEntry& entry_for_default() noexcept {
    const std::size_t i = entry_index(default_policy_id);
    return *entries_[i < entries_.size() ? i : 0];
  }
  ConfigError unknown_policy(const std::string& pid, const AgentId& agent, const std::vector<std::string>& ids) const {
    return ConfigError("config.multiagent.policy_mapping_fn",
                       "returned policy id '" + pid + "' for agent '" + agent + "', which is not in multiagent.policies",
                       "known policy ids: " + detail::id_list(ids));
  }
  static void set_unroll_id(std::vector<SampleBatch>& fragments, std::int64_t unroll_id) {
    for (SampleBatch& f : fragments) {
      const std::size_t rows = f.count();
      f.set(cols::unroll_id, xt::xarray<std::int64_t>(xt::zeros<std::int64_t>({rows}) + unroll_id));
    }
  }

  // ---- single-agent sampling ----
  void start() {
    const std::size_t n = envs_->num_envs();
    const std::size_t width = policy_->observation_width();
    obs_.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(width));
    next_obs_.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(width));
    envs_->reset();
    preprocess_rows(envs_->observations(), obs_);
    filter()(obs_, true);
    state_.clear();
    for (const nn::Matrix& s : policy_->get_initial_state())
      state_.push_back(s.replicate(static_cast<Eigen::Index>(n), 1));
    prev_actions_ = nn::Matrix::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(policy_->action_width()));
    prev_rewards_ = nn::Matrix::Zero(static_cast<Eigen::Index>(n), 1);
    for (auto& b : builders_) b.clear();
    for (std::size_t i = 0; i < n; ++i) begin_episode(i, obs_);
    started_ = true;
  }

  // Sub-env i's new episode, whose first observation (preprocessed, filtered) is obs.row(i).
  void begin_episode(std::size_t i, const nn::Matrix& obs) {
    Episode& e = episodes_[i];
    e = Episode{};
    e.episode_id = static_cast<std::int64_t>(episode_ids_.next_u64() >> 1);
    e.env_index = i;
    const auto raw = envs_->observation(i);
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

  void step_once(std::vector<SampleBatch>& fragments, std::size_t& collected) {
    const std::size_t n = envs_->num_envs();
    ObservationFilter& obs_filter = filter();
    const ComputedActions& out =
        policy_->compute_actions(obs_, state_, std::nullopt, std::nullopt, &prev_actions_, &prev_rewards_);
    // As RLlib's compute_actions, the policy's timestep advances by the batch; the trainer sets it
    // to the global count each iteration (set_global_vars).
    policy_->on_global_var_update(policy_->global_timestep() + static_cast<std::int64_t>(n));
    env_actions_.assign(out.actions.data(), out.actions.data() + out.actions.size());
    entries_.front()->bounds.apply(env_actions_);
    envs_->step_flat(env_actions_);
    steps_sampled_ += static_cast<std::int64_t>(n);
    preprocess_rows(envs_->observations(), next_obs_);
    obs_filter(next_obs_, true);
    const auto ended = envs_->episode_ended();
    const std::size_t flat_width = policy_->observation_space().flat_size();
    for (std::size_t i = 0; i < n; ++i) {
      Episode& e = episodes_[i];
      const float raw_reward = envs_->rewards()[i];
      bool terminated = envs_->terminateds()[i] != 0;
      bool truncated = envs_->truncateds()[i] != 0;
      const bool soft_cut = horizon_ > 0 && soft_horizon_ && e.length + 1 >= horizon_ && !ended[i];
      if (soft_cut) truncated = true;
      const bool done = ended[i] != 0 || soft_cut;
      // new_obs: the final observation of an ended episode (preprocessed and filtered), else
      // the next observation.
      new_obs_row_.resize(static_cast<std::size_t>(next_obs_.cols()));
      if (ended[i]) {
        final_obs_.resize(1, next_obs_.cols());
        policy_->observation_space().preprocess(envs_->final_observations().subspan(i * flat_width, flat_width),
                                                std::span<float>(final_obs_.data(), static_cast<std::size_t>(final_obs_.cols())));
        obs_filter(final_obs_, true);
        std::copy_n(final_obs_.data(), final_obs_.cols(), new_obs_row_.data());
      } else {
        std::copy_n(next_obs_.row(static_cast<Eigen::Index>(i)).data(), next_obs_.cols(), new_obs_row_.data());
      }
      const bool truncation_is_terminal = !bootstrap_truncated_ && truncated && ended[i] != 0;  // not soft cuts
      record(i, out, clip_reward(raw_reward), (terminated || truncation_is_terminal) && !no_done_at_end_, truncated);
      e.length += 1;
      e.add_agent_reward(dummy_agent_id, default_policy_id, raw_reward);
      e.last_reward = raw_reward;
      const auto raw_next = ended[i] ? envs_->final_observations().subspan(i * flat_width, flat_width) : envs_->observation(i);
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
    SampleBatch batch = detail::trajectory_batch(builders_[i], policy_->action_space(), static_cast<std::int64_t>(i), 0);
    policy_->postprocess_trajectory(batch);
    callbacks_->on_postprocess_trajectory(*this, episodes_[i], batch);
    return batch;
  }

  // ---- multi-agent sampling ----
  MultiAgentBatch sample_multi_agent_envs() {
    if (!started_) ma_start();
    const std::size_t n = ma_envs_.size();
    const std::size_t target = fragment_length_ * n;
    std::vector<std::vector<SampleBatch>> fragments(entries_.size());
    std::size_t env_collected = 0, agent_collected = 0;
    const std::int64_t unroll_id = unroll_id_++;
    while (true) {
      ma_step(fragments, env_collected, agent_collected);
      ++steps_this_sample_;
      if (complete_episodes_) {
        if ((count_agent_steps_ ? agent_collected : env_collected) >= target) break;
      } else if (count_agent_steps_ ? agent_steps_this_sample_ >= target : steps_this_sample_ >= fragment_length_) {
        break;
      }
    }
    MultiAgentBatch out;
    out.env_steps = complete_episodes_ ? env_collected : steps_this_sample_ * n;
    steps_this_sample_ = 0;
    agent_steps_this_sample_ = 0;
    if (!complete_episodes_)
      for (std::size_t e = 0; e < n; ++e)
        for (detail::AgentSlot& slot : ma_subs_[e].slots)
          if (slot.builder.count > 0) fragments[slot.policy].push_back(finish_slot(e, slot));
    for (std::size_t p = 0; p < entries_.size(); ++p) {
      if (fragments[p].empty()) continue;
      set_unroll_id(fragments[p], unroll_id);
      out.policy_batches.emplace(entries_[p]->id, fragments[p].size() == 1
                                                      ? std::move(fragments[p].front())
                                                      : concat_samples(std::span<const SampleBatch>(fragments[p])));
    }
    callbacks_->on_multi_agent_sample_end(*this, out);
    return out;
  }

  void ma_start() {
    for (std::size_t e = 0; e < ma_envs_.size(); ++e) {
      const Seed env_seed = RandomStream(seed(), static_cast<std::uint64_t>(worker_index_), e, "env").next_u64();
      const auto reset = ma_envs_[e].reset(env_seed);
      begin_ma_episode(e, reset.observations);
    }
    started_ = true;
  }

  // Sub-env e's new episode, starting from the agents' raw observations `raw`.
  void begin_ma_episode(std::size_t e, const AgentDict<std::vector<float>>& raw) {
    detail::MultiAgentSubEnv& sub = ma_subs_[e];
    sub.slots.clear();
    Episode& ep = sub.episode;
    ep = Episode{};
    ep.episode_id = static_cast<std::int64_t>(episode_ids_.next_u64() >> 1);
    ep.env_index = e;
    if (raw.empty())
      throw EnvError("multi-agent env '" + ma_envs_[e].name() + "'", "reset() returned no observation",
                     "reset() must return the observations of the agents that act first");
    for (const auto& [id, obs] : raw) {
      detail::AgentSlot& slot = slot_for(e, id);
      process_observation(slot, obs, slot.obs);
      slot.acting = true;
      EpisodeAgent& agent = ep.agents[id];
      agent.last_raw_observation = obs;
      agent.last_observation = slot.obs;
    }
    callbacks_->on_episode_start(*this, ep, e);
  }

  // The slot of agent `id` in sub-env e, added (and mapped to its policy) on first appearance.
  detail::AgentSlot& slot_for(std::size_t e, const AgentId& id) {
    detail::MultiAgentSubEnv& sub = ma_subs_[e];
    for (detail::AgentSlot& slot : sub.slots)
      if (slot.id == id) return slot;
    const std::string pid = mapping_(id, sub.episode, *this);
    const std::size_t p = entry_index(pid);
    if (p == entries_.size()) throw unknown_policy(pid, id, policy_ids_);
    const PolicyInterface& policy = *entries_[p]->policy;
    detail::AgentSlot slot;
    slot.id = id;
    slot.policy = p;
    slot.agent_index = static_cast<std::int64_t>(sub.slots.size());
    for (const nn::Matrix& s : policy.get_initial_state()) slot.state.emplace_back(s.data(), s.data() + s.cols());
    slot.state_out = slot.state;
    slot.prev_action.assign(policy.action_width(), 0.0f);
    slot.builder.state_in.resize(slot.state.size());
    slot.builder.state_out.resize(slot.state.size());
    EpisodeAgent& agent = sub.episode.agents[id];
    agent.policy_id = pid;
    agent.agent_index = slot.agent_index;
    sub.slots.push_back(std::move(slot));
    return sub.slots.back();
  }

  void process_observation(const detail::AgentSlot& slot, std::span<const float> raw, std::vector<float>& out) {
    detail::PolicyEntry& p = *entries_[slot.policy];
    out.resize(p.policy->observation_width());
    p.policy->observation_space().preprocess(raw, std::span<float>(out));
    p.filter(std::span<float>(out), true);
  }

  // One step of every sub-env: one compute_actions per policy over all its acting agents.
  void ma_step(std::vector<std::vector<SampleBatch>>& fragments, std::size_t& env_collected, std::size_t& agent_collected) {
    const std::size_t n = ma_envs_.size();
    for (auto& p : entries_) p->rows.clear();
    for (std::size_t e = 0; e < n; ++e)
      for (std::size_t s = 0; s < ma_subs_[e].slots.size(); ++s)
        if (ma_subs_[e].slots[s].acting) entries_[ma_subs_[e].slots[s].policy]->rows.emplace_back(e, s);
    for (auto& entry_ptr : entries_) {
      detail::PolicyEntry& p = *entry_ptr;
      if (p.rows.empty()) continue;
      PolicyInterface& pol = *p.policy;
      const auto rows = static_cast<Eigen::Index>(p.rows.size());
      const auto obs_width = static_cast<Eigen::Index>(pol.observation_width());
      const auto act_width = static_cast<Eigen::Index>(pol.action_width());
      p.obs.resize(rows, obs_width);
      p.prev_actions.resize(rows, act_width);
      p.prev_rewards.resize(rows, 1);
      const auto& initial = pol.get_initial_state();
      p.state.resize(initial.size());
      for (std::size_t k = 0; k < initial.size(); ++k) p.state[k].resize(rows, initial[k].cols());
      for (Eigen::Index r = 0; r < rows; ++r) {
        const auto [e, s] = p.rows[static_cast<std::size_t>(r)];
        const detail::AgentSlot& slot = ma_subs_[e].slots[s];
        std::copy(slot.obs.begin(), slot.obs.end(), p.obs.row(r).data());
        std::copy(slot.prev_action.begin(), slot.prev_action.end(), p.prev_actions.row(r).data());
        p.prev_rewards(r, 0) = slot.prev_reward;
        for (std::size_t k = 0; k < initial.size(); ++k) std::copy(slot.state[k].begin(), slot.state[k].end(), p.state[k].row(r).data());
      }
      const ComputedActions& out = pol.compute_actions(p.obs, p.state, std::nullopt, std::nullopt, &p.prev_actions, &p.prev_rewards);
      pol.on_global_var_update(pol.global_timestep() + static_cast<std::int64_t>(rows));
      const auto row_of = [](const nn::Matrix& m, Eigen::Index r) { return std::span<const float>(m.data() + r * m.cols(), static_cast<std::size_t>(m.cols())); };
      for (Eigen::Index r = 0; r < rows; ++r) {
        const auto [e, s] = p.rows[static_cast<std::size_t>(r)];
        detail::AgentSlot& slot = ma_subs_[e].slots[s];
        const auto action = row_of(out.actions, r);
        slot.action.assign(action.begin(), action.end());
        slot.env_action = slot.action;
        p.bounds.apply(slot.env_action);
        slot.logp = out.action_logp(r, 0);
        slot.prob = out.action_prob(r, 0);
        const auto dist = out.action_dist_inputs.size() > 0 ? row_of(out.action_dist_inputs, r) : std::span<const float>();
        slot.dist_inputs.assign(dist.begin(), dist.end());
        slot.has_vf = out.vf_preds.size() > 0;
        if (slot.has_vf) slot.vf = out.vf_preds(r, 0);
        slot.state_out.resize(out.state_out.size());
        for (std::size_t k = 0; k < out.state_out.size(); ++k) {
          const auto so = row_of(out.state_out[k], r);
          slot.state_out[k].assign(so.begin(), so.end());
        }
        slot.reward = 0.0f;
        slot.raw_reward = 0.0;
        slot.acting = false;
        slot.acted_now = true;
        slot.pending = true;
      }
    }
    for (std::size_t e = 0; e < n; ++e) ma_step_env(e, fragments, env_collected, agent_collected);
  }

  void ma_step_env(std::size_t e, std::vector<std::vector<SampleBatch>>& fragments, std::size_t& env_collected,
                   std::size_t& agent_collected) {
    detail::MultiAgentSubEnv& sub = ma_subs_[e];
    step_actions_.clear();
    for (detail::AgentSlot& slot : sub.slots)
      if (slot.acted_now) {
        step_actions_.insert_or_assign(slot.id, slot.env_action);
        sub.episode.agents[slot.id].last_action = slot.env_action;
        slot.acted_now = false;
      }
    if (step_actions_.empty())
      throw EnvError("multi-agent env '" + ma_envs_[e].name() + "'", "no agent is left to act but the episode is not over",
                     "end the episode (terminateds[\"__all__\"]) when the last agent leaves");
    auto result = ma_envs_[e].step(step_actions_);
    ++steps_sampled_;
    Episode& ep = sub.episode;
    ep.length += 1;
    for (const auto& [id, raw] : result.observations) {
      detail::AgentSlot& slot = slot_for(e, id);
      process_observation(slot, raw, slot.next_obs);
      slot.has_next = true;
      EpisodeAgent& agent = ep.agents[id];
      agent.last_raw_observation = raw;
      agent.last_observation = slot.next_obs;
    }
    for (const auto& [id, r] : result.rewards) {
      detail::AgentSlot& slot = slot_for(e, id);
      slot.reward += clip_reward(static_cast<float>(r));
      slot.raw_reward += r;
      ep.add_agent_reward(id, entries_[slot.policy]->id, r);
      ep.agents[id].last_reward = r;
    }
    const bool all_terminated = result.terminateds.get(all_agents, false);
    const bool all_truncated = result.truncateds.get(all_agents, false);
    const bool env_done = all_terminated || all_truncated;
    const bool horizon_cut = horizon_ > 0 && ep.length >= horizon_ && !env_done;
    const bool episode_end = env_done || horizon_cut;
    for (detail::AgentSlot& slot : sub.slots) {
      const bool terminated = result.terminateds.get(slot.id, false) || all_terminated;
      const bool truncated = result.truncateds.get(slot.id, false) || all_truncated || horizon_cut;
      if (slot.pending && (slot.has_next || terminated || truncated)) {
        const bool truncation_is_terminal = !bootstrap_truncated_ && truncated && !(horizon_cut && soft_horizon_);
        record_slot(slot, ep, (terminated || truncation_is_terminal) && !no_done_at_end_, truncated);
        ++agent_steps_this_sample_;
        ++agent_steps_sampled_;
        slot.prev_action = slot.action;
        slot.prev_reward = static_cast<float>(slot.raw_reward);
        slot.state.swap(slot.state_out);
        slot.pending = false;
      }
      if (!slot.done && (terminated || truncated)) {
        slot.done = true;
        slot.acting = false;
        if (slot.builder.count > 0) {
          agent_collected += slot.builder.count;
          fragments[slot.policy].push_back(finish_slot(e, slot));
        }
      }
      if (slot.has_next && !slot.done) {
        slot.obs.swap(slot.next_obs);
        slot.acting = true;
      }
      slot.has_next = false;
    }
    callbacks_->on_episode_step(*this, ep, e);
    if (!episode_end) return;
    callbacks_->on_episode_end(*this, ep, e);
    finished_.push_back(RolloutMetrics::from_episode(ep));
    env_collected += static_cast<std::size_t>(ep.length);
    if (horizon_cut && soft_horizon_) {
      begin_ma_episode(e, result.observations);  // cut for learning only: the env runs on
    } else {
      begin_ma_episode(e, ma_envs_[e].reset(Seed{}).observations);
    }
  }

  void record_slot(detail::AgentSlot& slot, const Episode& ep, bool terminated, bool truncated) {
    detail::TrajectoryBuilder& b = slot.builder;
    b.obs.insert(b.obs.end(), slot.obs.begin(), slot.obs.end());
    const std::vector<float>& new_obs = slot.has_next ? slot.next_obs : slot.obs;
    b.new_obs.insert(b.new_obs.end(), new_obs.begin(), new_obs.end());
    b.actions.insert(b.actions.end(), slot.action.begin(), slot.action.end());
    b.rewards.push_back(slot.reward);
    b.logp.push_back(slot.logp);
    b.prob.push_back(slot.prob);
    b.dist_inputs.insert(b.dist_inputs.end(), slot.dist_inputs.begin(), slot.dist_inputs.end());
    if (slot.has_vf) b.vf_preds.push_back(slot.vf);
    b.prev_actions.insert(b.prev_actions.end(), slot.prev_action.begin(), slot.prev_action.end());
    b.prev_rewards.push_back(slot.prev_reward);
    b.terminateds.push_back(terminated);
    b.truncateds.push_back(truncated);
    b.t.push_back(slot.t++);
    b.eps_id.push_back(ep.episode_id);
    for (std::size_t k = 0; k < slot.state.size(); ++k) {
      b.state_in[k].insert(b.state_in[k].end(), slot.state[k].begin(), slot.state[k].end());
      b.state_out[k].insert(b.state_out[k].end(), slot.state_out[k].begin(), slot.state_out[k].end());
    }
    ++b.count;
  }

  SampleBatch finish_slot(std::size_t e, detail::AgentSlot& slot) {
    PolicyInterface& policy = *entries_[slot.policy]->policy;
    SampleBatch batch =
        detail::trajectory_batch(slot.builder, policy.action_space(), static_cast<std::int64_t>(e), slot.agent_index);
    policy.postprocess_trajectory(batch);
    callbacks_->on_postprocess_trajectory(*this, ma_subs_[e].episode, batch);
    return batch;
  }

  // ---- state (checkpoints) ----
  // See get_state(). "sampler": the episode-id stream, unroll id, step counters and the metrics of
  // finished episodes not yet collected; "env": the env's state (VectorEnv::get_state; multi-agent:
  // one AnyMultiAgentEnv::get_state per sub-env), null when the env cannot save it;
  // "episodes_in_flight": whether "in_flight" holds the running episodes:
  //   single-agent {"obs", "state", "prev_actions", "prev_rewards"}: the next step's inputs
  //                (preprocessed, filtered), "builders" and "episodes": per sub-env;
  //   multi-agent  {"sub_envs": [{"episode", "slots": [per agent: its policy id, inputs, open
  //                transition and trajectory builder]}]}.
  static Json rng_json(const RandomStream& rng) {
    const auto& w = rng.state();
    return Json::array({w[0], w[1], w[2], w[3]});
  }
  static RandomStream rng_from_json(const Json& j) {
    std::vector<std::uint64_t> w;
    state_from_json(j, w);
    if (w.size() != 4) detail::state_json::fail("a random stream state needs 4 words, got " + std::to_string(w.size()));
    if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0) detail::state_json::fail("a random stream state cannot be all zero");
    return RandomStream::from_state({w[0], w[1], w[2], w[3]});
  }

  bool env_supports_state() const {
    if (!multi_agent_) return envs_->supports_state();
    return std::all_of(ma_envs_.begin(), ma_envs_.end(), [](const AnyMultiAgentEnv& env) { return env.supports_state(); });
  }
  Json env_state() const {
    if (!multi_agent_) return envs_->get_state();
    Json envs = Json::array();
    for (const AnyMultiAgentEnv& env : ma_envs_) envs.push_back(env.get_state());
    return envs;
  }
  // All or nothing: sub-envs already restored are rolled back when a later one fails.
  void set_env_state(const Json& state) {
    if (!multi_agent_) return envs_->set_state(state);
    if (!state.is_array() || state.size() != ma_envs_.size())
      throw EnvError("RolloutWorker env", "expected the states of " + std::to_string(ma_envs_.size()) + " sub-envs");
    std::vector<Json> previous;
    for (const AnyMultiAgentEnv& env : ma_envs_) previous.push_back(env.get_state());
    for (std::size_t e = 0; e < ma_envs_.size(); ++e) {
      try {
        ma_envs_[e].set_state(state[e]);
      } catch (...) {
        for (std::size_t k = 0; k < e; ++k) ma_envs_[k].set_state(previous[k]);
        throw;
      }
    }
  }

  Json slot_json(const detail::AgentSlot& s) const {
    return Json{{"id", s.id},
                {"policy", entries_[s.policy]->id},
                {"agent_index", s.agent_index},
                {"t", s.t},
                {"obs", state_to_json(s.obs)},
                {"next_obs", state_to_json(s.next_obs)},
                {"has_next", s.has_next},
                {"state", state_to_json(s.state)},
                {"prev_action", state_to_json(s.prev_action)},
                {"prev_reward", state_to_json(s.prev_reward)},
                {"acting", s.acting},
                {"acted_now", s.acted_now},
                {"pending", s.pending},
                {"done", s.done},
                {"action", state_to_json(s.action)},
                {"env_action", state_to_json(s.env_action)},
                {"action_dist_inputs", state_to_json(s.dist_inputs)},
                {"state_out", state_to_json(s.state_out)},
                {"action_logp", state_to_json(s.logp)},
                {"action_prob", state_to_json(s.prob)},
                {"vf_pred", state_to_json(s.vf)},
                {"has_vf", s.has_vf},
                {"reward", state_to_json(s.reward)},
                {"raw_reward", state_to_json(s.raw_reward)},
                {"builder", detail::worker_state::builder_json(s.builder)}};
  }
  detail::AgentSlot slot_from_json(const Json& json) const {
    namespace ws = detail::worker_state;
    state_keys(json, {"id", "policy", "agent_index", "t", "obs", "next_obs", "has_next", "state", "prev_action",
                      "prev_reward", "acting", "acted_now", "pending", "done", "action", "env_action",
                      "action_dist_inputs", "state_out", "action_logp", "action_prob", "vf_pred", "has_vf", "reward",
                      "raw_reward", "builder"});
    detail::AgentSlot s;
    s.id = ws::string_field(json, "id");
    const std::string policy_id = ws::string_field(json, "policy");
    s.policy = entry_index(policy_id);
    ws::require(s.policy < entries_.size(), "policy",
                "policy '" + policy_id + "' is not in this worker's policy map (policies: " + detail::id_list(policy_ids_) + ")");
    state_field(json, "agent_index", s.agent_index);
    state_field(json, "t", s.t);
    state_field(json, "obs", s.obs);
    state_field(json, "next_obs", s.next_obs);
    state_field(json, "has_next", s.has_next);
    state_field(json, "state", s.state);
    state_field(json, "prev_action", s.prev_action);
    state_field(json, "prev_reward", s.prev_reward);
    state_field(json, "acting", s.acting);
    state_field(json, "acted_now", s.acted_now);
    state_field(json, "pending", s.pending);
    state_field(json, "done", s.done);
    state_field(json, "action", s.action);
    state_field(json, "env_action", s.env_action);
    state_field(json, "action_dist_inputs", s.dist_inputs);
    state_field(json, "state_out", s.state_out);
    state_field(json, "action_logp", s.logp);
    state_field(json, "action_prob", s.prob);
    state_field(json, "vf_pred", s.vf);
    state_field(json, "has_vf", s.has_vf);
    state_field(json, "reward", s.reward);
    state_field(json, "raw_reward", s.raw_reward);
    const PolicyInterface& policy = *entries_[s.policy]->policy;
    const std::size_t obs_width = policy.observation_width(), action_width = policy.action_width();
    ws::BuilderShape shape{obs_width, action_width, {}};
    for (const nn::Matrix& m : policy.get_initial_state()) shape.state.push_back(static_cast<std::size_t>(m.cols()));
    const auto width_is = [](std::string_view key, std::size_t size, std::size_t width, bool or_empty) {
      ws::require(size == width || (or_empty && size == 0), key,
                  "expected " + ws::count_text(width, "values") + (or_empty ? " (or none)" : "") + ", got " + std::to_string(size));
    };
    width_is("obs", s.obs.size(), obs_width, !s.acting && !s.pending);
    width_is("next_obs", s.next_obs.size(), obs_width, !s.has_next);
    width_is("prev_action", s.prev_action.size(), action_width, false);
    width_is("action", s.action.size(), action_width, !s.pending && !s.acted_now);
    width_is("env_action", s.env_action.size(), action_width, !s.acted_now);
    for (const auto* key : {"state", "state_out"}) {
      const auto& tensors = std::string_view(key) == "state" ? s.state : s.state_out;
      ws::require(tensors.size() == shape.state.size(), key,
                  "expected " + ws::count_text(shape.state.size(), "state tensors") + ", got " + std::to_string(tensors.size()));
      for (std::size_t k = 0; k < tensors.size(); ++k)
        width_is(detail::episode_state::index_path(key, k), tensors[k].size(), shape.state[k], false);
    }
    detail::state_json::at_path(".builder", [&] { s.builder = ws::builder_from_json(ws::field(json, "builder"), shape); });
    if (s.pending && s.builder.count > 0)
      ws::require(s.builder.dist_inputs.size() == s.builder.count * s.dist_inputs.size(), "action_dist_inputs",
                  "expected as many values as each row of the builder's");
    return s;
  }

  // What restore_state decodes before it changes anything.
  struct StagedState {
    std::optional<RandomStream> episode_ids;
    std::int64_t unroll_id = 0, steps_sampled = 0, agent_steps_sampled = 0;
    std::size_t steps_this_sample = 0, agent_steps_this_sample = 0;
    std::vector<RolloutMetrics> finished;
    bool in_flight = false;
    nn::Matrix obs, prev_actions, prev_rewards;
    std::vector<nn::Matrix> state;
    std::vector<detail::TrajectoryBuilder> builders;
    std::vector<Episode> episodes;
    std::vector<detail::MultiAgentSubEnv> subs;
  };

  Json state_json() const {
    namespace ws = detail::worker_state;
    Json policies = Json::object(), filters = Json::object();
    for (const auto& e : entries_) {
      policies[e->id] = e->policy->get_state();
      filters[e->id] = e->filter.get_state();
    }
    Json pending = Json::array();
    for (const RolloutMetrics& m : finished_) pending.push_back(ws::metrics_json(m));
    Json sampler{{"episode_ids", rng_json(episode_ids_)},
                 {"unroll_id", unroll_id_},
                 {"num_steps_sampled", steps_sampled_},
                 {"num_agent_steps_sampled", agent_steps_sampled_},
                 {"steps_this_sample", steps_this_sample_},
                 {"agent_steps_this_sample", agent_steps_this_sample_},
                 {"pending_metrics", std::move(pending)}};
    const bool stateful = env_supports_state();
    const bool in_flight = started_ && stateful;
    Json state{{"policies", std::move(policies)},
               {"filters", std::move(filters)},
               {"sampler", std::move(sampler)},
               {"env", stateful ? env_state() : Json(nullptr)},
               {"episodes_in_flight", in_flight}};
    if (!in_flight) return state;
    Json running = Json::object();
    if (multi_agent_) {
      Json subs = Json::array();
      for (const detail::MultiAgentSubEnv& sub : ma_subs_) {
        Json slots = Json::array();
        for (const detail::AgentSlot& slot : sub.slots) slots.push_back(slot_json(slot));
        subs.push_back(Json{{"episode", sub.episode.get_state()}, {"slots", std::move(slots)}});
      }
      running["sub_envs"] = std::move(subs);
    } else {
      Json recurrent = Json::array(), builders = Json::array(), episodes = Json::array();
      for (const nn::Matrix& m : state_) recurrent.push_back(ws::matrix_json(m));
      for (const detail::TrajectoryBuilder& b : builders_) builders.push_back(ws::builder_json(b));
      for (const Episode& e : episodes_) episodes.push_back(e.get_state());
      running = Json{{"obs", ws::matrix_json(obs_)},
                     {"state", std::move(recurrent)},
                     {"prev_actions", ws::matrix_json(prev_actions_)},
                     {"prev_rewards", ws::matrix_json(prev_rewards_)},
                     {"builders", std::move(builders)},
                     {"episodes", std::move(episodes)}};
    }
    state["in_flight"] = std::move(running);
    return state;
  }

  // Decodes the running episodes of get_state()'s "in_flight" into `staged`.
  void decode_in_flight(const Json& json, StagedState& staged) const {
    namespace ws = detail::worker_state;
    const std::size_t n = num_envs();
    if (multi_agent_) {
      state_keys(json, {"sub_envs"});
      staged.subs.resize(n);
      ws::for_each_element(json, "sub_envs", n, [&](const Json& sub_json, std::size_t e) {
        state_keys(sub_json, {"episode", "slots"});
        detail::MultiAgentSubEnv& sub = staged.subs[e];
        detail::state_json::at_path(".episode", [&] {
          sub.episode = detail::episode_state::episode_from_json(ws::field(sub_json, "episode"));
          ws::require(sub.episode.env_index == e, "env_index", "expected " + std::to_string(e));
        });
        ws::for_each_element(sub_json, "slots", std::size_t(-1), [&](const Json& slot_json, std::size_t) {
          detail::AgentSlot slot = slot_from_json(slot_json);
          for (const detail::AgentSlot& other : sub.slots)
            ws::require(other.id != slot.id, "id", "agent '" + slot.id + "' has two slots");
          sub.slots.push_back(std::move(slot));
        });
      });
      return;
    }
    state_keys(json, {"obs", "state", "prev_actions", "prev_rewards", "builders", "episodes"});
    const std::size_t obs_width = policy_->observation_width(), action_width = policy_->action_width();
    const auto& initial = policy_->get_initial_state();
    ws::BuilderShape shape{obs_width, action_width, {}};
    for (const nn::Matrix& m : initial) shape.state.push_back(static_cast<std::size_t>(m.cols()));
    staged.obs = ws::matrix_from_json(json, "obs", n, obs_width);
    staged.prev_actions = ws::matrix_from_json(json, "prev_actions", n, action_width);
    staged.prev_rewards = ws::matrix_from_json(json, "prev_rewards", n, 1);
    staged.state.resize(initial.size());
    ws::for_each_element(json, "state", initial.size(), [&](const Json& m, std::size_t k) {
      staged.state[k] = ws::matrix_from_values(m, n, shape.state[k]);
    });
    staged.builders.resize(n);
    ws::for_each_element(json, "builders", n, [&](const Json& b, std::size_t i) { staged.builders[i] = ws::builder_from_json(b, shape); });
    staged.episodes.resize(n);
    ws::for_each_element(json, "episodes", n, [&](const Json& e, std::size_t i) {
      staged.episodes[i] = detail::episode_state::episode_from_json(e);
      ws::require(staged.episodes[i].env_index == i, "env_index", "expected " + std::to_string(i));
    });
  }

  void restore_state(const Json& state) {
    namespace ws = detail::worker_state;
    const std::string where = "RolloutWorker::set_state";
    if (!state.is_object() || !state.contains("policies") || !state["policies"].is_object())
      throw CheckpointError(where, "expected an object with \"policies\"", "pass what RolloutWorker::get_state() returned");
    // 1. Decode and check everything of the worker's own; nothing changes yet.
    StagedState staged;
    const Json* env_json = nullptr;
    try {
      const auto known_ids = [&](std::string_view key) {
        for (const auto& item : ws::field(state, key).items())
          ws::require(entry_index(item.key()) < entries_.size(), key,
                      "policy '" + item.key() + "' is not in this worker's policy map (policies: " +
                          detail::id_list(policy_ids_) + ")");
      };
      known_ids("policies");
      if (state.contains("filters")) {
        ws::require(state["filters"].is_object(), "filters", "expected {policy id: filter state}");
        known_ids("filters");
      }
      if (state.contains("sampler")) {
        detail::state_json::at_path(".sampler", [&] {
          const Json& s = state["sampler"];
          state_keys(s, {"episode_ids", "unroll_id", "num_steps_sampled", "num_agent_steps_sampled", "steps_this_sample",
                         "agent_steps_this_sample", "pending_metrics"});
          detail::state_json::at_path(".episode_ids", [&] { staged.episode_ids = rng_from_json(ws::field(s, "episode_ids")); });
          const auto optional_field = [&](std::string_view key, auto& value) {
            if (s.contains(key)) state_field(s, key, value);
          };
          optional_field("unroll_id", staged.unroll_id);
          optional_field("num_steps_sampled", staged.steps_sampled);
          optional_field("num_agent_steps_sampled", staged.agent_steps_sampled);
          optional_field("steps_this_sample", staged.steps_this_sample);
          optional_field("agent_steps_this_sample", staged.agent_steps_this_sample);
          if (s.contains("pending_metrics"))
            ws::for_each_element(s, "pending_metrics", std::size_t(-1), [&](const Json& m, std::size_t) {
              staged.finished.push_back(ws::metrics_from_json(m));
            });
        });
      }
      if (state.contains("episodes_in_flight")) state_field(state, "episodes_in_flight", staged.in_flight);
      if (state.contains("env") && !state["env"].is_null()) env_json = &state["env"];
      const bool stateful = env_supports_state();
      if ((staged.in_flight || env_json) && !stateful)
        throw CheckpointError(where, "the state holds the env's state and running episodes, but this worker's env cannot restore them",
                              "restore into a worker built the same way (an env with get_state()/set_state())");
      if (staged.in_flight) {
        ws::require(env_json != nullptr, "env", "running episodes need the env's state");
        detail::state_json::at_path(".in_flight", [&] { decode_in_flight(ws::field(state, "in_flight"), staged); });
      }
    } catch (const EnvError& error) {
      throw detail::episode_state::checkpoint_error(where, error);
    } catch (const Json::exception& error) {
      throw CheckpointError(where, std::string("malformed state: ") + error.what(), "pass what RolloutWorker::get_state() returned");
    }
    // 2. Policies, filters and the env, which check their own parts; on a failure everything is
    // set back as it was.
    Json previous_policies = Json::object(), previous_filters = Json::object();
    for (const auto& e : entries_) {
      previous_policies[e->id] = e->policy->get_state();
      previous_filters[e->id] = e->filter.get_state();
    }
    try {
      for (const auto& [id, s] : state["policies"].items()) policy(id).set_state(s);
      if (state.contains("filters")) {
        for (const auto& [id, s] : state["filters"].items()) filter(id).set_state(s);
      } else if (state.contains("filter")) {
        filter().set_state(state["filter"]);
      }
      if (env_json) set_env_state(*env_json);
    } catch (const std::exception& error) {
      try {
        for (const auto& e : entries_) {
          e->policy->set_state(previous_policies[e->id]);
          e->filter.set_state(previous_filters[e->id]);
        }
      } catch (...) {  // (this worker's own state: does not fail)
      }
      if (const auto* checkpoint_error = dynamic_cast<const CheckpointError*>(&error)) throw *checkpoint_error;
      if (const auto* rlpp_error = dynamic_cast<const Error*>(&error))
        throw CheckpointError(where, rlpp_error->where() + ": " + rlpp_error->message(), rlpp_error->fix());
      throw CheckpointError(where, std::string("malformed state: ") + error.what(), "pass what RolloutWorker::get_state() returned");
    }
    // 3. Commit (nothing here throws).
    if (staged.episode_ids) episode_ids_ = *staged.episode_ids;
    if (state.contains("sampler")) {
      unroll_id_ = staged.unroll_id;
      steps_sampled_ = staged.steps_sampled;
      agent_steps_sampled_ = staged.agent_steps_sampled;
      finished_ = std::move(staged.finished);
    }
    started_ = staged.in_flight;
    steps_this_sample_ = staged.in_flight ? staged.steps_this_sample : 0;
    agent_steps_this_sample_ = staged.in_flight ? staged.agent_steps_this_sample : 0;
    if (!staged.in_flight) return;  // the next sample() starts fresh episodes
    if (multi_agent_) {
      ma_subs_ = std::move(staged.subs);
      return;
    }
    obs_ = std::move(staged.obs);
    next_obs_.resize(obs_.rows(), obs_.cols());
    state_ = std::move(staged.state);
    prev_actions_ = std::move(staged.prev_actions);
    prev_rewards_ = std::move(staged.prev_rewards);
    builders_ = std::move(staged.builders);
    episodes_ = std::move(staged.episodes);
  }

  Config config_;
  int worker_index_ = 0;
  int num_workers_ = 0;
  std::shared_ptr<DefaultCallbacks> callbacks_;
  std::unique_ptr<VectorEnv<AnyEnv>> envs_;  // single-agent
  RandomStream episode_ids_;
  bool multi_agent_ = false;
  std::vector<std::unique_ptr<detail::PolicyEntry>> entries_;  // in policy_ids_ order
  std::vector<std::string> policy_ids_;
  std::vector<std::string> policies_to_train_;
  PolicyInterface* policy_ = nullptr;  // single-agent: the one policy
  PolicyMappingFn mapping_;
  bool count_agent_steps_ = false;
  std::size_t fragment_length_ = 200;
  bool complete_episodes_ = false;
  bool soft_horizon_ = false;
  bool no_done_at_end_ = false;
  bool bootstrap_truncated_ = true;
  std::int64_t horizon_ = 0;
  bool sign_clip_ = false;
  float reward_clip_ = 0.0f;

  bool started_ = false;
  std::size_t steps_this_sample_ = 0;
  std::size_t agent_steps_this_sample_ = 0;
  std::int64_t steps_sampled_ = 0;
  std::int64_t agent_steps_sampled_ = 0;
  std::int64_t unroll_id_ = 0;
  // single-agent
  nn::Matrix obs_, next_obs_, final_obs_, prev_actions_, prev_rewards_;
  std::vector<nn::Matrix> state_;
  std::vector<float> env_actions_, new_obs_row_;
  std::vector<detail::TrajectoryBuilder> builders_;
  std::vector<Episode> episodes_;
  // multi-agent
  std::vector<AnyMultiAgentEnv> ma_envs_;
  std::vector<detail::MultiAgentSubEnv> ma_subs_;
  AgentDict<std::vector<float>> step_actions_;

  std::vector<RolloutMetrics> finished_;
};

}  // namespace rlpp
