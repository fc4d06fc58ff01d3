#pragma once
// LSTM layers for RLlib's use_lstm. LSTMCell is one step of torch.nn.LSTM (gates i, f, g, o;
// c' = f*c + i*g; h' = o*tanh(c')) computed as one fused linear on [x h]; LSTM runs the cell over
// padded sequences in RLlib's batch-major layout and masks the padding by seq_lens.
// Parameters: "<name>.weight", (in + hidden) x 4*hidden, and "<name>.bias", 1 x 4*hidden, gate
// blocks of `hidden` columns in the order i, f, g, o. From a torch.nn.LSTM:
//   weight = [weight_ih_l0^T ; weight_hh_l0^T],  bias = bias_ih_l0 + bias_hh_l0.
// Both default to torch's U(-1/sqrt(hidden), 1/sqrt(hidden)).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/indexing.hpp"
#include "rlpp/autodiff/ops/lstm.hpp"
#include "rlpp/autodiff/ops/matmul.hpp"
#include "rlpp/autodiff/ops/rows.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

// The recurrent state (RLlib's state_in / state_out: [h, c]), each batch x hidden.
template <class T>
struct LSTMState {
  ad::BasicVar<T> h;
  ad::BasicVar<T> c;
};

// What LSTM::forward returns: outputs [B*T, hidden] and the final state, each B x hidden.
template <class T>
struct LSTMOutput {
  ad::BasicVar<T> outputs;
  ad::BasicVar<T> h;
  ad::BasicVar<T> c;
};

class LSTMCell {
 public:
  // Initializers default to torch.nn.LSTM's U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
  LSTMCell(Parameters& params, const std::string& name, std::size_t input_size, std::size_t hidden_size,
           RandomStream& rng, std::optional<Init> weight_init = std::nullopt, std::optional<Init> bias_init = std::nullopt)
      : in_(input_size), hidden_(hidden_size) {
    if (input_size == 0 || hidden_size == 0)
      throw Error("nn::LSTMCell '" + name + "'", "sizes must be positive, got input " + std::to_string(input_size) +
                                                     ", hidden " + std::to_string(hidden_size));
    weight_ = params.add(name + ".weight", input_size + hidden_size, 4 * hidden_size);
    bias_ = params.add(name + ".bias", 1, 4 * hidden_size);
    const Init torch_default = Init::uniform(1.0 / std::sqrt(static_cast<double>(hidden_size)));
    weight_init.value_or(torch_default)(params.value(weight_), rng);
    bias_init.value_or(torch_default)(params.value(bias_), rng);
  }

  // One step: x (B x in), h and c (B x hidden) -> (h', c').
  template <class T>
  LSTMState<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x, ad::BasicVar<T> h, ad::BasicVar<T> c) const {
    check_shapes(p, "LSTMCell", x.rows(), x, h, c);
    const ad::BasicVar<T> z = ad::linear(ad::concat(x, h), p(weight_), p(bias_));
    const ad::BasicVar<T> y = ad::lstm_gates(z, c);
    const auto hidden = static_cast<Eigen::Index>(hidden_);
    return {ad::columns(y, 0, hidden), ad::columns(y, hidden, hidden)};
  }

  std::size_t input_size() const noexcept { return in_; }
  std::size_t hidden_size() const noexcept { return hidden_; }
  std::size_t weight() const noexcept { return weight_; }
  std::size_t bias() const noexcept { return bias_; }

  // Shape checks shared with LSTM; messages name the layer and what it expected.
  template <class T>
  void check_shapes(const ParameterBinding<T>& p, const char* kind, Eigen::Index batch, ad::BasicVar<T> x,
                    ad::BasicVar<T> h, ad::BasicVar<T> c) const {
    const auto where = [&] { return "nn::" + std::string(kind) + " '" + detail::layer_name(p.block(weight_)) + "'"; };
    const auto shape = [](ad::BasicVar<T> v) { return std::to_string(v.rows()) + "x" + std::to_string(v.cols()); };
    if (x.cols() != static_cast<Eigen::Index>(in_))
      throw Error(where(), "expects inputs with " + std::to_string(in_) + " columns, got " + shape(x));
    if (h.rows() != batch || c.rows() != batch || h.cols() != static_cast<Eigen::Index>(hidden_) ||
        c.cols() != static_cast<Eigen::Index>(hidden_))
      throw Error(where(), "expects h and c of shape " + std::to_string(batch) + "x" + std::to_string(hidden_) +
                               ", got h " + shape(h) + " and c " + shape(c));
  }

 private:
  std::size_t in_ = 0;
  std::size_t hidden_ = 0;
  std::size_t weight_ = 0;
  std::size_t bias_ = 0;
};

