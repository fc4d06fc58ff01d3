#pragma once
// Reductions: sum and mean over everything (1x1), per row (R x 1) and per column (1 x C).

#include <algorithm>

#include "rlpp/autodiff/tape.hpp"

namespace rlpp::ad {

namespace detail {
enum class Reduce : std::int64_t { all, rows, cols };  // rows: one value per row

template <class T>
void reduce_backward(BasicTape<T>& tape, const Node<T>& out) {
  const Node<T>& in = tape.node(out.inputs[0]);
  if (!in.grad) return;
  BasicMap<T> gx(in.grad, in.rows, in.cols);
  const T scale = out.scalars[0];  // 1 for sums, 1/count for means
  // Plain loops: Eigen's colwise()/rowwise() += of a scaled vector evaluates a heap temporary.
  const Eigen::Index rows = in.rows, cols = in.cols;
  switch (static_cast<Reduce>(out.aux)) {
    case Reduce::all:
      gx.array() += out.grad[0] * scale;
      break;
    case Reduce::rows:
      for (Eigen::Index r = 0; r < rows; ++r) {
        const T g = out.grad[r] * scale;
        T* row = in.grad + r * cols;
        for (Eigen::Index c = 0; c < cols; ++c) row[c] += g;
      }
      break;
    case Reduce::cols:
      for (Eigen::Index r = 0; r < rows; ++r) {
        T* row = in.grad + r * cols;
        for (Eigen::Index c = 0; c < cols; ++c) row[c] += out.grad[c] * scale;
      }
      break;
  }
}

template <class T>
BasicVar<T> reduce(BasicVar<T> x, Reduce kind, bool mean) {
  const Eigen::Index rows = kind == Reduce::cols ? 1 : (kind == Reduce::rows ? x.rows() : 1);
  const Eigen::Index cols = kind == Reduce::rows ? 1 : (kind == Reduce::cols ? x.cols() : 1);
  const Eigen::Index count = kind == Reduce::all ? x.size() : (kind == Reduce::rows ? x.cols() : x.rows());
  const T scale = mean ? T(1) / static_cast<T>(count) : T(1);
  BasicVar<T> out = x.tape().op(rows, cols, &reduce_backward<T>, {x}, scale, T(0), static_cast<std::int64_t>(kind));
  T* y = out.node().value;
  const T* xv = x.node().value;
  const Eigen::Index in_rows = x.rows(), in_cols = x.cols();
  switch (kind) {
    case Reduce::all:
      y[0] = x.value().sum() * scale;
      break;
    case Reduce::rows:
      for (Eigen::Index r = 0; r < in_rows; ++r) {
        T total = T(0);
        for (Eigen::Index c = 0; c < in_cols; ++c) total += xv[r * in_cols + c];
        y[r] = total * scale;
      }
      break;
    case Reduce::cols:
      std::fill_n(y, in_cols, T(0));
      for (Eigen::Index r = 0; r < in_rows; ++r)
        for (Eigen::Index c = 0; c < in_cols; ++c) y[c] += xv[r * in_cols + c];
      for (Eigen::Index c = 0; c < in_cols; ++c) y[c] *= scale;
      break;
  }
  return out;
}
}  // namespace detail

template <class T> BasicVar<T> sum(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::all, false); }
template <class T> BasicVar<T> mean(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::all, true); }
// One value per row (R x 1).
template <class T> BasicVar<T> row_sum(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::rows, false); }
template <class T> BasicVar<T> row_mean(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::rows, true); }
// One value per column (1 x C).
template <class T> BasicVar<T> col_sum(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::cols, false); }
template <class T> BasicVar<T> col_mean(BasicVar<T> x) { return detail::reduce(x, detail::Reduce::cols, true); }

}  // namespace rlpp::ad
