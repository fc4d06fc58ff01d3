#pragma once
// DDPGModel: DDPG's and TD3's networks in one model (RLlib's DDPGTorchModel): a deterministic
// actor (policy_model) squashing into the Box bounds, and one or two critics Q(s, a) (q_model,
// twin_q_model). forward() is the actor, so compute_actions with a Deterministic action
// distribution and GaussianNoise / OrnsteinUhlenbeckNoise exploration work as for any policy;
// the losses call actor / q1 / q2 / q_values / min_q with whichever binding they need (online,
// frozen, target). Two parameter groups, "actor" then "critic", each with its own optimizer.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/models/deterministic_actor.hpp"
#include "rlpp/models/detail/common.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/models/twin_q.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// Q1(s, a) and, with twin_q, Q2(s, a) of the same rows ([rows, 1] each; q2 empty without twin_q).
template <class T>
struct TwinQValues {
  ad::BasicVar<T> q1;
  ad::BasicVar<T> q2;
};

// Blocks ("<name>." prefix): policy.fc_1 .. policy.fc_k, policy.fc_out (the actor, group
// "actor"); q.fc_1 .. q.fc_out and with twin_q twin_q.fc_1 .. twin_q.fc_out (group "critic").
class DDPGModel {
 public:
  // The policy config keys it reads (rllib/agents/ddpg/ddpg.py's model section).
  static Json defaults() {
    return Json{{"actor_hiddens", {400, 300}},
                {"actor_hidden_activation", "relu"},
                {"critic_hiddens", {400, 300}},
                {"critic_hidden_activation", "relu"},
                {"twin_q", false}};
  }

  // Options from ctx.policy_config (ActorOptions::from_policy_config, CriticOptions::ddpg).
  DDPGModel(const ModelContext& ctx, nn::Parameters& params)
      : DDPGModel(ctx, params, ActorOptions::from_policy_config(ctx.policy_config), CriticOptions::ddpg(ctx.policy_config)) {}

  DDPGModel(const ModelContext& ctx, nn::Parameters& params, const ActorOptions& actor, const CriticOptions& critic)
      : name_(ctx.name), obs_size_(ctx.observation_space.preprocessed_size()) {
    const auto* box = ctx.action_space.get_if<Box>();
    if (box == nullptr)
      throw SpaceError(where(), "DDPG and TD3 need a Box action space, got " + ctx.action_space.to_string(),
                       "use DQN or SAC for discrete actions");
    if (!box->is_bounded())
      throw SpaceError(where(), "DDPG's actor squashes its actions into the Box bounds, but " +
                                    ctx.action_space.to_string() + " is unbounded",
                       "give the Box finite low and high (e.g. wrap the env with RescaleAction)");
    ModelContext actor_ctx = ctx;
    actor_ctx.name = model_detail::block_prefix(ctx.name, "policy");
    const std::size_t actor_begin = params.size();
    actor_.emplace(actor_ctx, params, actor);
    const std::size_t actor_end = params.size();
    const std::size_t first_critic_block = params.blocks().size();
    critic_.emplace(ctx, params, critic);
    groups_ = {nn::ParamGroup{"actor", actor_begin, actor_end}, nn::ParamGroup{"critic", actor_end, params.size()}};
    // Weights (not biases) of each part: what l2_reg penalizes (RLlib: names without "bias").
    for (std::size_t k = 0; k < params.blocks().size(); ++k) {
      if (params.blocks()[k].name.find("bias") != std::string::npos) continue;
      (k < first_critic_block ? actor_weights_ : critic_weights_).push_back(k);
    }
    low_.resize(box->flat_size());
    high_.resize(box->flat_size());
    for (std::size_t i = 0; i < box->flat_size(); ++i) {
      low_[i] = static_cast<float>(box->low()[i]);
      high_[i] = static_cast<float>(box->high()[i]);
    }
  }

