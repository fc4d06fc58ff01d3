#pragma once
// HeuristicPolicy: the base of policies that are written, not learned (RLlib's scripted policies,
// e.g. rock_paper_scissors_dummies.py), so they can sit in a worker's policy map next to learned
// ones. A derived class overrides compute_heuristic_actions; learning is a no-op, there are no
// weights, and the state is the global timestep and a random stream (bit-identical restore).
//
//   struct BeatLast : rlpp::HeuristicPolicy<BeatLast> {
//     using HeuristicPolicy::HeuristicPolicy;   // (obs_space, action_space, config, context)
//     void compute_heuristic_actions(const rlpp::nn::Matrix& obs, std::span<const rlpp::nn::Matrix>,
//                                    rlpp::ComputedActions& out) override { ... out.actions(r, 0) = ...; }
//   };
//   spec.policies["beat_last"] = {rlpp::policy_factory<BeatLast>()};
//
// Observations arrive preprocessed (a Discrete(n) observation is a one-hot row of n floats).
// A heuristic that keeps per-episode memory declares it as recurrent state: the initial state
// passed to the constructor is what every agent starts each episode with; the worker carries
// out.state_out (a copy of the state in by default) from step to step.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/policy/any_policy.hpp"

namespace rlpp {

template <class Derived>
class HeuristicPolicy : public PolicyInterface {
 public:
  HeuristicPolicy(const Space& observation_space, const Space& action_space, const Json& config,
                  const PolicyContext& context, std::vector<nn::Matrix> initial_state = {})
      : observation_space_(observation_space),
        action_space_(action_space),
        config_(config),
        context_(context),
        initial_state_(std::move(initial_state)),
        rng_(seed_of(config), static_cast<std::uint64_t>(context.worker_index), 0, "heuristic:" + context.policy_id) {}

  // Writes out.actions (rows x action_width, integers for discrete spaces); out.state_out holds a
  // copy of `state` to change if the heuristic keeps memory.
  virtual void compute_heuristic_actions(const nn::Matrix& obs, std::span<const nn::Matrix> state,
                                         ComputedActions& out) = 0;

  // A random stream of this policy's own (seeded by config "seed", the worker index and the
  // policy id; part of get_state).
  RandomStream& rng() noexcept { return rng_; }
  const PolicyContext& context() const noexcept { return context_; }

  std::string_view policy_name() const override { return "HeuristicPolicy"; }
  const Space& observation_space() const override { return observation_space_; }
  const Space& action_space() const override { return action_space_; }
  const Config& config() const override { return config_; }
  std::size_t observation_width() const override { return observation_space_.preprocessed_size(); }
  std::size_t action_width() const override { return action_space_.flat_size(); }
  bool uses_value_predictions() const override { return false; }

  const ComputedActions& compute_actions(Eigen::Ref<const nn::Matrix> obs, std::span<const nn::Matrix> state = {},
                                         std::optional<bool> /*explore*/ = std::nullopt,
                                         std::optional<std::int64_t> /*timestep*/ = std::nullopt,
                                         const nn::Matrix* /*prev_actions*/ = nullptr,
                                         const nn::Matrix* /*prev_rewards*/ = nullptr) override {
    const Eigen::Index rows = obs.rows();
    obs_ = obs;
    out_.actions = nn::Matrix::Zero(rows, static_cast<Eigen::Index>(action_width()));
    out_.action_logp = nn::Matrix::Zero(rows, 1);
    out_.action_prob = nn::Matrix::Ones(rows, 1);
    out_.action_dist_inputs = nn::Matrix::Zero(rows, 0);
    out_.vf_preds = nn::Matrix();
    out_.state_out.assign(state.begin(), state.end());
    compute_heuristic_actions(obs_, state, out_);
    return out_;
  }
  const ComputedActions& compute_single_action(std::span<const float> observation, std::span<const nn::Matrix> state = {},
                                               std::optional<bool> explore = std::nullopt) override {
    nn::Matrix row(1, static_cast<Eigen::Index>(observation.size()));
    std::copy(observation.begin(), observation.end(), row.data());
    std::vector<nn::Matrix> s(state.begin(), state.end());
    if (s.empty()) s = initial_state_;
    return compute_actions(row, s, explore);
  }
  void postprocess_trajectory(SampleBatch&) override {}
  Json learn_on_batch(const SampleBatch&) override { return Json{{"learner_stats", Json::object()}}; }
  std::pair<std::vector<float>, Json> compute_gradients(const SampleBatch&) override {
    return {{}, Json{{"learner_stats", Json::object()}}};
  }
  void apply_gradients(std::span<const float>) override {}

  std::vector<float> get_weights() const override { return {}; }
  void set_weights(std::span<const float>) override {}
  Json get_state() const override {
    const auto& s = rng_.state();
    return Json{{"policy", "HeuristicPolicy"}, {"global_timestep", timestep_}, {"rng", {s[0], s[1], s[2], s[3]}}};
  }
  void set_state(const Json& state) override {
    timestep_ = state.value("global_timestep", std::int64_t{0});
    if (state.contains("rng")) {
      const auto words = state["rng"].get<std::vector<std::uint64_t>>();
      if (words.size() == 4) rng_ = RandomStream::from_state({words[0], words[1], words[2], words[3]});
    }
  }
  void on_global_var_update(std::int64_t timestep) override { timestep_ = timestep; }
  std::int64_t global_timestep() const override { return timestep_; }

  bool is_recurrent() const override { return !initial_state_.empty(); }
  const std::vector<nn::Matrix>& get_initial_state() const override { return initial_state_; }

  std::unique_ptr<PolicyInterface> clone_untrained() const override {
    return std::make_unique<Derived>(observation_space_, action_space_, config_.json(), context_);
  }

 private:
  static std::uint64_t seed_of(const Json& config) {
    if (!config.is_object() || !config.contains("seed") || config["seed"].is_null()) return 0;
    return static_cast<std::uint64_t>(config["seed"].get<std::int64_t>());
  }

  Space observation_space_, action_space_;
  Config config_;
  PolicyContext context_;
  std::vector<nn::Matrix> initial_state_;
  RandomStream rng_;
  std::int64_t timestep_ = 0;
  nn::Matrix obs_;
  ComputedActions out_;
};

}  // namespace rlpp
