#pragma once
// PolicyInterface: the policy API behind one virtual interface, for the places that hold policies
// of different types side by side (a worker's policy map: a learned PPO policy next to a
// heuristic one). One virtual call per batch of actions, so the cost is nothing next to the
// forward pass; code that knows its policy type uses it directly.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

class PolicyInterface {
 public:
  virtual ~PolicyInterface() = default;

  virtual std::string_view policy_name() const = 0;
  virtual const Space& observation_space() const = 0;
  virtual const Space& action_space() const = 0;
  virtual const Config& config() const = 0;
  virtual std::size_t observation_width() const = 0;
  virtual std::size_t action_width() const = 0;
  virtual bool uses_value_predictions() const = 0;

  virtual const ComputedActions& compute_actions(Eigen::Ref<const nn::Matrix> obs, std::span<const nn::Matrix> state = {},
                                                 std::optional<bool> explore = std::nullopt,
                                                 std::optional<std::int64_t> timestep = std::nullopt,
                                                 const nn::Matrix* prev_actions = nullptr,
                                                 const nn::Matrix* prev_rewards = nullptr) = 0;
  virtual const ComputedActions& compute_single_action(std::span<const float> observation,
                                                       std::span<const nn::Matrix> state = {},
                                                       std::optional<bool> explore = std::nullopt) = 0;
  virtual void postprocess_trajectory(SampleBatch& batch) = 0;
  virtual Json learn_on_batch(const SampleBatch& batch) = 0;
  virtual std::pair<std::vector<float>, Json> compute_gradients(const SampleBatch& batch) = 0;
  virtual void apply_gradients(std::span<const float> gradients) = 0;

  virtual std::vector<float> get_weights() const = 0;
  virtual void set_weights(std::span<const float> weights) = 0;
  virtual Json get_state() const = 0;
  virtual void set_state(const Json& state) = 0;
  virtual void on_global_var_update(std::int64_t timestep) = 0;
  virtual std::int64_t global_timestep() const = 0;

  virtual bool is_recurrent() const = 0;
  // Copies the online networks into the target networks (DQN, SAC, DDPG); an Error for policies
  // without target networks.
  virtual void update_target() {
    throw Error("policy '" + std::string(policy_name()) + "'", "has no target network to update",
                "UpdateTargetNetwork belongs in plans of policies with update_target() (DQN, SAC, DDPG)");
  }
  // Adapts a KL penalty coefficient to the KL measured in the last train step (PPO's
  // KLCoeffMixin) and returns the new one; an Error for policies without one.
  virtual double update_kl(double sampled_kl) {
    (void)sampled_kl;
    throw Error("policy '" + std::string(policy_name()) + "'", "has no KL coefficient to update",
                "UpdateKL belongs in plans of policies with update_kl() (PPO's KLCoeffMixin)");
  }
  // Per-row TD errors of the last learn_on_batch (prioritized replay); empty if the loss sets none.
  virtual std::span<const float> td_errors() const { return {}; }
  virtual const std::vector<nn::Matrix>& get_initial_state() const = 0;

  // A fresh policy of the same type and config (a worker's own copy; weights come by set_weights).
  virtual std::unique_ptr<PolicyInterface> clone_untrained() const = 0;
};

// Any policy type behind PolicyInterface. P is built as P(observation_space, action_space,
// config, context, check) like rlpp::Policy.
template <class P>
class PolicyAdapter final : public PolicyInterface {
 public:
  template <class... Args>
  explicit PolicyAdapter(Args&&... args) : policy_(std::forward<Args>(args)...) {}

  P& policy() noexcept { return policy_; }
  const P& policy() const noexcept { return policy_; }

  std::string_view policy_name() const override { return policy_.policy_name(); }
  const Space& observation_space() const override { return policy_.observation_space(); }
  const Space& action_space() const override { return policy_.action_space(); }
  const Config& config() const override { return policy_.config(); }
  std::size_t observation_width() const override { return policy_.observation_width(); }
  std::size_t action_width() const override { return policy_.action_width(); }
  bool uses_value_predictions() const override { return P::uses_value_predictions; }

  const ComputedActions& compute_actions(Eigen::Ref<const nn::Matrix> obs, std::span<const nn::Matrix> state,
                                         std::optional<bool> explore, std::optional<std::int64_t> timestep,
                                         const nn::Matrix* prev_actions, const nn::Matrix* prev_rewards) override {
    return policy_.compute_actions(obs, state, explore, timestep, prev_actions, prev_rewards);
  }
  const ComputedActions& compute_single_action(std::span<const float> observation, std::span<const nn::Matrix> state,
                                               std::optional<bool> explore) override {
    return policy_.compute_single_action(observation, state, explore);
  }
  void postprocess_trajectory(SampleBatch& batch) override { policy_.postprocess_trajectory(batch); }
  Json learn_on_batch(const SampleBatch& batch) override { return policy_.learn_on_batch(batch); }
  std::pair<std::vector<float>, Json> compute_gradients(const SampleBatch& batch) override {
    return policy_.compute_gradients(batch);
  }
  void apply_gradients(std::span<const float> gradients) override { policy_.apply_gradients(gradients); }

  std::vector<float> get_weights() const override { return policy_.get_weights(); }
  void set_weights(std::span<const float> weights) override { policy_.set_weights(weights); }
  Json get_state() const override { return policy_.get_state(); }
  void set_state(const Json& state) override { policy_.set_state(state); }
  void on_global_var_update(std::int64_t timestep) override { policy_.on_global_var_update(timestep); }
  std::int64_t global_timestep() const override { return policy_.global_timestep(); }

  bool is_recurrent() const override { return policy_.is_recurrent(); }
  void update_target() override {
    if constexpr (requires(P& p) { p.update_target(); }) {
      policy_.update_target();
    } else {
      PolicyInterface::update_target();
    }
  }
  double update_kl(double sampled_kl) override {
    if constexpr (requires(P& p) { p.update_kl(sampled_kl); }) {
      return policy_.update_kl(sampled_kl);
    } else {
      return PolicyInterface::update_kl(sampled_kl);
    }
  }
  std::span<const float> td_errors() const override {
    if constexpr (requires(const P& p) { p.td_errors(); }) return policy_.td_errors();
    else return {};
  }
  const std::vector<nn::Matrix>& get_initial_state() const override { return policy_.get_initial_state(); }

  std::unique_ptr<PolicyInterface> clone_untrained() const override {
    return std::make_unique<PolicyAdapter<P>>(policy_.observation_space(), policy_.action_space(),
                                              policy_.config().json(), policy_.context(), ConfigCheck::lenient);
  }

 private:
  P policy_;
};

// A policy of type P behind the interface: make_policy<P>(obs_space, action_space, config, ...).
template <class P, class... Args>
std::unique_ptr<PolicyInterface> make_policy(Args&&... args) {
  return std::make_unique<PolicyAdapter<P>>(std::forward<Args>(args)...);
}

}  // namespace rlpp
