#pragma once
// LSTMWrapper<Inner>: RLlib's use_lstm (rllib/models/torch/recurrent_net.py LSTMWrapper). Inner,
// built with num_outputs 0 on the same Parameters, turns each observation into features; the
// LSTM runs over features ++ previous action ++ previous reward; a logits head and a value head
// read the LSTM outputs. Training rows are B padded sequences of T steps (row b*T + t, seq_lens
// [B], state in [B, cell]); inference passes no seq_lens and every row is its own one-step
// sequence (state in [rows, cell]). Cutting episodes into sequences of at most max_seq_len steps
// is the policy's job; the wrapper takes whatever T the rows and seq_lens give.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "rlpp/autodiff/ops/indexing.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/models/detail/common.hpp"
#include "rlpp/models/fully_connected.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/models/model_defaults.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/layers/lstm.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// Model config keys read: lstm_cell_size, lstm_use_prev_action, lstm_use_prev_reward,
// _time_major (true is an error: rows are batch-major), plus whatever Inner reads.
// vf_share_layers and free_log_std do not apply (both heads sit on the LSTM, as in RLlib).
//
// Blocks ("<name>." prefix; F = Inner's feature size, P = the action space's preprocessed size
// (one-hot for Discrete) with lstm_use_prev_action, R = 1 with lstm_use_prev_reward, H = cell):
//   Inner's blocks     e.g. fc_1 .. fc_k of a FullyConnectedNetwork trunk
//   lstm               weight (F+P+R+H) x 4H, bias 1 x 4H, gates i, f, g, o (torch's uniform init)
//   logits             H x num_outputs, normc 0.01 (absent when num_outputs is 0)
//   value_out          H x 1, normc 0.01
// Inner must be feedforward and must not declare blocks with those three names.
template <class Inner>
class LSTMWrapper {
  static_assert(policy_model<Inner>, "LSTMWrapper<Inner>: Inner must satisfy rlpp::policy_model (constructible from "
                              "(const ModelContext&, nn::Parameters&), with forward, value_function, num_outputs "
                              "and initial_state)");

 public:
  LSTMWrapper(const ModelContext& ctx, nn::Parameters& params)
      : inner_(inner_context(ctx), params),
        name_(ctx.name),
        action_space_(ctx.action_space),
        lstm_(make_lstm(ctx, params, inner_)) {
    if (!inner_.initial_state().empty())
      throw Error(where(), "the wrapped model is recurrent itself", "wrap a feedforward model");
    RandomStream& rng = model_detail::model_rng(ctx, kind);
    const std::size_t cell = lstm_.hidden_size();
    if (ctx.num_outputs > 0)
      logits_.emplace(params, model_detail::block_prefix(name_, "logits"), cell, ctx.num_outputs, rng,
                      nn::Init::normc(0.01), nn::Init::zeros());
    value_out_.emplace(params, model_detail::block_prefix(name_, "value_out"), cell, 1, rng, nn::Init::normc(0.01),
                       nn::Init::zeros());
    num_outputs_ = ctx.num_outputs > 0 ? ctx.num_outputs : cell;
  }

  // outputs [rows, num_outputs()], state {h, c} (each [B, cell]: the state after each
  // sequence's last valid step), value_input the LSTM outputs [rows, cell] (zero at padding).
  // in.state: {h, c} or empty (zeros). in.prev_actions [rows, action flat size] (Discrete: the
  // integer) with lstm_use_prev_action; in.prev_rewards [rows, 1] with lstm_use_prev_reward.
  template <class T>
  ModelOutput<T> forward(const nn::ParameterBinding<T>& p, const ModelInput<T>& in) const {
    ModelInput<T> inner_in;
    inner_in.obs = in.obs;
    ad::BasicVar<T> x = inner_.forward(p, inner_in).outputs;
    const Eigen::Index rows = x.rows();
    if (use_prev_action_) x = ad::concat(x, prev_action_input(in.prev_actions, rows));
    if (use_prev_reward_) {
      if (!in.prev_rewards.has_value())
        throw Error(where(), "lstm_use_prev_reward is set but ModelInput::prev_rewards is missing",
                    "pass the previous rewards [rows, 1]");
      if (in.prev_rewards.rows() != rows || in.prev_rewards.cols() != 1)
        throw Error(where(), "expects prev_rewards of shape " + std::to_string(rows) + "x1, got " +
                                 model_detail::shape_string(in.prev_rewards));
      x = ad::concat(x, in.prev_rewards);
    }
    if (!in.state.empty() && in.state.size() != 2)
      throw Error(where(), "expects the state {h, c} (2 tensors), got " + std::to_string(in.state.size()));

    ad::BasicVar<T> features, h, c;
    if (in.seq_lens.empty()) {  // inference: each row one step of its own sequence
      ad::BasicVar<T> h0, c0;
      if (in.state.empty()) {
        h0 = model_detail::zeros(x.tape(), rows, static_cast<Eigen::Index>(lstm_.hidden_size()));
        c0 = h0;
      } else {
        h0 = ad::stop_gradient(in.state[0]);
        c0 = ad::stop_gradient(in.state[1]);
      }
      const nn::LSTMState<T> next = lstm_.cell().forward(p, x, h0, c0);
      features = next.h;
      h = next.h;
      c = next.c;
    } else {
      const nn::LSTMOutput<T> run = in.state.empty() ? lstm_.forward(p, x, in.seq_lens)
                                                     : lstm_.forward(p, x, in.seq_lens, in.state[0], in.state[1]);
      features = run.outputs;
      h = run.h;
      c = run.c;
    }
    ModelOutput<T> out;
    out.outputs = logits_ ? logits_->forward(p, features) : features;
    out.state.push_back(h);
    out.state.push_back(c);
    out.value_input = features;
    return out;
  }

