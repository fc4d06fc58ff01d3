#pragma once
// DeterministicActor: DDPG's and TD3's policy network (RLlib's DDPGTorchModel policy_model). An
// MLP over the observations to one value per action dimension, squashed into the Box bounds:
//   a = low + (tanh(x) + 1) / 2 * (high - low)
// (RLlib writes it as sigmoid(2x), the same function). forward's outputs are the actions, the
// inputs of a Deterministic action distribution.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/unary.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/models/detail/common.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/nn/layers/activations.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp {

struct ActorOptions {
  std::vector<std::size_t> hiddens = {400, 300};
  nn::Activation activation = nn::Activation(nn::Activation::Kind::relu);
  // Xavier-uniform weights, zero biases: RLlib's DDPGTorchModel.
  nn::DenseInits inits = {nn::Init::xavier_uniform(), nn::Init::xavier_uniform(), nn::Init::zeros()};

  // DDPG / TD3 (rllib/agents/ddpg/ddpg.py): "actor_hiddens" [400, 300],
  // "actor_hidden_activation" "relu"; defaults when absent.
  static ActorOptions from_policy_config(const Config& policy_config) {
    ActorOptions options;
    if (policy_config.contains("actor_hiddens"))
      options.hiddens = model_detail::to_sizes(policy_config.positive_int_list("actor_hiddens"));
    if (policy_config.contains("actor_hidden_activation"))
      options.activation = nn::activation_from_name(policy_config.value("actor_hidden_activation"),
                                                    policy_config.path_of("actor_hidden_activation"));
    return options;
  }
};

// Blocks ("<name>." prefix): fc_1 .. fc_k (actor_hiddens, activated), fc_out (hidden x action
// size, then the squashing).
class DeterministicActor {
 public:
  // The policy config keys it reads, with their defaults (a policy using this model accepts them).
  static Json defaults() { return Json{{"actor_hiddens", {400, 300}}, {"actor_hidden_activation", "relu"}}; }
  // Options from ctx.policy_config (ActorOptions::from_policy_config).
  DeterministicActor(const ModelContext& ctx, nn::Parameters& params)
      : DeterministicActor(ctx, params, ActorOptions::from_policy_config(ctx.policy_config)) {}

  DeterministicActor(const ModelContext& ctx, nn::Parameters& params, const ActorOptions& options)
      : name_(ctx.name), obs_size_(ctx.observation_space.preprocessed_size()) {
    const auto* box = ctx.action_space.get_if<Box>();
    if (box == nullptr)
      throw SpaceError(where(), "a deterministic actor needs a Box action space, got " + ctx.action_space.to_string(),
                       "use DQN or SAC for discrete actions");
    if (!box->is_bounded())
      throw SpaceError(where(), "a deterministic actor squashes into the action bounds, but " +
                                    ctx.action_space.to_string() + " is unbounded",
                       "give the Box finite low and high (e.g. wrap the env with RescaleAction)");
    const std::size_t dim = box->flat_size();
    if (ctx.num_outputs != 0 && ctx.num_outputs != dim)
      throw Error(where(), "num_outputs is " + std::to_string(ctx.num_outputs) + " but the action space " +
                               ctx.action_space.to_string() + " has " + std::to_string(dim) + " dimensions",
                  "pass num_outputs 0 or the action size");
    RandomStream& rng = model_detail::model_rng(ctx, kind);
    low_ = MatrixD(1, static_cast<Eigen::Index>(dim));
    half_range_ = MatrixD(1, static_cast<Eigen::Index>(dim));
    for (std::size_t i = 0; i < dim; ++i) {
      low_(0, static_cast<Eigen::Index>(i)) = box->low()[i];
      half_range_(0, static_cast<Eigen::Index>(i)) = 0.5 * (box->high()[i] - box->low()[i]);
    }
    mlp_.emplace(params, name_, obs_size_, options.hiddens, dim, options.activation, rng, options.inits);
  }

  // outputs: the actions [rows, action size], inside the bounds.
  template <class T>
  ModelOutput<T> forward(const nn::ParameterBinding<T>& p, const ModelInput<T>& in) const {
    model_detail::check_obs(kind, name_, in.obs, obs_size_);
    ad::BasicTape<T>& tape = in.obs.tape();
    const ad::BasicVar<T> x = mlp_->forward(p, in.obs);
    ModelOutput<T> out;
    out.outputs = tape.constant(low_) + (ad::tanh(x) + T(1)) * tape.constant(half_range_);
    out.value_input = in.obs;
    return out;
  }
  // An actor has no state-value head: always an Error.
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>&, const ModelOutput<T>&) const {
    throw Error(where(), "an actor has no state-value head", "Q values come from the critic (TwinQ)");
  }

  std::size_t num_outputs() const noexcept { return mlp_->out_size(); }
  std::vector<nn::Matrix> initial_state() const { return {}; }
  const nn::MLP& network() const { return *mlp_; }
  const std::string& name() const noexcept { return name_; }

 private:
  using MatrixD = ad::BasicMatrix<double>;
  static constexpr std::string_view kind = "DeterministicActor";
  std::string where() const { return model_detail::model_where(kind, name_); }

  std::string name_;
  std::size_t obs_size_ = 0;
  std::optional<nn::MLP> mlp_;
  MatrixD low_;
  MatrixD half_range_;
};

static_assert(policy_model<DeterministicActor>, "DeterministicActor must satisfy rlpp::policy_model");

}  // namespace rlpp
