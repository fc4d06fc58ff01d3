#pragma once
// QModel: DQN's Q network (RLlib's DQNTorchModel over its FullyConnectedNetwork base), for
// Discrete action spaces. A trunk from the "model" config, then the advantage stream ("hiddens",
// relu) to A * num_atoms outputs, optionally a dueling state-value stream, optionally
// distributional (C51, Bellemare et al. 2017): num_atoms logits per action over the support
// linspace(v_min, v_max, num_atoms), Q = sum_i p_i z_i, optionally with noisy advantage and
// value streams (Fortunato et al. 2017). forward's outputs are the Q values.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/matmul.hpp"
#include "rlpp/autodiff/ops/reduce.hpp"
#include "rlpp/autodiff/ops/rows.hpp"
#include "rlpp/autodiff/ops/softmax.hpp"
#include "rlpp/autodiff/ops/unary.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/models/detail/common.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/models/model_defaults.hpp"
#include "rlpp/nn/layers/activations.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/layers/noisy_dense.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp {

// Everything the DQN loss needs from one forward pass (RLlib's get_q_value_distributions).
// A = number of actions, N = num_atoms; column a*N + i of logits and probabilities is atom i of
// action a.
template <class T>
struct QDistribution {
  ad::BasicVar<T> q_values;       // [rows, A]
  ad::BasicVar<T> logits;         // [rows, A*N]: the (dueling-combined) atom logits; N = 1: the Q values
  ad::BasicVar<T> probabilities;  // [rows, A*N]: softmax over each action's atoms; N = 1: ones
  ad::BasicVar<T> support;        // [1, N]: the atoms z_i (a constant); N = 1: {0}
};