  // ---- the policy_model concept ----
  // outputs: the actor's actions [rows, action size] (the Deterministic distribution's inputs).
  template <class T>
  ModelOutput<T> forward(const nn::ParameterBinding<T>& p, const ModelInput<T>& in) const {
    return actor_->forward(p, in);
  }
  // No state-value head: always an Error.
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>&, const ModelOutput<T>&) const {
    throw Error(where(), "DDPG has no state-value head", "Q values come from q1 / q2 / min_q");
  }
  std::size_t num_outputs() const noexcept { return actor_->num_outputs(); }
  std::vector<nn::Matrix> initial_state() const { return {}; }
  std::vector<nn::ParamGroup> parameter_groups() const { return groups_; }

  // ---- the networks ----
  // mu(s): deterministic actions [rows, action size] inside the bounds.
  template <class T>
  ad::BasicVar<T> actor(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs) const {
    ModelInput<T> in;
    in.obs = obs;
    return actor_->forward(p, in).outputs;
  }
  template <class T>
  ad::BasicVar<T> q1(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions) const {
    return critic_->q1(p, obs, actions);
  }
  // The twin critic; an Error without twin_q.
  template <class T>
  ad::BasicVar<T> q2(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions) const {
    return critic_->q2(p, obs, actions);
  }
  // min(Q1, Q2) with twin_q, else Q1.
  template <class T>
  ad::BasicVar<T> min_q(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions) const {
    return critic_->min_q(p, obs, actions);
  }
  // Q1 and (twin_q) Q2 of the same (s, a), concatenating them once.
  template <class T>
  TwinQValues<T> q_values(const nn::ParameterBinding<T>& p, ad::BasicVar<T> obs, ad::BasicVar<T> actions) const {
    if (!critic_->twin_q()) return {critic_->q1(p, obs, actions), {}};
    const ad::BasicVar<T> x = critic_input(obs, actions);
    return {critic_->q_network().forward(p, x), critic_->twin_q_network()->forward(p, x)};
  }

  bool twin_q() const noexcept { return critic_->twin_q(); }
  std::size_t action_size() const noexcept { return low_.size(); }
  // The Box bounds, one per action element (TD3's smoothed target actions are clamped to them).
  const std::vector<float>& action_low() const noexcept { return low_; }
  const std::vector<float>& action_high() const noexcept { return high_; }
  // Indices (into Parameters::blocks()) of the actor's / critics' weight matrices (no biases).
  const std::vector<std::size_t>& actor_weight_blocks() const noexcept { return actor_weights_; }
  const std::vector<std::size_t>& critic_weight_blocks() const noexcept { return critic_weights_; }
  const DeterministicActor& actor_model() const { return *actor_; }
  const TwinQ& critic_model() const { return *critic_; }
  const std::string& name() const noexcept { return name_; }

 private:
  static constexpr std::string_view kind = "DDPGModel";
  std::string where() const { return model_detail::model_where(kind, name_); }

  template <class T>
  ad::BasicVar<T> critic_input(ad::BasicVar<T> obs, ad::BasicVar<T> actions) const {
    model_detail::check_obs(kind, name_, obs, obs_size_);
    if (!actions.has_value() || actions.rows() != obs.rows() || actions.cols() != static_cast<Eigen::Index>(low_.size()))
      throw Error(where(), "q_values needs actions [" + std::to_string(obs.rows()) + ", " + std::to_string(low_.size()) +
                               "], got " + (actions.has_value() ? model_detail::shape_string(actions) : std::string("none")));
    return ad::concat(obs, actions);
  }

  std::string name_;
  std::size_t obs_size_ = 0;
  std::optional<DeterministicActor> actor_;
  std::optional<TwinQ> critic_;
  std::vector<nn::ParamGroup> groups_;
  std::vector<std::size_t> actor_weights_;
  std::vector<std::size_t> critic_weights_;
  std::vector<float> low_;
  std::vector<float> high_;
};

static_assert(policy_model<DDPGModel>, "DDPGModel must satisfy rlpp::policy_model");

}  // namespace rlpp