  // V(s): [rows, 1] from the LSTM outputs.
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>& p, const ModelOutput<T>& out) const {
    if (!out.value_input.has_value())
      throw Error(where(), "value_function needs the ModelOutput of this model's forward()");
    return value_out_->forward(p, out.value_input);
  }

  // ctx.num_outputs, or lstm_cell_size when that is 0.
  std::size_t num_outputs() const noexcept { return num_outputs_; }
  // {h, c}: zeros, 1 x lstm_cell_size each (RLlib's get_initial_state).
  std::vector<nn::Matrix> initial_state() const {
    const auto cell = static_cast<Eigen::Index>(lstm_.hidden_size());
    return {nn::Matrix::Zero(1, cell), nn::Matrix::Zero(1, cell)};
  }

  std::size_t cell_size() const noexcept { return lstm_.hidden_size(); }
  bool use_prev_action() const noexcept { return use_prev_action_; }
  bool use_prev_reward() const noexcept { return use_prev_reward_; }
  const Inner& inner() const noexcept { return inner_; }
  const nn::LSTM& lstm() const noexcept { return lstm_; }
  const std::string& name() const noexcept { return name_; }

 private:
  static constexpr std::string_view kind = "LSTMWrapper";
  std::string where() const { return model_detail::model_where(kind, name_); }

  static ModelContext inner_context(const ModelContext& ctx) {
    ModelContext inner = ctx;
    inner.num_outputs = 0;
    return inner;
  }

  nn::LSTM make_lstm(const ModelContext& ctx, nn::Parameters& params, const Inner& inner) {
    const Config model = complete_model_config(ctx.model_config);
    if (model.get<bool>("_time_major"))
      throw ConfigError(model.path_of("_time_major"), "time-major inputs are not supported",
                        "rows are batch-major: row b*T + t is step t of sequence b");
    use_prev_action_ = model.get<bool>("lstm_use_prev_action");
    use_prev_reward_ = model.get<bool>("lstm_use_prev_reward");
    const auto cell = static_cast<std::size_t>(model.positive_int("lstm_cell_size"));
    prev_action_size_ = use_prev_action_ ? action_space_.preprocessed_size() : 0;
    const std::size_t in = inner.num_outputs() + prev_action_size_ + (use_prev_reward_ ? 1 : 0);
    return nn::LSTM(params, model_detail::block_prefix(name_, "lstm"), in, cell, model_detail::model_rng(ctx, kind));
  }

  // The previous actions as the LSTM sees them: RLlib's preprocessing of each row (one-hot for
  // Discrete and MultiDiscrete parts, the values for Box), a constant on the tape.
  template <class T>
  ad::BasicVar<T> prev_action_input(ad::BasicVar<T> prev_actions, Eigen::Index rows) const {
    if (!prev_actions.has_value())
      throw Error(where(), "lstm_use_prev_action is set but ModelInput::prev_actions is missing",
                  "pass the previous actions [rows, action flat size]");
    const auto flat = static_cast<Eigen::Index>(action_space_.flat_size());
    if (prev_actions.rows() != rows || prev_actions.cols() != flat)
      throw Error(where(), "expects prev_actions of shape " + std::to_string(rows) + "x" + std::to_string(flat) +
                               " (the action space's flat size), got " + model_detail::shape_string(prev_actions));
    const auto width = static_cast<Eigen::Index>(prev_action_size_);
    ad::BasicVar<T> out = prev_actions.tape().op(rows, width, nullptr, {});
    const T* source = prev_actions.value().data();
    T* target = out.node().value;
    if constexpr (std::is_same_v<T, float>) {
      for (Eigen::Index r = 0; r < rows; ++r)
        action_space_.preprocess(std::span<const float>(source + r * flat, static_cast<std::size_t>(flat)),
                                 std::span<float>(target + r * width, static_cast<std::size_t>(width)));
    } else {  // double tapes (gradchecks): through float rows
      std::vector<float> in_row(static_cast<std::size_t>(flat)), out_row(static_cast<std::size_t>(width));
      for (Eigen::Index r = 0; r < rows; ++r) {
        for (Eigen::Index k = 0; k < flat; ++k) in_row[static_cast<std::size_t>(k)] = static_cast<float>(source[r * flat + k]);
        action_space_.preprocess(in_row, out_row);
        for (Eigen::Index k = 0; k < width; ++k) target[r * width + k] = static_cast<T>(out_row[static_cast<std::size_t>(k)]);
      }
    }
    return out;
  }

  Inner inner_;
  std::string name_;
  Space action_space_;
  bool use_prev_action_ = false;
  bool use_prev_reward_ = false;
  std::size_t prev_action_size_ = 0;
  nn::LSTM lstm_;
  std::optional<nn::Dense> logits_;
  std::optional<nn::Dense> value_out_;
  std::size_t num_outputs_ = 0;
};

static_assert(policy_model<LSTMWrapper<FullyConnectedNetwork>>, "LSTMWrapper must satisfy rlpp::policy_model");

}  // namespace rlpp