// Policy config keys read (DQN's DEFAULT_CONFIG; defaults when absent): hiddens [256],
// dueling true, num_atoms 1, v_min -10.0, v_max 10.0, noisy false, sigma0 0.5. Model config keys read: fcnet_hiddens, fcnet_activation,
// post_fcnet_hiddens, post_fcnet_activation, use_lstm (true is an error).
//
// Blocks ("<name>." prefix; in = observation size, h = fcnet_hiddens, s = hiddens, A actions,
// N atoms):
//   fc_1 .. fc_k                   the trunk, fcnet_activation (normc 1.0)
//   advantage_1 .. advantage_m     s, relu (normc 1.0)
//   advantage_out                  s_m x A*N, linear (normc 0.01)
//   value_1 .. value_m, value_out  the dueling state-value stream: s, relu; s_m x N (dueling only)
// Dueling: Q = V + A - mean_a(A) (per atom when distributional: logits_a = V + A_a - mean_a A_a).
// noisy: the advantage and value streams (hidden layers and outputs; not the trunk) are
// nn::NoisyDense layers with initial noise scale sigma0 (RLlib's NoisyLayer): every forward
// pass, acting and learning alike, draws fresh noise from the model's own stream, seeded from
// the policy's init stream (deterministic per seed). The stream is the model's state
// (get_state, saved with the policy's), so a restored noisy policy continues with the same noise.
//
// Differences from RLlib, for a cleaner network with the same function: the trunk is exactly
// fcnet_hiddens (RLlib sizes its last layer [256]+fcnet_hiddens and, with empty hiddens, adds a
// logits layer before the head), and the heads use normc like the rest of rlpp's models
// (RLlib's torch SlimFC default is Xavier uniform).
class QModel {
 public:
  // The policy config keys above with their defaults (a policy using this model accepts them).
  static Json defaults() {
    return Json{{"hiddens", {256}}, {"dueling", true}, {"num_atoms", 1}, {"v_min", -10.0}, {"v_max", 10.0},
                {"noisy", false}, {"sigma0", 0.5}};
  }
  QModel(const ModelContext& ctx, nn::Parameters& params) : name_(ctx.name), obs_size_(ctx.observation_space.preprocessed_size()) {
    const std::string where_text = where();
    const auto* discrete = ctx.action_space.get_if<Discrete>();
    if (discrete == nullptr)
      throw SpaceError(where_text, "DQN's Q model needs a Discrete action space, got " + ctx.action_space.to_string(),
                       "use SAC, DDPG or TD3 for continuous actions");
    actions_ = static_cast<std::size_t>(discrete->n());
    if (ctx.num_outputs != 0 && ctx.num_outputs != actions_)
      throw Error(where_text, "num_outputs is " + std::to_string(ctx.num_outputs) + " but the action space " +
                                  ctx.action_space.to_string() + " has " + std::to_string(actions_) + " actions",
                  "pass num_outputs 0 or the number of actions");
    RandomStream& rng = model_detail::model_rng(ctx, kind);
    const Config model = complete_model_config(ctx.model_config);
    if (model.get<bool>("use_lstm"))
      throw ConfigError(model.path_of("use_lstm"), "DQN's Q model does not support use_lstm",
                        "set use_lstm to false (a recurrent Q learner is RLlib's R2D2, not implemented yet)");
    const Config& policy = ctx.policy_config;
    const std::vector<std::size_t> hiddens =
        policy.contains("hiddens") ? model_detail::to_sizes(policy.positive_int_list("hiddens"))
                                   : std::vector<std::size_t>{256};
    dueling_ = policy.get_or<bool>("dueling", true);
    atoms_ = static_cast<std::size_t>(policy.contains("num_atoms") ? policy.positive_int("num_atoms") : 1);
    const double v_min = policy.get_or<double>("v_min", -10.0);
    const double v_max = policy.get_or<double>("v_max", 10.0);
    noisy_ = policy.get_or<bool>("noisy", false);
    const double sigma0 = policy.get_or<double>("sigma0", 0.5);
    if (noisy_ && !(sigma0 > 0.0)) throw ConfigError(policy.path_of("sigma0"), "must be > 0 for noisy networks");
    if (atoms_ > 1 && !(v_min < v_max))
      throw ConfigError(policy.path_of("v_min"), "v_min (" + std::to_string(v_min) + ") must be below v_max (" +
                                                     std::to_string(v_max) + ") for a distributional Q model");

    const auto prefix = [&](const std::string& suffix) { return model_detail::block_prefix(name_, suffix); };
    const model_detail::HiddenSpec trunk = model_detail::hidden_spec(model);
    const nn::Activation relu(nn::Activation::Kind::relu);
    trunk_ = model_detail::DenseStack(params, model_detail::DenseStack::numbered(prefix("fc"), trunk.sizes.size()),
                                      obs_size_, trunk.sizes, trunk.activation, rng, nn::Init::normc(1.0),
                                      nn::Init::zeros());
    if (noisy_) {
      noise_ = RandomStream(rng.next_u64(), 0, 0, "QModel/noisy");
      noisy_advantage_ = noisy_stack(params, prefix("advantage"), trunk_.out_size(), hiddens, actions_ * atoms_, sigma0, rng);
      if (dueling_) noisy_value_ = noisy_stack(params, prefix("value"), trunk_.out_size(), hiddens, atoms_, sigma0, rng);
    } else {
      advantage_ = model_detail::DenseStack(params, model_detail::DenseStack::numbered(prefix("advantage"), hiddens.size()),
                                            trunk_.out_size(), hiddens, relu, rng, nn::Init::normc(1.0), nn::Init::zeros());
      advantage_out_.emplace(params, prefix("advantage_out"), advantage_.out_size(), actions_ * atoms_, rng,
                             nn::Init::normc(0.01), nn::Init::zeros());
    }
    if (dueling_ && !noisy_) {
      value_ = model_detail::DenseStack(params, model_detail::DenseStack::numbered(prefix("value"), hiddens.size()),
                                        trunk_.out_size(), hiddens, relu, rng, nn::Init::normc(1.0), nn::Init::zeros());
      value_out_.emplace(params, prefix("value_out"), value_.out_size(), atoms_, rng, nn::Init::normc(0.01),
                         nn::Init::zeros());
    }

    // The support and the constant matrices that group, average and weight atoms per action.
    const auto a = static_cast<Eigen::Index>(actions_), n = static_cast<Eigen::Index>(atoms_);
    support_.assign(atoms_, 0.0);
    for (std::size_t i = 0; i < atoms_ && atoms_ > 1; ++i)
      support_[i] = v_min + static_cast<double>(i) * (v_max - v_min) / static_cast<double>(atoms_ - 1);
    support_row_ = MatrixD(1, n);
    for (Eigen::Index i = 0; i < n; ++i) support_row_(0, i) = support_[static_cast<std::size_t>(i)];
    if (atoms_ > 1) {
      atom_mean_ = MatrixD::Zero(a * n, n);     // [A*N, N]: mean over actions, per atom
      atom_tile_ = MatrixD::Zero(n, a * n);     // [N, A*N]: one atom row to every action
      expectation_ = MatrixD::Zero(a * n, a);   // [A*N, A]: sum_i p_i z_i per action
      for (Eigen::Index act = 0; act < a; ++act)
        for (Eigen::Index i = 0; i < n; ++i) {
          atom_mean_(act * n + i, i) = 1.0 / static_cast<double>(a);
          atom_tile_(i, act * n + i) = 1.0;
          expectation_(act * n + i, act) = support_row_(0, i);
        }
    }
  }

