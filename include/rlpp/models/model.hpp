#pragma once
// The `policy_model` concept: what a policy needs from a network. Like nn layers, a model declares its
// parameter blocks in an nn::Parameters its owner (the policy) holds, and keeps only block
// indices; it records its forward pass on the tape of the binding it is given. So one model runs
// with gradients (learning), frozen (compute_actions; target networks bind a copy of the
// Parameters) and on a double tape (gradcheck), and a model wrapping another model just builds it
// on the same Parameters. Models are chosen by type (`rlpp::model<M>` in build_policy) and sized at run time
// from the "model" config (RLlib's MODEL_DEFAULTS keys).

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// Everything a model's constructor gets (RLlib's ModelV2 __init__ arguments).
struct ModelContext {
  Space observation_space;
  Space action_space;
  // Outputs the action distribution needs (Categorical: n logits; DiagGaussian: 2 * dim).
  // 0 means "no output head": the model's outputs are its last hidden layer (a feature trunk,
  // RLlib's num_outputs=None), as when the LSTM wrapper wraps it.
  std::size_t num_outputs = 0;
  // The "model" dict merged over MODEL_DEFAULTS (fcnet_hiddens, fcnet_activation, ...).
  Config model_config;
  // The whole policy config, for algorithm-level model keys (DQN's "hiddens", "dueling",
  // "num_atoms"; SAC's "Q_model"/"policy_model"; DDPG's "actor_hiddens"/"critic_hiddens").
  Config policy_config;
  // Parameter block names start with "<name>." ("default_model.fc_1.weight").
  std::string name = "model";
  // Seeds the initializers; a model draws from it only while it is constructed.
  RandomStream* rng = nullptr;
};

// One forward pass's inputs, rows = batch (B) or, for recurrent training, B*T (row b*T + t is
// step t of sequence b; seq_lens has B entries). A default Var means "absent".
template <class T>
struct ModelInput {
  ad::BasicVar<T> obs;           // [rows, preprocessed observation size]
  ad::BasicVar<T> prev_actions;  // [rows, action flat size] (lstm_use_prev_action)
  ad::BasicVar<T> prev_rewards;  // [rows, 1]              (lstm_use_prev_reward)
  std::span<const ad::BasicVar<T>> state;    // recurrent state in, each [B, size]
  std::span<const std::int64_t> seq_lens;    // empty: every row is its own length-1 sequence
};

// Recurrent state tensors of one forward pass, held inline (no allocation per forward).
inline constexpr std::size_t max_state_tensors = 4;
template <class T>
class StateVars {
 public:
  void push_back(ad::BasicVar<T> v) {
    if (count_ == max_state_tensors)
      throw Error("model state", "more than " + std::to_string(max_state_tensors) + " state tensors");
    vars_[count_++] = v;
  }
  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  ad::BasicVar<T> operator[](std::size_t i) const { return vars_.at(i); }
  std::span<const ad::BasicVar<T>> span() const noexcept { return {vars_.data(), count_}; }

 private:
  std::array<ad::BasicVar<T>, max_state_tensors> vars_{};
  std::size_t count_ = 0;
};

// What forward returns: the distribution inputs, the recurrent state out, and whatever the value
// head needs (features of a shared trunk, or the observations for a separate value tower) so
// that value_function(p, out) can compute V without running the trunk again.
template <class T>
struct ModelOutput {
  ad::BasicVar<T> outputs;               // [rows, num_outputs]
  StateVars<T> state;                    // recurrent state out, each [B, size]; empty if not recurrent
  ad::BasicVar<T> value_input;           // model-specific
};

// A model: built as M(context, parameters) (adding its blocks to `parameters`), then
// forward(binding, input) -> ModelOutput and value_function(binding, output) -> [rows, 1].
// `initial_state()` gives one 1 x size row per state tensor (empty: not recurrent).
template <class M>
concept policy_model = std::constructible_from<M, const ModelContext&, nn::Parameters&> && std::copy_constructible<M> &&
    requires(const M& m, const nn::ParameterBinding<float>& p, const ModelInput<float>& in,
             const ModelOutput<float>& out) {
      { m.forward(p, in) } -> std::same_as<ModelOutput<float>>;
      { m.value_function(p, out) } -> std::same_as<ad::Var>;
      { m.num_outputs() } -> std::convertible_to<std::size_t>;
      { m.initial_state() } -> std::same_as<std::vector<nn::Matrix>>;
    };

}  // namespace rlpp