// The LSTM over padded sequences (RLlib's LSTMWrapper core, batch-major / _time_major False).
// Input x is [B*T, in]: B sequences padded to T steps, row b*T + t holding step t of sequence b;
// seq_lens[b] (0..T) counts the valid steps of sequence b; T is x.rows() / B.
// Returns outputs [B*T, hidden] in the same layout, zero at padded steps, and the final state
// (h, c) of each sequence, taken at its last valid step: at padded steps the state is carried
// unchanged (so padded inputs change nothing). The initial state is an input and gets no
// gradient (truncated backpropagation through time, as RLlib trains on state_in from the batch).
class LSTM {
 public:
  LSTM(Parameters& params, const std::string& name, std::size_t input_size, std::size_t hidden_size, RandomStream& rng,
       std::optional<Init> weight_init = std::nullopt, std::optional<Init> bias_init = std::nullopt)
      : cell_(params, name, input_size, hidden_size, rng, weight_init, bias_init) {}

  template <class T>
  LSTMOutput<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x, std::span<const std::int32_t> seq_lens,
                        ad::BasicVar<T> h0, ad::BasicVar<T> c0) const {
    return run(p, x, seq_lens, h0, c0);
  }
  template <class T>
  LSTMOutput<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x, std::span<const std::int64_t> seq_lens,
                        ad::BasicVar<T> h0, ad::BasicVar<T> c0) const {
    return run(p, x, seq_lens, h0, c0);
  }
  // From a zero initial state (RLlib's get_initial_state).
  template <class T>
  LSTMOutput<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x, std::span<const std::int32_t> seq_lens) const {
    const auto [h0, c0] = initial_state(x.tape(), static_cast<Eigen::Index>(seq_lens.size()));
    return run(p, x, seq_lens, h0, c0);
  }
  template <class T>
  LSTMOutput<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x, std::span<const std::int64_t> seq_lens) const {
    const auto [h0, c0] = initial_state(x.tape(), static_cast<Eigen::Index>(seq_lens.size()));
    return run(p, x, seq_lens, h0, c0);
  }

  // Zeros, batch x hidden (RLlib's get_initial_state).
  template <class T>
  LSTMState<T> initial_state(ad::BasicTape<T>& tape, Eigen::Index batch) const {
    return {zeros(tape, batch), zeros(tape, batch)};
  }

  const LSTMCell& cell() const noexcept { return cell_; }
  std::size_t input_size() const noexcept { return cell_.input_size(); }
  std::size_t hidden_size() const noexcept { return cell_.hidden_size(); }
  std::size_t weight() const noexcept { return cell_.weight(); }
  std::size_t bias() const noexcept { return cell_.bias(); }

 private:
  template <class T>
  static ad::BasicVar<T> zeros(ad::BasicTape<T>& tape, Eigen::Index rows, Eigen::Index cols) {
    ad::BasicVar<T> v = tape.op(rows, cols, nullptr, {});
    std::fill_n(v.node().value, rows * cols, T(0));
    return v;
  }
  template <class T>
  ad::BasicVar<T> zeros(ad::BasicTape<T>& tape, Eigen::Index batch) const {
    return zeros(tape, batch, static_cast<Eigen::Index>(hidden_size()));
  }

  template <class T, class I>
  LSTMOutput<T> run(const ParameterBinding<T>& p, ad::BasicVar<T> x, std::span<const I> seq_lens, ad::BasicVar<T> h0,
                    ad::BasicVar<T> c0) const {
    const auto where = [&] { return "nn::LSTM '" + detail::layer_name(p.block(weight())) + "'"; };
    const auto batch = static_cast<Eigen::Index>(seq_lens.size());
    if (batch == 0) throw Error(where(), "seq_lens is empty", "pass one length per sequence in the batch");
    if (x.rows() == 0 || x.rows() % batch != 0)
      throw Error(where(), "x has " + std::to_string(x.rows()) + " rows for " + std::to_string(batch) +
                               " sequences; expected B*T rows (row b*T + t is step t of sequence b)");
    const Eigen::Index steps = x.rows() / batch;
    cell_.check_shapes(p, "LSTM", batch, x, h0, c0);
    Eigen::Index min_len = steps, max_len = 0;
    for (Eigen::Index b = 0; b < batch; ++b) {
      const auto len = static_cast<std::int64_t>(seq_lens[static_cast<std::size_t>(b)]);
      if (len < 0 || len > steps)
        throw Error(where(), "seq_lens[" + std::to_string(b) + "] is " + std::to_string(len) + ", outside [0, " +
                                 std::to_string(steps) + "] (T = x.rows() / B = " + std::to_string(steps) + ")");
      min_len = std::min<Eigen::Index>(min_len, len);
      max_len = std::max<Eigen::Index>(max_len, len);
    }

    ad::BasicTape<T>& tape = x.tape();
    const auto in = static_cast<Eigen::Index>(input_size());
    const auto hidden = static_cast<Eigen::Index>(hidden_size());
    const ad::BasicVar<T> weight = p(cell_.weight());
    ad::BasicVar<T> h = ad::stop_gradient(h0);
    ad::BasicVar<T> c = ad::stop_gradient(c0);

    // The input half of every step's gate pre-activations in one product: [B*T, 4H], viewed as
    // [B, T*4H] so that step t of all sequences is columns [t*4H, (t+1)*4H).
    ad::BasicVar<T> input_gates, recurrent_weight;
    if (max_len > 0) {
      input_gates = ad::reshape(ad::linear(x, ad::rows(weight, 0, in), p(cell_.bias())), batch, steps * 4 * hidden);
      recurrent_weight = ad::rows(weight, in, hidden);
    }

    // Per-step outputs, hstacked into [B, T*H] (= [B*T, H]). A stack buffer, folded into its
    // first slot when full, keeps recording allocation-free for any T.
    std::array<ad::BasicVar<T>, 64> parts;
    std::size_t part_count = 0;
    const auto push = [&](ad::BasicVar<T> v) {
      if (part_count == parts.size()) {
        parts[0] = ad::hstack(std::span<const ad::BasicVar<T>>(parts.data(), part_count));
        part_count = 1;
      }
      parts[part_count++] = v;
    };
    ad::BasicVar<T> zero;
    bool have_zero = false;
    const auto zero_output = [&] {
      if (!have_zero) {
        zero = zeros(tape, batch, hidden);
        have_zero = true;
      }
      return zero;
    };

    for (Eigen::Index t = 0; t < steps; ++t) {
      if (t >= max_len) {  // every sequence has ended
        push(zero_output());
        continue;
      }
      const ad::BasicVar<T> z = ad::columns(input_gates, t * 4 * hidden, 4 * hidden) + ad::matmul(h, recurrent_weight);
      const ad::BasicVar<T> y = ad::lstm_gates(z, c);
      const ad::BasicVar<T> h_next = ad::columns(y, 0, hidden);
      const ad::BasicVar<T> c_next = ad::columns(y, hidden, hidden);
      if (t < min_len) {  // every sequence is still running
        h = h_next;
        c = c_next;
        push(h_next);
        continue;
      }
      ad::BasicVar<T> mask = tape.op(batch, hidden, nullptr, {});
      ad::BasicMap<T> m(mask.node().value, batch, hidden);
      for (Eigen::Index b = 0; b < batch; ++b)
        m.row(b).setConstant(t < static_cast<Eigen::Index>(seq_lens[static_cast<std::size_t>(b)]) ? T(1) : T(0));
      h = ad::where(mask, h_next, h);
      c = ad::where(mask, c_next, c);
      push(ad::where(mask, h_next, zero_output()));
    }
    const ad::BasicVar<T> stacked = ad::hstack(std::span<const ad::BasicVar<T>>(parts.data(), part_count));
    return {ad::reshape(stacked, batch * steps, hidden), h, c};
  }

  LSTMCell cell_;
};

}  // namespace rlpp::nn