  // The Q values and, for the DQN loss, the atom logits, probabilities and support.
  template <class T>
  QDistribution<T> q_value_distributions(const nn::ParameterBinding<T>& p, const ModelInput<T>& in) const {
    model_detail::check_obs(kind, name_, in.obs, obs_size_);
    const ad::BasicVar<T> features = trunk_.forward(p, in.obs);
    ad::BasicVar<T> scores = advantage_scores(p, features);  // [rows, A*N]
    ad::BasicTape<T>& tape = scores.tape();
    const Eigen::Index rows = scores.rows();
    QDistribution<T> out;
    out.support = tape.constant(support_row_);
    if (atoms_ == 1) {
      if (dueling_) {
        const ad::BasicVar<T> state_value = value_scores(p, features);  // [rows, 1]
        scores = state_value + (scores - ad::row_mean(scores));
      }
      out.q_values = scores;
      out.logits = scores;
      out.probabilities = model_detail::zeros(tape, rows, scores.cols()) + T(1);
      return out;
    }
    if (dueling_) {
      const ad::BasicVar<T> state_score = value_scores(p, features);  // [rows, N]
      const ad::BasicVar<T> centered_shift = state_score - ad::matmul(scores, tape.constant(atom_mean_));
      scores = scores + ad::matmul(centered_shift, tape.constant(atom_tile_));
    }
    const auto a = static_cast<Eigen::Index>(actions_), n = static_cast<Eigen::Index>(atoms_);
    out.logits = scores;
    out.probabilities = ad::reshape(ad::softmax(ad::reshape(scores, rows * a, n)), rows, a * n);
    out.q_values = ad::matmul(out.probabilities, tape.constant(expectation_));
    return out;
  }

  // outputs: the Q values [rows, A]; value_input: the same (see value_function).
  template <class T>
  ModelOutput<T> forward(const nn::ParameterBinding<T>& p, const ModelInput<T>& in) const {
    ModelOutput<T> out;
    out.outputs = q_value_distributions(p, in).q_values;
    out.value_input = out.outputs;
    return out;
  }

