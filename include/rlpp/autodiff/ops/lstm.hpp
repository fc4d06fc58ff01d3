#pragma once
// lstm_gates: the elementwise part of one LSTM step fused into a single node. From the gate
// pre-activations z = [z_i z_f z_g z_o] (B x 4H, PyTorch's gate order) and the cell state c
// (B x H) it computes, as torch.nn.LSTM does,
//   i = sigmoid(z_i), f = sigmoid(z_f), g = tanh(z_g), o = sigmoid(z_o)
//   c' = f * c + i * g,   h' = o * tanh(c')
// and returns [h' c'] (B x 2H; split with columns()). One node instead of thirteen; backward
// recomputes the gates from z rather than storing them.

#include <algorithm>
#include <string>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::ad {

namespace detail {
// Rows are processed in column chunks held in fixed-capacity Eigen arrays on the stack, so the
// gates are evaluated once each, vectorized, without heap temporaries.
inline constexpr Eigen::Index lstm_chunk = 128;

template <class T>
using LstmChunk = Eigen::Array<T, Eigen::Dynamic, 1, Eigen::ColMajor, lstm_chunk, 1>;
template <class T>
using ConstVectorMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using VectorMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;

template <class T>
void lstm_gates_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& z = tape.node(out.inputs[0]);
  const Node<T>& c = tape.node(out.inputs[1]);
  const Eigen::Index hidden = c.cols;
  for (Eigen::Index r = 0; r < out.rows; ++r) {
    const T* zr = z.value + r * 4 * hidden;
    const T* cr = c.value + r * hidden;
    const T* yr = out.value + r * 2 * hidden;
    const T* gr = out.grad + r * 2 * hidden;
    for (Eigen::Index k = 0; k < hidden; k += lstm_chunk) {
      const Eigen::Index n = std::min(lstm_chunk, hidden - k);
      const LstmChunk<T> i = ConstVectorMap<T>(zr + k, n).logistic();
      const LstmChunk<T> f = ConstVectorMap<T>(zr + hidden + k, n).logistic();
      const LstmChunk<T> g = ConstVectorMap<T>(zr + 2 * hidden + k, n).tanh();
      const LstmChunk<T> o = ConstVectorMap<T>(zr + 3 * hidden + k, n).logistic();
      const LstmChunk<T> tanh_c = ConstVectorMap<T>(yr + hidden + k, n).tanh();
      const ConstVectorMap<T> grad_h(gr + k, n);
      // d c' collects the gradient arriving at c' directly and through h' = o * tanh(c').
      const LstmChunk<T> grad_c = ConstVectorMap<T>(gr + hidden + k, n) + grad_h * o * (T(1) - tanh_c.square());
      if (z.grad) {
        T* gz = z.grad + r * 4 * hidden;
        VectorMap<T>(gz + k, n) += grad_c * g * i * (T(1) - i);
        VectorMap<T>(gz + hidden + k, n) += grad_c * ConstVectorMap<T>(cr + k, n) * f * (T(1) - f);
        VectorMap<T>(gz + 2 * hidden + k, n) += grad_c * i * (T(1) - g.square());
        VectorMap<T>(gz + 3 * hidden + k, n) += grad_h * tanh_c * o * (T(1) - o);
      }
      if (c.grad) VectorMap<T>(c.grad + r * hidden + k, n) += grad_c * f;
    }
  }
}
}  // namespace detail

// [h' c'] of an LSTM step: z (B x 4H) holds the pre-activations of the gates i, f, g, o side by
// side, c (B x H) the cell state.
template <class T>
BasicVar<T> lstm_gates(BasicVar<T> z, BasicVar<T> c) {
  if (z.rows() != c.rows() || z.cols() != 4 * c.cols())
    throw Error("autodiff lstm_gates",
                "expected z of shape B x 4H and c of shape B x H, got z " + std::to_string(z.rows()) + "x" +
                    std::to_string(z.cols()) + " and c " + std::to_string(c.rows()) + "x" + std::to_string(c.cols()));
  const Eigen::Index hidden = c.cols();
  BasicVar<T> out = z.tape().op(z.rows(), 2 * hidden, &detail::lstm_gates_backward<T>, {z, c});
  const T* zv = z.node().value;
  const T* cv = c.node().value;
  T* y = out.node().value;
  using detail::ConstVectorMap;
  using detail::LstmChunk;
  using detail::VectorMap;
  for (Eigen::Index r = 0; r < z.rows(); ++r) {
    const T* zr = zv + r * 4 * hidden;
    T* yr = y + r * 2 * hidden;
    for (Eigen::Index k = 0; k < hidden; k += detail::lstm_chunk) {
      const Eigen::Index n = std::min(detail::lstm_chunk, hidden - k);
      const LstmChunk<T> cell = ConstVectorMap<T>(zr + hidden + k, n).logistic() * ConstVectorMap<T>(cv + r * hidden + k, n) +
                                ConstVectorMap<T>(zr + k, n).logistic() * ConstVectorMap<T>(zr + 2 * hidden + k, n).tanh();
      VectorMap<T>(yr + hidden + k, n) = cell;
      VectorMap<T>(yr + k, n) = ConstVectorMap<T>(zr + 3 * hidden + k, n).logistic() * cell.tanh();
    }
  }
  return out;
}

}  // namespace rlpp::ad