  // V(s) = mean_a Q(s, a): [rows, 1]. For a dueling head with one atom this is exactly the
  // state-value stream (the advantages are centred); DQN's loss never needs it.
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>&, const ModelOutput<T>& out) const {
    if (!out.value_input.has_value())
      throw Error(where(), "value_function needs the ModelOutput of this model's forward()");
    return ad::row_mean(out.value_input);
  }

  std::size_t num_outputs() const noexcept { return actions_; }
  std::vector<nn::Matrix> initial_state() const { return {}; }

  std::size_t num_actions() const noexcept { return actions_; }
  std::size_t num_atoms() const noexcept { return atoms_; }
  bool dueling() const noexcept { return dueling_; }
  bool noisy() const noexcept { return noisy_; }
  // {"noise": the noise stream's 4 state words, then its pending normal() spare if any} when
  // noisy, else {}. set_state checks before it changes anything; a state without "noise" (a
  // policy saved before the stream was) keeps the current stream.
  Json get_state() const {
    if (!noisy_) return Json::object();
    const auto& words = noise_.state();
    Json noise = Json::array({words[0], words[1], words[2], words[3]});
    if (const auto spare = noise_.spare()) noise.push_back(*spare);
    return Json{{"noise", std::move(noise)}};
  }
  void set_state(const Json& state) {
    const std::string where_text = where() + ".set_state";
    if (!state.is_object())
      throw CheckpointError(where_text, "the model state is a JSON " + std::string(state.type_name()) + ", not an object");
    const auto noise = state.find("noise");
    if (noise == state.end()) return;
    if (!noisy_)
      throw CheckpointError(where_text, "the state has a noise stream, but this Q model is not noisy",
                            "restore with the same noisy setting");
    const Json& j = *noise;
    const auto is_word = [](const Json& w) { return w.is_number_unsigned() || (w.is_number_integer() && w.get<std::int64_t>() >= 0); };
    if (!j.is_array() || (j.size() != 4 && !(j.size() == 5 && j[4].is_number())) || !std::all_of(j.begin(), j.begin() + 4, is_word))
      throw CheckpointError(where_text, "the noise stream's state is " + j.dump() + ", not 4 unsigned integers and an optional pending normal");
    noise_ = RandomStream::from_state({j[0].get<std::uint64_t>(), j[1].get<std::uint64_t>(), j[2].get<std::uint64_t>(), j[3].get<std::uint64_t>()},
                                      j.size() == 5 ? std::optional<double>(j[4].get<double>()) : std::nullopt);
  }
  // The atoms z_0..z_{N-1} (linspace(v_min, v_max, N); {0} with one atom).
  std::span<const double> support() const noexcept { return support_; }
  const std::string& name() const noexcept { return name_; }

 private:
  using MatrixD = ad::BasicMatrix<double>;
  static constexpr std::string_view kind = "QModel";
  std::string where() const { return model_detail::model_where(kind, name_); }

  // hiddens (relu) then a linear output of `out` units, all noisy: "<prefix>_1".., "<prefix>_out".
  static std::vector<nn::NoisyDense> noisy_stack(nn::Parameters& params, const std::string& prefix, std::size_t in,
                                                 const std::vector<std::size_t>& hiddens, std::size_t out, double sigma0,
                                                 RandomStream& rng) {
    std::vector<nn::NoisyDense> layers;
    for (std::size_t k = 0; k < hiddens.size(); ++k) {
      layers.emplace_back(params, prefix + "_" + std::to_string(k + 1), in, hiddens[k], sigma0, rng);
      in = hiddens[k];
    }
    layers.emplace_back(params, prefix + "_out", in, out, sigma0, rng);
    return layers;
  }
  template <class T>
  ad::BasicVar<T> noisy_forward(const nn::ParameterBinding<T>& p, const std::vector<nn::NoisyDense>& layers,
                                ad::BasicVar<T> x) const {
    for (std::size_t k = 0; k < layers.size(); ++k) {
      x = layers[k].forward(p, x, noise_);
      if (k + 1 < layers.size()) x = ad::relu(x);
    }
    return x;
  }
  template <class T>
  ad::BasicVar<T> advantage_scores(const nn::ParameterBinding<T>& p, ad::BasicVar<T> features) const {
    if (noisy_) return noisy_forward(p, noisy_advantage_, features);
    return advantage_out_->forward(p, advantage_.forward(p, features));
  }
  template <class T>
  ad::BasicVar<T> value_scores(const nn::ParameterBinding<T>& p, ad::BasicVar<T> features) const {
    if (noisy_) return noisy_forward(p, noisy_value_, features);
    return value_out_->forward(p, value_.forward(p, features));
  }

  std::string name_;
  std::size_t obs_size_ = 0;
  std::size_t actions_ = 0;
  std::size_t atoms_ = 1;
  bool dueling_ = true;
  bool noisy_ = false;
  mutable RandomStream noise_;  // noisy layers' draws: one per layer per forward pass
  std::vector<nn::NoisyDense> noisy_advantage_;
  std::vector<nn::NoisyDense> noisy_value_;
  model_detail::DenseStack trunk_;
  model_detail::DenseStack advantage_;
  std::optional<nn::Dense> advantage_out_;
  model_detail::DenseStack value_;
  std::optional<nn::Dense> value_out_;
  std::vector<double> support_;
  MatrixD support_row_;
  MatrixD atom_mean_;
  MatrixD atom_tile_;
  MatrixD expectation_;
};

static_assert(policy_model<QModel>, "QModel must satisfy rlpp::policy_model");

}  // namespace rlpp
